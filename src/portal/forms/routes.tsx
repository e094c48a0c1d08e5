import type { App } from '../../http/context.js';

/** A procedure's online form: pages, drafts, uploads, check-your-answers and submission. */
export async function formRoutes(app: App): Promise<void> {
  void app;
}
