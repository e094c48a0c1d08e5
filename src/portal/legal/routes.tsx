import type { App } from '../../http/context.js';

/** Legal pages (accessibility statement, legal notice, personal data, terms of use, site map) and the installable app (manifest, service worker, offline page). */
export async function legalRoutes(app: App): Promise<void> {
  void app;
}
