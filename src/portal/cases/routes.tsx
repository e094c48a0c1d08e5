import type { App } from '../../http/context.js';

/** « Mes demandes »: the citizen's and their household's cases, messages, information requests, documents, satisfaction. */
export async function myCasesRoutes(app: App): Promise<void> {
  void app;
}
