import type { App } from '../../http/context.js';

/** HTTP routes of the sms channel (none yet). */
export async function smsRoutes(_app: App): Promise<void> {}
