import type { App } from '../../http/context.js';

/** HTTP routes of the webhooks channel (none yet). */
export async function webhooksRoutes(_app: App): Promise<void> {}
