import { caseRepository } from '../cases/repository.js';
import type { JobType } from '../jobs/registry.js';
import { sendMail } from './mailer.js';
import { messageRepository } from './repository.js';

/** Domain of our Message-IDs: the public host, so replies can be recognised as ours. */
function messageIdDomain(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'guichet.localhost';
  } catch {
    return 'guichet.localhost';
  }
}

/**
 * Sends a queued email message. Without SMTP_URL the message is only recorded (it stays readable
 * in the case and in the development mailbox). Idempotent: a message already sent or recorded is
 * left alone; its Message-ID does not change between attempts.
 */
export const sendMessageJob: JobType<{ messageId: number }> = {
  type: 'message.send',
  description: 'Envoi d’un courriel (usager ou agent)',
  maxAttempts: 10,
  async handle(ctx, { messageId }) {
    const db = ctx.db.kysely;
    const message = await messageRepository.findById(db, messageId);
    if (!message || message.status === 'sent' || message.status === 'recorded') return;
    const view = await caseRepository.findById(db, message.case_id);
    const reference = view?.reference ?? `case-${message.case_id}`;
    const id = `<guichet.${message.id}.${reference}@${messageIdDomain(ctx.config.publicUrl)}>`;
    if (!ctx.config.SMTP_URL || !message.recipient) {
      await messageRepository.markSent(db, message.id, 'recorded', id, new Date().toISOString());
      return;
    }
    try {
      await sendMail(ctx.config.SMTP_URL, {
        from: ctx.config.MAIL_FROM,
        to: message.recipient,
        subject: message.subject,
        text: message.body_text,
        messageId: id,
        references: await messageRepository.sentMessageIds(db, message.case_id, message.id),
      });
    } catch (error) {
      await messageRepository.markFailed(db, message.id, String((error as Error).message ?? error));
      throw error;
    }
    await messageRepository.markSent(db, message.id, 'sent', id, new Date().toISOString());
  },
};
