import type { App } from '../../http/context.js';

/** HTTP routes of the email channel (none yet). */
export async function emailRoutes(_app: App): Promise<void> {}
