import type { App } from '../../http/context.js';

/** HTTP routes of the health channel (none yet). */
export async function healthRoutes(_app: App): Promise<void> {}
