/**
 * The e-mail channel's queries: finding the message we sent that a reply or a bounce names, and
 * keeping what processing learnt (authenticity, the text) on the receipt.
 */
import type { Executor } from '../../db/transaction.js';
import { toJson } from '../../db/transaction.js';

export interface SentMessage {
  id: number;
  caseId: number;
  recipient: string | null;
}

export const emailRepository = {
  /** The latest message we sent (of this organisation) whose Message-ID is one of `messageIds`. */
  async findSentByMessageIds(db: Executor, organisationId: number, messageIds: string[]): Promise<SentMessage | undefined> {
    if (messageIds.length === 0) return undefined;
    const row = await db
      .selectFrom('messages as m')
      .innerJoin('cases as c', 'c.id', 'm.case_id')
      .select(['m.id', 'm.case_id', 'm.recipient'])
      .where('c.organisation_id', '=', organisationId)
      .where('m.direction', '=', 'out')
      .where('m.message_id', 'in', messageIds.slice(0, 100))
      .orderBy('m.id', 'desc')
      .executeTakeFirst();
    return row && { id: row.id, caseId: row.case_id, recipient: row.recipient };
  },

  /** A message we sent, by its id (a reply token names it). */
  async findSentById(db: Executor, organisationId: number, id: number): Promise<SentMessage | undefined> {
    const row = await db
      .selectFrom('messages as m')
      .innerJoin('cases as c', 'c.id', 'm.case_id')
      .select(['m.id', 'm.case_id', 'm.recipient'])
      .where('c.organisation_id', '=', organisationId)
      .where('m.direction', '=', 'out')
      .where('m.id', '=', id)
      .executeTakeFirst();
    return row && { id: row.id, caseId: row.case_id, recipient: row.recipient };
  },

  /** Replaces the receipt's payload with what processing found (kept for admins and reprocessing). */
  async recordAnalysis(db: Executor, inboundId: number, payload: unknown): Promise<void> {
    await db.updateTable('channel_inbound').set({ payload: toJson(payload) }).where('id', '=', inboundId).execute();
  },
};
