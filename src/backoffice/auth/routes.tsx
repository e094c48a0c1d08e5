import type { App } from '../../http/context.js';

/** Sign-in (password + TOTP, ProConnect), sign-out, the agent's account page. */
export async function authRoutes(_app: App): Promise<void> {}
