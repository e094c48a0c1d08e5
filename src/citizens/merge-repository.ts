import { sql } from 'kysely';
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

  /** Moves the cases to the kept record; each case's version moves on (someone else changed it). */
  async moveCases(db: Executor, from: number, to: number, now: string): Promise<void> {
    await db
      .updateTable('cases')
      .set({ citizen_id: to, updated_at: now, version: sql<number>`version + 1` })
      .where('citizen_id', '=', from)
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

  /** Identities, the document safe, uploads, drafts and satisfaction answers follow the person. */
  async moveOwned(db: Executor, from: number, to: number): Promise<void> {
    await db.updateTable('citizen_identities').set({ citizen_id: to }).where('citizen_id', '=', from).execute();
    await db.updateTable('citizen_documents').set({ citizen_id: to }).where('citizen_id', '=', from).execute();
    await db.updateTable('attachments').set({ citizen_id: to }).where('citizen_id', '=', from).execute();
    await db.updateTable('form_drafts').set({ citizen_id: to }).where('citizen_id', '=', from).execute();
    await db.updateTable('satisfaction_answers').set({ citizen_id: to }).where('citizen_id', '=', from).execute();
  },

  /** The merged record's portal account becomes the kept record's (it had none). */
  async moveAccount(db: Executor, from: number, to: number, now: string): Promise<void> {
    await db.updateTable('citizen_accounts').set({ citizen_id: to, updated_at: now }).where('citizen_id', '=', from).execute();
    await db.updateTable('account_tokens').set({ citizen_id: to }).where('citizen_id', '=', from).execute();
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

  async insertMerge(db: Executor, m: { organisationId: number; keptId: number; mergedId: number; agentId: number; snapshot: unknown; now: string }): Promise<number> {
    const row = await db
      .insertInto('citizen_merges')
      .values({ organisation_id: m.organisationId, kept_citizen_id: m.keptId, merged_citizen_id: m.mergedId, agent_id: m.agentId, snapshot: toJson(m.snapshot), created_at: m.now })
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
};
