import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import type { CitizenAccountTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import { toJson } from '../db/transaction.js';
import { searchNameOf } from './search.js';

/** Identity columns a merge may copy from one record to the other. */
export interface IdentityColumns {
  civility: 'M' | 'Mme' | null;
  first_names: string | null;
  birth_name: string | null;
  usage_name: string | null;
  birth_date: string | null;
  identity_assurance: 'declared' | 'franceconnect' | 'counter';
  gender: string | null;
  birth_place: string | null;
  birth_country: string | null;
}

/**
 * Every write of a citizen merge (`mergeCitizens`); all run inside the caller's transaction.
 * The merged record itself is never deleted: it stays, pointing at the kept one.
 */
export const mergeRepository = {
  /** Both records, locked for the transaction on PostgreSQL (two agents merging the same pair). */
  async lockPair(db: Executor, ids: [number, number], dialect: 'sqlite' | 'postgres') {
    let q = db.selectFrom('citizens').selectAll().where('id', 'in', ids).orderBy('id');
    if (dialect === 'postgres') q = q.forUpdate();
    return q.execute();
  },

  async emails(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_emails').select(['id', 'email', 'is_primary', 'verified_at']).where('citizen_id', '=', citizenId).orderBy('id').execute();
  },
  async phones(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_phones').select(['id', 'phone', 'is_primary']).where('citizen_id', '=', citizenId).orderBy('id').execute();
  },
  async addresses(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_addresses').select(['id', 'line1', 'line2', 'postcode', 'city', 'country', 'ban_id', 'is_primary']).where('citizen_id', '=', citizenId).orderBy('id').execute();
  },
  async identities(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_identities').select(['id', 'provider', 'subject']).where('citizen_id', '=', citizenId).orderBy('id').execute();
  },
  async account(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_accounts').select(['email', 'created_at', 'password_hash', 'notify_email', 'notify_sms']).where('citizen_id', '=', citizenId).executeTakeFirst();
  },
  async cases(db: Executor, citizenId: number) {
    return db.selectFrom('cases').select(['id', 'reference']).where('citizen_id', '=', citizenId).orderBy('id').execute();
  },
  async householdRows(db: Executor, citizenId: number) {
    return db.selectFrom('household_members').select(['id', 'household_id']).where('citizen_id', '=', citizenId).execute();
  },
  async counts(db: Executor, citizenId: number) {
    const [documents, satisfaction] = await Promise.all([
      db.selectFrom('citizen_documents').select((eb) => eb.fn.countAll<string | number>().as('n')).where('citizen_id', '=', citizenId).where('deleted_at', 'is', null).executeTakeFirstOrThrow(),
      db.selectFrom('satisfaction_answers').select((eb) => eb.fn.countAll<string | number>().as('n')).where('citizen_id', '=', citizenId).executeTakeFirstOrThrow(),
    ]);
    return { documents: Number(documents.n), satisfaction: Number(satisfaction.n) };
  },

  async setIdentity(db: Executor, citizenId: number, identity: IdentityColumns, now: string): Promise<void> {
    await db
      .updateTable('citizens')
      .set({ ...identity, search_name: searchNameOf({ birthName: identity.birth_name, usageName: identity.usage_name, firstNames: identity.first_names }), updated_at: now })
      .where('id', '=', citizenId)
      .execute();
  },

  /**
   * Moves the given cases, if still on `from`, to `to`; each case's version moves on (someone else
   * changed it). Returns the cases moved.
   */
  async moveCases(db: Executor, ids: readonly number[], from: number, to: number, now: string) {
    if (ids.length === 0) return [];
    return db
      .updateTable('cases')
      .set({ citizen_id: to, updated_at: now, version: sql<number>`version + 1` })
      .where('id', 'in', ids)
      .where('citizen_id', '=', from)
      .returning(['id', 'reference'])
      .execute();
  },

  async deleteEmail(db: Executor, id: number) {
    await db.deleteFrom('citizen_emails').where('id', '=', id).execute();
  },
  async markEmailVerified(db: Executor, id: number, verifiedAt: string) {
    await db.updateTable('citizen_emails').set({ verified_at: verifiedAt }).where('id', '=', id).execute();
  },
  async moveEmail(db: Executor, id: number, to: number) {
    await db.updateTable('citizen_emails').set({ citizen_id: to, is_primary: 0 }).where('id', '=', id).execute();
  },
  async deletePhone(db: Executor, id: number) {
    await db.deleteFrom('citizen_phones').where('id', '=', id).execute();
  },
  async movePhone(db: Executor, id: number, to: number) {
    await db.updateTable('citizen_phones').set({ citizen_id: to, is_primary: 0 }).where('id', '=', id).execute();
  },
  async deleteAddress(db: Executor, id: number) {
    await db.deleteFrom('citizen_addresses').where('id', '=', id).execute();
  },
  async moveAddress(db: Executor, id: number, to: number) {
    await db.updateTable('citizen_addresses').set({ citizen_id: to, is_primary: 0 }).where('id', '=', id).execute();
  },

  /** The ids of what follows the person: verified identities, document safe, uploads, drafts, satisfaction answers (by case). */
  async ownedIds(db: Executor, citizenId: number): Promise<OwnedIds> {
    const [identities, documents, attachments, drafts, satisfaction] = await Promise.all([
      db.selectFrom('citizen_identities').select('id').where('citizen_id', '=', citizenId).execute(),
      db.selectFrom('citizen_documents').select('id').where('citizen_id', '=', citizenId).execute(),
      db.selectFrom('attachments').select('id').where('citizen_id', '=', citizenId).execute(),
      db.selectFrom('form_drafts').select('id').where('citizen_id', '=', citizenId).execute(),
      db.selectFrom('satisfaction_answers').select('case_id').where('citizen_id', '=', citizenId).execute(),
    ]);
    return {
      identities: identities.map((r) => r.id),
      documents: documents.map((r) => r.id),
      attachments: attachments.map((r) => r.id),
      drafts: drafts.map((r) => r.id),
      satisfaction: satisfaction.map((r) => r.case_id),
    };
  },

  /** Moves exactly these rows, where they still belong to `from` (a merge, or its split back). */
  async moveOwned(db: Executor, ids: OwnedIds, from: number, to: number): Promise<void> {
    if (ids.identities.length) await db.updateTable('citizen_identities').set({ citizen_id: to }).where('id', 'in', ids.identities).where('citizen_id', '=', from).execute();
    if (ids.documents.length) await db.updateTable('citizen_documents').set({ citizen_id: to }).where('id', 'in', ids.documents).where('citizen_id', '=', from).execute();
    if (ids.attachments.length) await db.updateTable('attachments').set({ citizen_id: to }).where('id', 'in', ids.attachments).where('citizen_id', '=', from).execute();
    if (ids.drafts.length) await db.updateTable('form_drafts').set({ citizen_id: to }).where('id', 'in', ids.drafts).where('citizen_id', '=', from).execute();
    if (ids.satisfaction.length) await db.updateTable('satisfaction_answers').set({ citizen_id: to }).where('case_id', 'in', ids.satisfaction).where('citizen_id', '=', from).execute();
  },

  /** A portal account's row as it is, to put it back if a split reopens it. */
  async accountRow(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_accounts').selectAll().where('citizen_id', '=', citizenId).executeTakeFirst();
  },
  async tokenHashes(db: Executor, citizenId: number): Promise<string[]> {
    return (await db.selectFrom('account_tokens').select('token_hash').where('citizen_id', '=', citizenId).execute()).map((t) => t.token_hash);
  },

  /** The portal account of `from` becomes `to`'s (a merge where the kept record had none, or its split back). */
  async moveAccount(db: Executor, from: number, to: number, now: string, tokens?: readonly string[]): Promise<void> {
    await db.updateTable('citizen_accounts').set({ citizen_id: to, updated_at: now }).where('citizen_id', '=', from).execute();
    let q = db.updateTable('account_tokens').set({ citizen_id: to }).where('citizen_id', '=', from);
    if (tokens) {
      if (tokens.length === 0) return;
      q = q.where('token_hash', 'in', tokens);
    }
    await q.execute();
  },

  /** Reopens an account a merge closed, unless its address went to another account meanwhile. */
  async reopenAccount(db: Executor, row: Insertable<CitizenAccountTable>, now: string): Promise<boolean> {
    const taken = await db.selectFrom('citizen_accounts').select('citizen_id').where('organisation_id', '=', row.organisation_id).where('email', '=', row.email).executeTakeFirst();
    const own = await db.selectFrom('citizen_accounts').select('citizen_id').where('citizen_id', '=', row.citizen_id).executeTakeFirst();
    if (taken || own) return false;
    await db.insertInto('citizen_accounts').values({ ...row, updated_at: now }).execute();
    return true;
  },

  /** Closes the merged record's portal account: the kept record's is the one to sign in with. */
  async closeAccount(db: Executor, citizenId: number, now: string): Promise<void> {
    await db.updateTable('account_tokens').set({ used_at: now }).where('citizen_id', '=', citizenId).where('used_at', 'is', null).execute();
    await db.deleteFrom('citizen_accounts').where('citizen_id', '=', citizenId).execute();
  },

  /** Ends the merged record's portal sessions: the citizen signs in again, onto the kept record. */
  async revokeSessions(db: Executor, citizenId: number, now: string): Promise<void> {
    await db.updateTable('portal_sessions').set({ revoked_at: now }).where('citizen_id', '=', citizenId).where('revoked_at', 'is', null).execute();
  },

  async moveHouseholdRow(db: Executor, id: number, to: number) {
    await db.updateTable('household_members').set({ citizen_id: to }).where('id', '=', id).execute();
  },
  async deleteHouseholdRow(db: Executor, id: number) {
    await db.deleteFrom('household_members').where('id', '=', id).execute();
  },
  async setHousehold(db: Executor, citizenId: number, householdId: number) {
    await db.updateTable('citizens').set({ household_id: householdId }).where('id', '=', citizenId).execute();
  },

  /**
   * Marks the record merged. Flags of possible duplicates that pointed at it now point at the kept
   * record (or are cleared on the kept record itself): the question was about the person.
   */
  async markMerged(db: Executor, merged: number, kept: number, now: string): Promise<void> {
    await db.updateTable('citizens').set({ merged_into_id: kept, possible_duplicate_of: null, household_id: null, updated_at: now }).where('id', '=', merged).execute();
    await db.updateTable('citizens').set({ possible_duplicate_of: null }).where('id', '=', kept).where('possible_duplicate_of', '=', merged).execute();
    await db.updateTable('citizens').set({ possible_duplicate_of: kept }).where('possible_duplicate_of', '=', merged).where('id', '!=', kept).execute();
  },

  /** Records flagged as possible duplicates of `citizenId` (other than `except`). */
  async flaggedAs(db: Executor, citizenId: number, except: number): Promise<number[]> {
    return (await db.selectFrom('citizens').select('id').where('possible_duplicate_of', '=', citizenId).where('id', '!=', except).execute()).map((r) => r.id);
  },

  async insertMerge(
    db: Executor,
    m: { organisationId: number; keptId: number; mergedId: number; agentId: number; snapshot: unknown; moved: unknown; identityCheck: string | null; now: string },
  ): Promise<number> {
    const row = await db
      .insertInto('citizen_merges')
      .values({
        organisation_id: m.organisationId,
        kept_citizen_id: m.keptId,
        merged_citizen_id: m.mergedId,
        agent_id: m.agentId,
        snapshot: toJson(m.snapshot),
        moved: toJson(m.moved),
        identity_check: m.identityCheck,
        created_at: m.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /** Unmerged records the intake flagged, with the unmerged record they may duplicate, oldest first. */
  async flaggedPairs(db: Executor, organisationId: number, limit: number) {
    return db
      .selectFrom('citizens as c')
      .innerJoin('citizens as o', 'o.id', 'c.possible_duplicate_of')
      .select(['c.id as citizenId', 'o.id as otherId', 'c.created_at'])
      .where('c.organisation_id', '=', organisationId)
      .where('o.organisation_id', '=', organisationId)
      .where('c.merged_into_id', 'is', null)
      .where('o.merged_into_id', 'is', null)
      .orderBy('c.created_at')
      .orderBy('c.id')
      .limit(limit)
      .execute();
  },

  /** Records that an agent said are a different person than the one flagged. */
  async insertDismissal(db: Executor, d: { organisationId: number; citizenId: number; otherId: number; agentId: number; now: string }): Promise<void> {
    await db
      .insertInto('citizen_duplicate_dismissals')
      .values({ organisation_id: d.organisationId, citizen_id: d.citizenId, other_citizen_id: d.otherId, agent_id: d.agentId, created_at: d.now })
      .execute();
    await db.updateTable('citizens').set({ possible_duplicate_of: null, updated_at: d.now }).where('id', '=', d.citizenId).execute();
  },

  /** The decisions « not the same person » about a record, newest first. */
  async dismissals(db: Executor, citizenId: number) {
    return db
      .selectFrom('citizen_duplicate_dismissals as d')
      .innerJoin('agents as a', 'a.id', 'd.agent_id')
      .select(['d.citizen_id', 'd.other_citizen_id', 'd.created_at', 'a.display_name as agent_name'])
      .where((eb) => eb.or([eb('d.citizen_id', '=', citizenId), eb('d.other_citizen_id', '=', citizenId)]))
      .orderBy('d.id', 'desc')
      .execute();
  },

  /**
   * Of these records, those holding at least one case the agent may not see (another
   * organisation's, or outside their departments and not assigned to them) — the same rule as
   * `canSeeCase`, checked as a set in one query. A merge or a split of such a record would hand
   * those cases to another person's record.
   */
  async withCasesOutside(db: Executor, citizenIds: readonly number[], seen: { organisationId: number; departmentIds: readonly number[]; agentId: number }): Promise<number[]> {
    if (citizenIds.length === 0) return [];
    const rows = await db
      .selectFrom('cases')
      .select('citizen_id')
      .distinct()
      .where('citizen_id', 'in', citizenIds)
      .where((eb) =>
        eb.not(
          eb.and([
            eb('organisation_id', '=', seen.organisationId),
            // `assigned_agent_id = x` is unknown when null: spelt out so that NOT(...) stays true.
            eb.or([...(seen.departmentIds.length ? [eb('department_id', 'in', seen.departmentIds)] : []), eb.and([eb('assigned_agent_id', 'is not', null), eb('assigned_agent_id', '=', seen.agentId)])]),
          ]),
        ),
      )
      .execute();
    return rows.map((r) => r.citizen_id!);
  },

  /** A merge of the organisation; `lock` on PostgreSQL inside a split (two agents splitting it). */
  async mergeRow(db: Executor, organisationId: number, mergeId: number, lock = false) {
    let q = db.selectFrom('citizen_merges').selectAll().where('id', '=', mergeId).where('organisation_id', '=', organisationId);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  async markSplit(db: Executor, mergeId: number, agentId: number, now: string): Promise<void> {
    await db.updateTable('citizen_merges').set({ split_at: now, split_by: agentId }).where('id', '=', mergeId).execute();
  },

  /** The absorbed record is a record again, in the household it had. */
  async unmarkMerged(db: Executor, mergedId: number, householdId: number | null, now: string): Promise<void> {
    await db.updateTable('citizens').set({ merged_into_id: null, household_id: householdId, updated_at: now }).where('id', '=', mergedId).execute();
  },

  /** Flags a merge pointed at the kept record point at the restored one again (if still so). */
  async restoreFlags(db: Executor, ids: readonly number[], kept: number, merged: number): Promise<void> {
    if (ids.length === 0) return;
    await db.updateTable('citizens').set({ possible_duplicate_of: merged }).where('id', 'in', ids).where('possible_duplicate_of', '=', kept).execute();
  },

  /** Moves a contact row back, with the primary flag it had, if it is still on `from`. */
  async moveContactBack(db: Executor, table: 'citizen_emails' | 'citizen_phones' | 'citizen_addresses', id: number, from: number, to: number, primary: boolean): Promise<void> {
    await db.updateTable(table).set({ citizen_id: to, is_primary: primary ? 1 : 0 }).where('id', '=', id).where('citizen_id', '=', from).execute();
  },
  async insertEmail(db: Executor, citizenId: number, e: { email: string; primary: boolean; verifiedAt: string | null }): Promise<void> {
    await db.insertInto('citizen_emails').values({ citizen_id: citizenId, email: e.email, is_primary: e.primary ? 1 : 0, verified_at: e.verifiedAt }).execute();
  },
  async insertPhone(db: Executor, citizenId: number, p: { phone: string; primary: boolean }): Promise<void> {
    await db.insertInto('citizen_phones').values({ citizen_id: citizenId, phone: p.phone, is_primary: p.primary ? 1 : 0 }).execute();
  },
  async insertAddress(db: Executor, citizenId: number, a: DroppedAddress): Promise<void> {
    await db
      .insertInto('citizen_addresses')
      .values({ citizen_id: citizenId, line1: a.line1, line2: a.line2, postcode: a.postcode, city: a.city, country: a.country, ban_id: a.banId, is_primary: a.primary ? 1 : 0 })
      .execute();
  },
  /** Undoes a verification a merge copied onto the kept record's address, unless it changed since. */
  async unverifyEmail(db: Executor, id: number, verifiedAt: string): Promise<void> {
    await db.updateTable('citizen_emails').set({ verified_at: null }).where('id', '=', id).where('verified_at', '=', verifiedAt).execute();
  },

  async householdRow(db: Executor, id: number): Promise<DroppedHouseholdRow> {
    return db.selectFrom('household_members').select(['household_id', 'role', 'relationship', 'first_names', 'last_name', 'birth_date', 'created_at']).where('id', '=', id).executeTakeFirstOrThrow();
  },
  async insertHouseholdRow(db: Executor, citizenId: number, r: DroppedHouseholdRow): Promise<void> {
    await db.insertInto('household_members').values({ ...r, citizen_id: citizenId }).execute();
  },
  async moveHouseholdRowBack(db: Executor, id: number, from: number, to: number): Promise<void> {
    await db.updateTable('household_members').set({ citizen_id: to }).where('id', '=', id).where('citizen_id', '=', from).execute();
  },
  /** Leaves the household a merge made the kept record join, if it is still in it and no longer a member. */
  async leaveHousehold(db: Executor, citizenId: number, householdId: number): Promise<void> {
    const member = await db.selectFrom('household_members').select('id').where('citizen_id', '=', citizenId).where('household_id', '=', householdId).executeTakeFirst();
    if (member) return;
    await db.updateTable('citizens').set({ household_id: null }).where('id', '=', citizenId).where('household_id', '=', householdId).execute();
  },
};

/** Rows that follow the person, by id (satisfaction answers by case: one per case). */
export interface OwnedIds {
  identities: number[];
  documents: number[];
  attachments: string[];
  drafts: string[];
  satisfaction: number[];
}

export interface DroppedAddress {
  line1: string;
  line2: string | null;
  postcode: string;
  city: string;
  country: string;
  banId: string | null;
  primary: boolean;
}

/** A household membership a merge removed (the kept record was already a member). */
export interface DroppedHouseholdRow {
  household_id: number;
  role: 'adult' | 'child';
  relationship: string | null;
  first_names: string;
  last_name: string;
  birth_date: string | null;
  created_at: string;
}
