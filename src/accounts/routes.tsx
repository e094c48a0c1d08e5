import type { App } from '../http/context.js';

/** Sign-up, e-mail verification, sign-in, password reset, sign-out and the list of sessions. */
export async function accountRoutes(app: App): Promise<void> {
  void app;
}
