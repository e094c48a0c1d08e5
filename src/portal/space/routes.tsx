import type { App } from '../../http/context.js';

/** « Mon espace »: profile, household, document safe, notification preferences, data export and account deletion. */
export async function spaceRoutes(app: App): Promise<void> {
  void app;
}
