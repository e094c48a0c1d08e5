import type { Executor } from '../../db/transaction.js';
import { fromJson } from '../../db/transaction.js';

/** A mention of an agent in a colleague's internal note. */
export interface MentionRow {
  id: number;
  caseId: number;
  caseReference: string;
  caseSubject: string;
  /** Who may see the case (the mentioned agent may have lost access since). */
  access: { organisationId: number; department: { id: number }; assignedAgentId: number | null };
  authorName: string;
  /** The note's text, read from the journal event the mention points at. */
  text: string;
  createdAt: string;
  readAt: string | null;
}

/** Every query on `agent_mentions`. */
export const mentionRepository = {
  async insert(db: Executor, rows: { agentId: number; caseId: number; journalSeq: number; authorAgentId: number }[], now: string): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('agent_mentions')
      .values(rows.map((r) => ({ agent_id: r.agentId, case_id: r.caseId, journal_seq: r.journalSeq, author_agent_id: r.authorAgentId, created_at: now, read_at: null })))
      .execute();
  },

  /** An agent's mentions, unread first then newest first; read ones only when asked. */
  async list(db: Executor, agentId: number, f: { unreadOnly: boolean; limit: number }): Promise<MentionRow[]> {
    let q = db
      .selectFrom('agent_mentions as m')
      .innerJoin('cases as c', 'c.id', 'm.case_id')
      .innerJoin('agents as a', 'a.id', 'm.author_agent_id')
      .leftJoin('case_journal as j', (join) => join.onRef('j.case_id', '=', 'm.case_id').onRef('j.seq', '=', 'm.journal_seq'))
      .select(['m.id', 'm.case_id', 'c.reference', 'c.subject', 'c.organisation_id', 'c.department_id', 'c.assigned_agent_id', 'a.display_name', 'j.payload', 'm.created_at', 'm.read_at'])
      .where('m.agent_id', '=', agentId);
    if (f.unreadOnly) q = q.where('m.read_at', 'is', null);
    const rows = await q.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      caseId: r.case_id,
      caseReference: r.reference,
      caseSubject: r.subject,
      access: { organisationId: r.organisation_id, department: { id: r.department_id }, assignedAgentId: r.assigned_agent_id },
      authorName: r.display_name,
      text: r.payload ? String(fromJson<Record<string, unknown>>(r.payload)['text'] ?? '') : '',
      createdAt: r.created_at,
      readAt: r.read_at,
    }));
  },

  async countUnread(db: Executor, agentId: number): Promise<number> {
    const row = await db
      .selectFrom('agent_mentions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('agent_id', '=', agentId)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** One of the agent's own mentions (another agent's is "not found"). */
  async findOwn(db: Executor, agentId: number, id: number): Promise<{ id: number; caseReference: string; readAt: string | null } | undefined> {
    const row = await db
      .selectFrom('agent_mentions as m')
      .innerJoin('cases as c', 'c.id', 'm.case_id')
      .select(['m.id', 'c.reference', 'm.read_at'])
      .where('m.id', '=', id)
      .where('m.agent_id', '=', agentId)
      .executeTakeFirst();
    return row ? { id: row.id, caseReference: row.reference, readAt: row.read_at } : undefined;
  },

  async markRead(db: Executor, agentId: number, id: number, now: string): Promise<void> {
    await db.updateTable('agent_mentions').set({ read_at: now }).where('id', '=', id).where('agent_id', '=', agentId).where('read_at', 'is', null).execute();
  },

  /** Every unread mention of the agent on one case: opening the case reads them all. */
  async markReadOnCase(db: Executor, agentId: number, caseId: number, now: string): Promise<void> {
    await db.updateTable('agent_mentions').set({ read_at: now }).where('agent_id', '=', agentId).where('case_id', '=', caseId).where('read_at', 'is', null).execute();
  },
};
