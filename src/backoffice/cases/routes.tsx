import type { App } from '../../http/context.js';

/** A case: timeline, data, attachments, actions. */
export async function caseRoutes(_app: App): Promise<void> {}
