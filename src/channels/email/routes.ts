import type { App } from '../../http/context.js';

/**
 * HTTP routes of the e-mail channel: none. Mail arrives by SMTP (smtp-receiver.ts) or IMAP; the
 * quarantine is shown and reprocessed from the channels' health page (reprocessEmail).
 */
export async function emailRoutes(_app: App): Promise<void> {}
