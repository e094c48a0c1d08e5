import type { Executor } from '../db/transaction.js';
import type { MatchCandidate } from '../citizens/repository.js';
import { citizenSearchRepository } from '../citizens/search-repository.js';

/** The attributes FranceConnect certifies, in Guichet's columns. */
export interface CertifiedAttributes {
  firstNames: string;
  birthName: string;
  /** null when FranceConnect only knows the year or month (YYYY-00-00). */
  birthDate: string | null;
  gender: string | null;
  birthPlace: string | null;
  birthCountry: string | null;
}

/**
 * The writes and reads a FranceConnect sign-in needs on citizens and their accounts. Lookups by
 * identity, and the identity's attachment, are citizenRepository's (`findByIdentity`,
 * `attachVerifiedIdentity`). Addresses are compared lower-cased, as accounts store them.
 */
export const franceConnectRepository = {
  /** The account signing in with this address in the organisation, if any. */
  async findAccountByEmail(db: Executor, organisationId: number, email: string) {
    return db
      .selectFrom('citizen_accounts')
      .select(['citizen_id', 'email', 'email_verified_at'])
      .where('organisation_id', '=', organisationId)
      .where('email', '=', email)
      .executeTakeFirst();
  },

  async findAccountOfCitizen(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_accounts').select(['citizen_id', 'email', 'email_verified_at']).where('citizen_id', '=', citizenId).executeTakeFirst();
  },

  /** The names on a citizen's record, to compare them with the certified ones. */
  async findNames(db: Executor, citizenId: number): Promise<MatchCandidate | undefined> {
    return db
      .selectFrom('citizens')
      .select(['id', 'birth_name as birthName', 'usage_name as usageName', 'first_names as firstNames'])
      .where('id', '=', citizenId)
      .executeTakeFirst();
  },

  /** True when a FranceConnect identity is already attached to the citizen. */
  async hasFranceConnectIdentity(db: Executor, citizenId: number): Promise<boolean> {
    const row = await db
      .selectFrom('citizen_identities')
      .select('id')
      .where('citizen_id', '=', citizenId)
      .where('provider', '=', 'franceconnect')
      .executeTakeFirst();
    return row !== undefined;
  },

  /**
   * Citizens of the organisation holding this address as verified who have neither an account nor
   * a FranceConnect identity yet, most recent first.
   */
  async findWithoutAccountByEmail(db: Executor, organisationId: number, email: string): Promise<MatchCandidate[]> {
    return db
      .selectFrom('citizen_emails as e')
      .innerJoin('citizens as c', 'c.id', 'e.citizen_id')
      .leftJoin('citizen_accounts as a', 'a.citizen_id', 'c.id')
      .select(['c.id', 'c.birth_name as birthName', 'c.usage_name as usageName', 'c.first_names as firstNames'])
      .where('e.email', '=', email)
      .where('e.verified_at', 'is not', null)
      .where('c.organisation_id', '=', organisationId)
      .where('a.citizen_id', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('citizen_identities as i').select('i.id').whereRef('i.citizen_id', '=', 'c.id').where('i.provider', '=', 'franceconnect'))),
      )
      .orderBy('c.id', 'desc')
      .limit(5)
      .execute();
  },

  /** Writes the certified attributes over the record's (they are locked for editing from now on). */
  async updateCertifiedAttributes(db: Executor, citizenId: number, attributes: CertifiedAttributes, now: string): Promise<void> {
    await db
      .updateTable('citizens')
      .set({
        first_names: attributes.firstNames,
        birth_name: attributes.birthName,
        birth_date: attributes.birthDate,
        gender: attributes.gender,
        birth_place: attributes.birthPlace,
        birth_country: attributes.birthCountry,
        identity_assurance: 'franceconnect',
        updated_at: now,
      })
      .where('id', '=', citizenId)
      .execute();
  await citizenSearchRepository.refreshSearchName(db, citizenId);
  },

  /** An account without password, its address verified: the citizen signs in through FranceConnect. */
  async insertAccount(db: Executor, account: { citizenId: number; organisationId: number; email: string }, now: string): Promise<void> {
    await db
      .insertInto('citizen_accounts')
      .values({
        citizen_id: account.citizenId,
        organisation_id: account.organisationId,
        email: account.email,
        password_hash: null,
        email_verified_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
  },

  /**
   * An account whose address was never verified is taken over by the FranceConnect identity with
   * the same address: the address counts as verified, and the password its opener chose without
   * proving the address is dropped (they can set one again through a reset link).
   */
  async takeOverUnverifiedAccount(db: Executor, citizenId: number, now: string): Promise<void> {
    await db
      .updateTable('citizen_accounts')
      .set({ password_hash: null, email_verified_at: now, updated_at: now })
      .where('citizen_id', '=', citizenId)
      .where('email_verified_at', 'is', null)
      .execute();
  },
};
