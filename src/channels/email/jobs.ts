import { defineJobType } from '../../jobs/registry.js';
import { processEmail, quarantineAfterFailures } from './process.js';
import { EMAIL_PROCESS_JOB } from './receive.js';

const MAX_ATTEMPTS = 8;

/**
 * Processes one received e-mail. A transient failure (the database) is retried with back-off; at
 * the last attempt the mail is quarantined instead, so it stays visible and can be reprocessed.
 */
export const emailProcessJob = defineJobType<{ inboundId: number }>({
  type: EMAIL_PROCESS_JOB,
  description: 'Traitement d’un courriel reçu (réception SMTP ou relève IMAP)',
  maxAttempts: MAX_ATTEMPTS,
  async handle(ctx, { inboundId }, job) {
    try {
      await processEmail(ctx, inboundId);
    } catch (error) {
      if (job.attempt >= MAX_ATTEMPTS) await quarantineAfterFailures(ctx, inboundId, error);
      throw error;
    }
  },
});
