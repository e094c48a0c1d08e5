import type { App } from '../http/context.js';

/** Sign-in through FranceConnect v2 (OpenID Connect). */
export async function franceConnectRoutes(app: App): Promise<void> {
  void app;
}
