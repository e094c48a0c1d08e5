import type { App } from '../../http/context.js';

/** The 360° citizen view, citizen search, merges and possible duplicates. */
export async function citizenRoutes(_app: App): Promise<void> {}
