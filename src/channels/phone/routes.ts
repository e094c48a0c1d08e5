import type { App } from '../../http/context.js';

/** HTTP routes of the phone channel (none yet). */
export async function phoneRoutes(_app: App): Promise<void> {}
