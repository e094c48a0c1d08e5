import type { App } from '../../http/context.js';

/** Administration: agents and their roles, the organisation's settings, the access log. */
export async function adminRoutes(_app: App): Promise<void> {}
