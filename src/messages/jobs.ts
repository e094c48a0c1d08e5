import { caseRepository } from '../cases/repository.js';
import { replyAddress } from '../channels/email/reply-token.js';
import { holdSmsIfOptedOut } from '../channels/sms/opt-outs.js';
import { OutboundRefused, outboundFor, type OutboundResponse } from '../http/outbound.js';
import { PermanentJobFailure, type JobContext, type JobType } from '../jobs/registry.js';
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
  description: 'Envoi d’un courriel ou d’un SMS (usager ou agent)',
  maxAttempts: 10,
  async handle(ctx, { messageId }) {
    const db = ctx.db.kysely;
    const message = await messageRepository.findById(db, messageId);
    if (!message || message.status === 'sent' || message.status === 'recorded') return;
    if (message.channel === 'sms') return sendSms(ctx, message.id, message.recipient, `${message.subject}\n${message.body_text}`);
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
        html: message.body_html,
        messageId: id,
        references: await messageRepository.sentMessageIds(db, message.case_id, message.id),
        replyTo: replyAddress(ctx.config, message.id),
      });
    } catch (error) {
      await messageRepository.markFailed(db, message.id, String((error as Error).message ?? error));
      throw error;
    }
    await messageRepository.markSent(db, message.id, 'sent', id, new Date().toISOString());
  },
};

/**
 * Hands an SMS to the configured HTTP gateway (any provider with a JSON POST API, or a relay in
 * front of one). Without SMS_URL the SMS is only recorded on the case. A number that answered
 * STOP gets nothing: the message is marked not sent, with the reason, and not retried.
 */
async function sendSms(ctx: JobContext, messageId: number, to: string | null, text: string): Promise<void> {
  const db = ctx.db.kysely;
  if (to && (await holdSmsIfOptedOut(db, messageId, to))) return;
  if (!ctx.config.SMS_URL || !to) {
    await messageRepository.markSent(db, messageId, 'recorded', `sms-${messageId}`, new Date().toISOString());
    return;
  }
  let response: OutboundResponse;
  try {
    response = await outboundFor(ctx.config).request(ctx.config.SMS_URL, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': `guichet-sms-${messageId}`,
        ...(ctx.config.SMS_TOKEN ? { authorization: `Bearer ${ctx.config.SMS_TOKEN}` } : {}),
      },
      body: JSON.stringify({ to, text, sender: ctx.config.SMS_SENDER }),
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
    });
  } catch (error) {
    // An internal gateway not allowlisted: no later attempt can succeed until the operator acts.
    if (!(error instanceof OutboundRefused)) throw error;
    const refused = `La passerelle SMS est refusée : ${error.message}`;
    await messageRepository.markFailed(db, messageId, refused);
    throw new PermanentJobFailure(refused);
  }
  if (!response.ok) {
    const error = `La passerelle SMS a répondu ${response.status}.`;
    await messageRepository.markFailed(db, messageId, error);
    throw new Error(error);
  }
  const answer = parseJson(response.body) as { id?: unknown };
  await messageRepository.markSent(db, messageId, 'sent', typeof answer.id === 'string' ? answer.id : `sms-${messageId}`, new Date().toISOString());
}

/** The gateway's JSON answer, or an empty object when it sent none or something else. */
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) ?? {};
  } catch {
    return {};
  }
}
