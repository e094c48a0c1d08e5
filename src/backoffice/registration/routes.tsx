import type { App } from '../../http/context.js';

/** Registering a request from another channel, and the postal mail register. */
export async function registrationRoutes(_app: App): Promise<void> {}
