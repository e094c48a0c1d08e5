import type { App } from '../../http/context.js';

/** Response templates: list, edit, preview on a real case. */
export async function templateRoutes(_app: App): Promise<void> {}
