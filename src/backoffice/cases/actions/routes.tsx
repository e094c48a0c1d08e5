import type { App } from '../../../http/context.js';

/** Actions on a case: take, assign, transfer, transition, notes with mentions, documents, merge. */
export async function caseActionRoutes(_app: App): Promise<void> {}
