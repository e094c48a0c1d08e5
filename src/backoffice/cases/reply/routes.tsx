import type { App } from '../../../http/context.js';

/** The agent's reply to the citizen (with templates), information requests, letters to print. */
export async function replyRoutes(_app: App): Promise<void> {}
