import type { App } from '../../http/context.js';

/** HTTP routes of the open311 channel (none yet). */
export async function open311Routes(_app: App): Promise<void> {}
