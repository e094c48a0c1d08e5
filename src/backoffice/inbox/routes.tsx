import type { App } from '../../http/context.js';

/** The inbox: filters, full-text search, saved views, bulk actions, live updates. */
export async function inboxRoutes(_app: App): Promise<void> {}
