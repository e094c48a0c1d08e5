import { defineJobType } from '../jobs/registry.js';
import { sendMail } from '../messages/mailer.js';
import { ACCOUNT_MAIL_JOB } from './mail.js';
import { accountRepository } from './repository.js';

const MAX_ATTEMPTS = 10;

/** Domain of our Message-IDs: the public host. */
function messageIdDomain(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'guichet.localhost';
  } catch {
    return 'guichet.localhost';
  }
}

/**
 * Sends a queued account mail (verification, reset, notices). Without SMTP_URL nothing leaves:
 * the mail stays queued, readable in the development mailbox. Idempotent: a mail already sent is
 * left alone, and its Message-ID is the same at every attempt.
 */
export const accountMailJob = defineJobType<{ mailId: number }>({
  type: ACCOUNT_MAIL_JOB,
  description: 'Envoi d’un courriel de compte usager (confirmation, mot de passe)',
  maxAttempts: MAX_ATTEMPTS,
  async handle(ctx, { mailId }, job) {
    const db = ctx.db.kysely;
    const mail = await accountRepository.findMail(db, mailId);
    if (!mail || mail.status === 'sent' || !ctx.config.SMTP_URL) return;
    try {
      await sendMail(ctx.config.SMTP_URL, {
        from: ctx.config.MAIL_FROM,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.body_text,
        messageId: `<guichet.compte.${mail.id}@${messageIdDomain(ctx.config.publicUrl)}>`,
        references: [],
      });
    } catch (error) {
      await accountRepository.markMailFailed(db, mail.id, String((error as Error).message ?? error), job.attempt >= MAX_ATTEMPTS);
      throw error;
    }
    await accountRepository.markMailSent(db, mail.id, new Date().toISOString());
  },
});
