import type { Executor } from '../db/transaction.js';
import { searchNameOf } from './search.js';

/** The identity and contact details Guichet keeps for a citizen. */
export interface CitizenIdentity {
  civility?: 'M' | 'Mme';
  firstNames?: string;
  lastName?: string;
  usageName?: string;
  birthDate?: string;
}

export interface CitizenContacts {
  email?: string;
  phone?: string;
  address?: { line1: string; line2?: string; postcode: string; city: string; country?: string; banId?: string };
}

export interface MatchCandidate {
  id: number;
  birthName: string | null;
  usageName: string | null;
  firstNames: string | null;
}

/** Every query on citizens and their contact tables. */
export const citizenRepository = {
  /** Name and primary contacts, for messages and templates. */
  async findSummary(db: Executor, id: number) {
    const row = await db
      .selectFrom('citizens as c')
      .select((eb) => [
        'c.id',
        'c.civility',
        'c.first_names',
        'c.birth_name',
        'c.usage_name',
        eb.selectFrom('citizen_emails').select('email').whereRef('citizen_id', '=', 'c.id').orderBy('is_primary', 'desc').orderBy('id').limit(1).as('email'),
        eb.selectFrom('citizen_phones').select('phone').whereRef('citizen_id', '=', 'c.id').orderBy('is_primary', 'desc').orderBy('id').limit(1).as('phone'),
      ])
      .where('c.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const lastName = row.usage_name ?? row.birth_name ?? '';
    return {
      id: row.id,
      civility: row.civility,
      firstNames: row.first_names ?? '',
      lastName,
      fullName: [row.first_names, lastName].filter(Boolean).join(' '),
      email: row.email,
      phone: row.phone,
    };
  },

  /** True when the citizen exists in the organisation. */
  async exists(db: Executor, organisationId: number, id: number): Promise<boolean> {
    const row = await db.selectFrom('citizens').select('id').where('id', '=', id).where('organisation_id', '=', organisationId).executeTakeFirst();
    return row !== undefined;
  },

  async findByIdentity(db: Executor, provider: string, subject: string): Promise<number | undefined> {
    const row = await db
      .selectFrom('citizen_identities')
      .select('citizen_id')
      .where('provider', '=', provider)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row?.citizen_id;
  },

  /** Citizens of the organisation owning this email (lower-cased), most recent first. */
  async findByEmail(db: Executor, organisationId: number, email: string): Promise<MatchCandidate[]> {
    return db
      .selectFrom('citizen_emails as e')
      .innerJoin('citizens as c', 'c.id', 'e.citizen_id')
      .select(['c.id', 'c.birth_name as birthName', 'c.usage_name as usageName', 'c.first_names as firstNames'])
      .where('e.email', '=', email)
      .where('c.organisation_id', '=', organisationId)
      .orderBy('c.id', 'desc')
      .limit(5)
      .execute();
  },

  async findByPhone(db: Executor, organisationId: number, phone: string): Promise<MatchCandidate[]> {
    return db
      .selectFrom('citizen_phones as p')
      .innerJoin('citizens as c', 'c.id', 'p.citizen_id')
      .select(['c.id', 'c.birth_name as birthName', 'c.usage_name as usageName', 'c.first_names as firstNames'])
      .where('p.phone', '=', phone)
      .where('c.organisation_id', '=', organisationId)
      .orderBy('c.id', 'desc')
      .limit(5)
      .execute();
  },

  async insert(
    db: Executor,
    organisationId: number,
    identity: CitizenIdentity,
    assurance: 'declared' | 'franceconnect' | 'counter',
    possibleDuplicateOf: number | null,
    now: string,
  ): Promise<number> {
    const row = await db
      .insertInto('citizens')
      .values({
        organisation_id: organisationId,
        civility: identity.civility ?? null,
        birth_name: identity.lastName ?? null,
        usage_name: identity.usageName ?? null,
        first_names: identity.firstNames ?? null,
        search_name: searchNameOf({ birthName: identity.lastName, usageName: identity.usageName, firstNames: identity.firstNames }),
        birth_date: identity.birthDate ?? null,
        identity_assurance: assurance,
        possible_duplicate_of: possibleDuplicateOf,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /** Records a verified identity on the citizen and raises their assurance level accordingly. */
  async attachVerifiedIdentity(
    db: Executor,
    citizenId: number,
    verified: { provider: string; subject: string; assurance: 'franceconnect' | 'counter' },
    now: string,
  ): Promise<void> {
    await db
      .insertInto('citizen_identities')
      .values({ citizen_id: citizenId, provider: verified.provider, subject: verified.subject, created_at: now })
      .execute();
    await db.updateTable('citizens').set({ identity_assurance: verified.assurance, updated_at: now }).where('id', '=', citizenId).execute();
  },

  /** Adds the contacts the citizen does not have yet; existing ones are left as they are. */
  async addMissingContacts(db: Executor, citizenId: number, contacts: CitizenContacts): Promise<void> {
    // One statement each (insert … where not exists): intake runs this on every returning citizen.
    // The casts tell PostgreSQL the parameters' types, which a select without a table cannot give.
    if (contacts.email) {
      const email = contacts.email;
      await db
        .insertInto('citizen_emails')
        .columns(['citizen_id', 'email', 'is_primary'])
        .expression(
          db
            .selectNoFrom((eb) => [
              eb.cast(eb.val(citizenId), 'integer').as('citizen_id'),
              eb.cast(eb.val(email), 'text').as('email'),
              eb.cast(eb.val(0), 'integer').as('is_primary'),
            ])
            .where(({ not, exists, selectFrom }) => not(exists(selectFrom('citizen_emails').select('id').where('citizen_id', '=', citizenId).where('email', '=', email)))),
        )
        .execute();
    }
    if (contacts.phone) {
      const phone = contacts.phone;
      await db
        .insertInto('citizen_phones')
        .columns(['citizen_id', 'phone', 'is_primary'])
        .expression(
          db
            .selectNoFrom((eb) => [
              eb.cast(eb.val(citizenId), 'integer').as('citizen_id'),
              eb.cast(eb.val(phone), 'text').as('phone'),
              eb.cast(eb.val(0), 'integer').as('is_primary'),
            ])
            .where(({ not, exists, selectFrom }) => not(exists(selectFrom('citizen_phones').select('id').where('citizen_id', '=', citizenId).where('phone', '=', phone)))),
        )
        .execute();
    }
    if (contacts.address) {
      const has = await db.selectFrom('citizen_addresses').select('id').where('citizen_id', '=', citizenId).executeTakeFirst();
      if (!has) await insertAddress(db, citizenId, contacts.address, true);
    }
  },

  /** Contacts of a brand-new citizen, all primary. */
  async insertContacts(db: Executor, citizenId: number, contacts: CitizenContacts): Promise<void> {
    if (contacts.email) await db.insertInto('citizen_emails').values({ citizen_id: citizenId, email: contacts.email, is_primary: 1, verified_at: null }).execute();
    if (contacts.phone) await db.insertInto('citizen_phones').values({ citizen_id: citizenId, phone: contacts.phone, is_primary: 1 }).execute();
    if (contacts.address) await insertAddress(db, citizenId, contacts.address, true);
  },
};

async function insertAddress(db: Executor, citizenId: number, a: NonNullable<CitizenContacts['address']>, primary: boolean) {
  await db
    .insertInto('citizen_addresses')
    .values({
      citizen_id: citizenId,
      line1: a.line1,
      line2: a.line2 ?? null,
      postcode: a.postcode,
      city: a.city,
      country: a.country ?? 'FR',
      ban_id: a.banId ?? null,
      is_primary: primary ? 1 : 0,
    })
    .execute();
}
