import type { Executor } from '../../../db/transaction.js';
import { fromJson } from '../../../db/transaction.js';

/** An agent as the action forms list them. */
export interface AgentChoice {
  id: number;
  name: string;
  email: string;
}

/** A journal event with its author's name, to tell an agent what changed under them. */
export interface RecentChange {
  type: string;
  actorType: string;
  actorName: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** The queries of the case actions: who a case can go to, what changed it last, merges. */
export const caseActionsRepository = {
  /** Active agents holding a role in the department: who a case of it can be assigned to. */
  async departmentAgents(db: Executor, departmentId: number): Promise<AgentChoice[]> {
    const rows = await db
      .selectFrom('agent_roles as r')
      .innerJoin('agents as a', 'a.id', 'r.agent_id')
      .select(['a.id', 'a.display_name', 'a.email'])
      .where('r.department_id', '=', departmentId)
      .where('a.is_active', '=', 1)
      .distinct()
      .orderBy('a.display_name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.display_name, email: r.email }));
  },

  /** Active agents of the organisation: who a note may mention. */
  async organisationAgents(db: Executor, organisationId: number): Promise<AgentChoice[]> {
    const rows = await db
      .selectFrom('agents')
      .select(['id', 'display_name', 'email'])
      .where('organisation_id', '=', organisationId)
      .where('is_active', '=', 1)
      .orderBy('display_name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.display_name, email: r.email }));
  },

  async agentName(db: Executor, agentId: number): Promise<string | undefined> {
    const row = await db.selectFrom('agents').select('display_name').where('id', '=', agentId).executeTakeFirst();
    return row?.display_name;
  },

  /** The sequence number of the latest journal event of a case (inside the transaction that wrote it). */
  async lastJournalSeq(db: Executor, caseId: number): Promise<number> {
    const row = await db.selectFrom('case_journal').select('seq').where('case_id', '=', caseId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row?.seq ?? 0;
  },

  /**
   * The events written by the latest change of a case: every write stamps the case's
   * `updated_at` and its journal events with the same instant.
   */
  async latestChange(db: Executor, caseId: number, updatedAt: string): Promise<RecentChange[]> {
    const rows = await db
      .selectFrom('case_journal as j')
      .leftJoin('agents as a', (join) => join.on((eb) => eb.and([eb('j.actor_type', '=', 'agent'), eb(eb.cast('a.id', 'text'), '=', eb.ref('j.actor_id'))])))
      .select(['j.type', 'j.actor_type', 'a.display_name', 'j.payload', 'j.created_at'])
      .where('j.case_id', '=', caseId)
      .where('j.created_at', '=', updatedAt)
      .orderBy('j.seq')
      .execute();
    return rows.map((r) => ({ type: r.type, actorType: r.actor_type, actorName: r.display_name, payload: fromJson<Record<string, unknown>>(r.payload), createdAt: r.created_at }));
  },

  /** Links a case to a document an agent uploaded for it, if still free; false otherwise. */
  async linkAttachment(db: Executor, attachmentId: string, caseId: number): Promise<boolean> {
    const result = await db.updateTable('attachments').set({ case_id: caseId }).where('id', '=', attachmentId).where('case_id', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** Forgets an upload whose action failed (a version conflict): no orphan row stays behind. */
  async deleteUnlinkedAttachment(db: Executor, attachmentId: string): Promise<void> {
    await db.deleteFrom('attachments').where('id', '=', attachmentId).where('case_id', 'is', null).execute();
  },

  /** The ids of a case's attachments and messages: what a merge references from the kept case. */
  async contentsOf(db: Executor, caseId: number): Promise<{ attachments: string[]; messages: number[] }> {
    const [attachments, messages] = await Promise.all([
      db.selectFrom('attachments').select('id').where('case_id', '=', caseId).orderBy('created_at').execute(),
      db.selectFrom('messages').select('id').where('case_id', '=', caseId).orderBy('id').execute(),
    ]);
    return { attachments: attachments.map((a) => a.id), messages: messages.map((m) => m.id) };
  },

  /** References of the cases merged into this one (journal `case.merged_from`). */
  async mergedInto(db: Executor, caseId: number): Promise<string[]> {
    const rows = await db.selectFrom('case_journal').select('payload').where('case_id', '=', caseId).where('type', '=', 'case.merged_from').orderBy('seq').execute();
    return rows.map((r) => String(fromJson<Record<string, unknown>>(r.payload)['from'] ?? '')).filter((ref) => ref !== '');
  },
};
