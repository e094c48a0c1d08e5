import type { Executor } from '../db/transaction.js';

export interface NewMessage {
  caseId: number;
  direction: 'in' | 'out';
  channel: 'email' | 'sms' | 'portal' | 'letter' | 'agent_email';
  recipient: string | null;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  status: 'queued' | 'sent' | 'recorded' | 'failed' | 'received';
}

/** Every query on case messages (what was written to and received from the citizen). */
/** A message we sent, as a reply or a bounce naming it finds it. */
export interface SentMessage {
  id: number;
  caseId: number;
  recipient: string | null;
}

export const messageRepository = {
  async insert(db: Executor, m: NewMessage, now: string): Promise<number> {
    const row = await db
      .insertInto('messages')
      .values({
        case_id: m.caseId,
        direction: m.direction,
        channel: m.channel,
        recipient: m.recipient,
        subject: m.subject,
        body_text: m.bodyText,
        body_html: m.bodyHtml,
        status: m.status,
        message_id: null,
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async listForCase(db: Executor, caseId: number) {
    return db.selectFrom('messages').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
  },

  async findById(db: Executor, id: number) {
    return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Message-IDs already sent on a case, oldest first: the References of the next one. */
  async sentMessageIds(db: Executor, caseId: number, beforeId: number): Promise<string[]> {
    const rows = await db
      .selectFrom('messages')
      .select('message_id')
      .where('case_id', '=', caseId)
      .where('id', '<', beforeId)
      .where('message_id', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.message_id!);
  },

  /** The latest message we sent (of this organisation) whose Message-ID (e-mail threading, bounces) is one of `messageIds`. */
  async findSentByMessageIds(db: Executor, organisationId: number, messageIds: string[]): Promise<SentMessage | undefined> {
    if (messageIds.length === 0) return undefined;
    const row = await sentOf(db, organisationId).where('m.message_id', 'in', messageIds.slice(0, 100)).orderBy('m.id', 'desc').executeTakeFirst();
    return row && { id: row.id, caseId: row.case_id, recipient: row.recipient };
  },

  /** A message we sent, by its id (a reply token names it). */
  async findSentById(db: Executor, organisationId: number, id: number): Promise<SentMessage | undefined> {
    const row = await sentOf(db, organisationId).where('m.id', '=', id).executeTakeFirst();
    return row && { id: row.id, caseId: row.case_id, recipient: row.recipient };
  },

  async markSent(db: Executor, id: number, status: 'sent' | 'recorded', messageId: string, now: string): Promise<void> {
    await db.updateTable('messages').set({ status, message_id: messageId, sent_at: now, last_error: null }).where('id', '=', id).execute();
  },

  /**
   * Marks a queued message as not sent, for good (an SMS to a number that opted out): `failed`
   * with the reason the case shows, so no retry and no silent « queued » forever.
   */
  async markNotSent(db: Executor, id: number, reason: string): Promise<void> {
    await db.updateTable('messages').set({ status: 'failed', last_error: reason }).where('id', '=', id).execute();
  },

  async markFailed(db: Executor, id: number, error: string): Promise<void> {
    await db.updateTable('messages').set({ last_error: error }).where('id', '=', id).execute();
  },

  /** The latest outgoing messages with their case reference, for the development mailbox. */
  async latestOutgoing(db: Executor, organisationId: number, limit: number) {
    return db
      .selectFrom('messages as m')
      .innerJoin('cases as c', 'c.id', 'm.case_id')
      .select(['m.id', 'm.channel', 'm.recipient', 'm.subject', 'm.body_text', 'm.status', 'm.message_id', 'm.created_at', 'm.sent_at', 'm.last_error', 'c.reference'])
      .where('c.organisation_id', '=', organisationId)
      .where('m.direction', '=', 'out')
      .orderBy('m.id', 'desc')
      .limit(limit)
      .execute();
  },
};

/** The messages an organisation sent, as the finders above return them. */
function sentOf(db: Executor, organisationId: number) {
  return db
    .selectFrom('messages as m')
    .innerJoin('cases as c', 'c.id', 'm.case_id')
    .select(['m.id', 'm.case_id', 'm.recipient'])
    .where('c.organisation_id', '=', organisationId)
    .where('m.direction', '=', 'out');
}
