import type { App } from '../http/context.js';

/** Acknowledgments of receipt (CRPA L112-11) as PDF, for the citizen and for agents. */
export async function acknowledgmentRoutes(app: App): Promise<void> {
  void app;
}
