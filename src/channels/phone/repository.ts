import type { Selectable } from 'kysely';
import type { Executor } from '../../db/transaction.js';
import type { PhoneCallTable } from './tables.js';

export type PhoneCallRow = Selectable<PhoneCallTable>;

export interface NewCall {
  organisationId: number;
  callId: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  callerE164: string | null;
  now: string;
}

/** A call as the back-office shows it: the row, the agent's name and the citizen's name parts. */
export type PhoneCallView = PhoneCallRow & {
  agent_name: string | null;
  citizen_first_names: string | null;
  citizen_birth_name: string | null;
  citizen_usage_name: string | null;
  case_reference: string | null;
};

/** Every query of the phone channel. */
export const phoneRepository = {
  /** The call of this id, inserted (state `ringing`) when the PBX's first event of it arrives. */
  async findOrInsert(db: Executor, call: NewCall): Promise<{ row: PhoneCallRow; inserted: boolean }> {
    const inserted = await db
      .insertInto('phone_calls')
      .values({
        organisation_id: call.organisationId,
        call_id: call.callId,
        direction: call.direction,
        from_number: call.from,
        to_number: call.to,
        caller_e164: call.callerE164,
        state: 'ringing',
        extension: null,
        agent_id: null,
        citizen_id: null,
        cause: null,
        started_at: call.now,
        answered_at: null,
        ended_at: null,
        updated_at: call.now,
      })
      .onConflict((oc) => oc.columns(['organisation_id', 'call_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    const row = await db.selectFrom('phone_calls').selectAll().where('organisation_id', '=', call.organisationId).where('call_id', '=', call.callId).executeTakeFirstOrThrow();
    return { row, inserted: inserted !== undefined };
  },

  async update(db: Executor, id: number, changes: Partial<Omit<PhoneCallRow, 'id' | 'organisation_id' | 'call_id'>>): Promise<void> {
    await db.updateTable('phone_calls').set(changes).where('id', '=', id).execute();
  },

  /**
   * Links a call to the case registered from it; a call from an unknown number joins the record
   * the registration created (it then appears in that citizen's history).
   */
  async linkToCase(db: Executor, organisationId: number, id: number, caseId: number, citizenId: number | null): Promise<void> {
    await db
      .updateTable('phone_calls')
      .set((eb) => ({ case_id: caseId, citizen_id: citizenId === null ? eb.ref('citizen_id') : eb.fn.coalesce('citizen_id', eb.val(citizenId)) }))
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .execute();
  },

  /** The active agent of the organisation whose extension this is (the first one when two share it). */
  async agentByExtension(db: Executor, organisationId: number, extension: string): Promise<number | undefined> {
    const row = await db
      .selectFrom('agents')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where('phone_extension', '=', extension)
      .where('is_active', '=', 1)
      .orderBy('id')
      .executeTakeFirst();
    return row?.id;
  },

  /** The agent's extension, if they have one. */
  async extensionOf(db: Executor, agentId: number): Promise<string | null> {
    const row = await db.selectFrom('agents').select('phone_extension').where('id', '=', agentId).executeTakeFirst();
    return row?.phone_extension || null;
  },

  /** The organisation's active agents and their extensions, by name (the admins' page of extensions). */
  async agentExtensions(db: Executor, organisationId: number) {
    return db
      .selectFrom('agents')
      .select(['id', 'display_name as name', 'email', 'phone_extension as extension'])
      .where('organisation_id', '=', organisationId)
      .where('is_active', '=', 1)
      .orderBy('display_name')
      .orderBy('id')
      .execute();
  },

  /** Sets (or clears, with null) an agent's extension: the number their phone answers on. */
  async setExtension(db: Executor, agentId: number, extension: string | null): Promise<void> {
    await db.updateTable('agents').set({ phone_extension: extension }).where('id', '=', agentId).execute();
  },

  /** The one active agent of the organisation with this display name (none when two share it). */
  async agentByName(db: Executor, organisationId: number, name: string): Promise<number | undefined> {
    const rows = await db
      .selectFrom('agents')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where('display_name', '=', name)
      .where('is_active', '=', 1)
      .limit(2)
      .execute();
    return rows.length === 1 ? rows[0]!.id : undefined;
  },

  /** How many active agents have an extension (the channel's status). */
  async countAgentsWithExtension(db: Executor, organisationId: number): Promise<number> {
    const row = await db
      .selectFrom('agents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .where('is_active', '=', 1)
      .where('phone_extension', 'is not', null)
      .where('phone_extension', '!=', '')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async lastEventAt(db: Executor, organisationId: number): Promise<string | null> {
    const row = await db
      .selectFrom('phone_calls')
      .select((eb) => eb.fn.max('updated_at').as('last'))
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    return row?.last ? String(row.last) : null;
  },

  /** One call with the names to show. */
  async view(db: Executor, organisationId: number, id: number): Promise<PhoneCallView | undefined> {
    return viewQuery(db).where('k.organisation_id', '=', organisationId).where('k.id', '=', id).executeTakeFirst();
  },

  /** The agent's calls not ended and started since `since` (what their screen pops show). */
  async activeForAgent(db: Executor, agentId: number, since: string): Promise<PhoneCallView[]> {
    return viewQuery(db).where('k.agent_id', '=', agentId).where('k.state', '!=', 'ended').where('k.started_at', '>=', since).orderBy('k.started_at', 'desc').limit(5).execute();
  },

  /** Calls newest first: one agent's (`agentId`), or the organisation's (`agentId` null: admins). */
  async list(db: Executor, organisationId: number, agentId: number | null, limit: number): Promise<PhoneCallView[]> {
    let query = viewQuery(db).where('k.organisation_id', '=', organisationId);
    if (agentId !== null) query = query.where('k.agent_id', '=', agentId);
    return query.orderBy('k.started_at', 'desc').orderBy('k.id', 'desc').limit(limit).execute();
  },

  /** The calls of these citizen records (a record and those merged into it), newest first. */
  async ofCitizens(db: Executor, citizenIds: number[], limit: number): Promise<PhoneCallView[]> {
    if (citizenIds.length === 0) return [];
    return viewQuery(db).where('k.citizen_id', 'in', citizenIds).orderBy('k.started_at', 'desc').orderBy('k.id', 'desc').limit(limit).execute();
  },
};

function viewQuery(db: Executor) {
  return db
    .selectFrom('phone_calls as k')
    .leftJoin('agents as a', 'a.id', 'k.agent_id')
    .leftJoin('citizens as c', 'c.id', 'k.citizen_id')
    .selectAll('k')
    .leftJoin('cases as r', 'r.id', 'k.case_id')
    .select(['a.display_name as agent_name', 'c.first_names as citizen_first_names', 'c.birth_name as citizen_birth_name', 'c.usage_name as citizen_usage_name', 'r.reference as case_reference']);
}
