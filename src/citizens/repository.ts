import type { ContactSource, ContactVerification } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import { searchNameOf } from './search.js';

export type { ContactSource, ContactVerification };

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

/** A record holding a contact, and whether it holds it as verified (only then may the contact bind input to it). */
export interface ContactHolder extends MatchCandidate {
  verified: boolean;
}

/**
 * Where the contacts of a request come from (ADR 0002): every contact written is stamped with its
 * source; only those the channel itself verified (an aligned DMARC pass verifies the sender's
 * address, an agent the details they checked) are written as verified, the others as declared.
 */
export interface ContactOrigin {
  source: ContactSource;
  verified?: Partial<Record<'email' | 'phone' | 'address', ContactVerification>>;
  /** The agent who verified, when `verified` says `agent`. */
  agentId?: number;
}

type ContactKind = 'email' | 'phone' | 'address';

/** The provenance columns of one contact written from `origin`. */
function stamp(origin: ContactOrigin, kind: ContactKind, now: string) {
  const how = origin.verified?.[kind];
  return {
    source: origin.source,
    verified_at: how ? now : null,
    verified_how: how ?? null,
    verified_by_agent_id: how === 'agent' ? (origin.agentId ?? null) : null,
  };
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

  /** Citizens of the organisation holding this email (lower-cased), most recent first, with whether they hold it verified. */
  async findByEmail(db: Executor, organisationId: number, email: string): Promise<ContactHolder[]> {
    const rows = await db
      .selectFrom('citizen_emails as e')
      .innerJoin('citizens as c', 'c.id', 'e.citizen_id')
      .select(['c.id', 'c.birth_name as birthName', 'c.usage_name as usageName', 'c.first_names as firstNames', 'e.verified_at'])
      .where('e.email', '=', email)
      .where('c.organisation_id', '=', organisationId)
      .orderBy('c.id', 'desc')
      .limit(5)
      .execute();
    return rows.map(holder);
  },

  /** Citizens of the organisation holding this number, most recent first, with whether they hold it verified. */
  async findByPhone(db: Executor, organisationId: number, phone: string): Promise<ContactHolder[]> {
    const rows = await db
      .selectFrom('citizen_phones as p')
      .innerJoin('citizens as c', 'c.id', 'p.citizen_id')
      .select(['c.id', 'c.birth_name as birthName', 'c.usage_name as usageName', 'c.first_names as firstNames', 'p.verified_at'])
      .where('p.phone', '=', phone)
      .where('c.organisation_id', '=', organisationId)
      .orderBy('c.id', 'desc')
      .limit(5)
      .execute();
    return rows.map(holder);
  },

  /**
   * An agent confirms one of the citizen's phone numbers (called back, or shown at the counter):
   * from then on the screen pop names them from it. False when the number is not theirs or was
   * verified already.
   */
  async markPhoneVerifiedByAgent(db: Executor, citizenId: number, phoneId: number, agentId: number, now: string): Promise<boolean> {
    const result = await db
      .updateTable('citizen_phones')
      .set({ verified_at: now, verified_how: 'agent', verified_by_agent_id: agentId })
      .where('id', '=', phoneId)
      .where('citizen_id', '=', citizenId)
      .where('verified_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /**
   * Marks the citizen's copy of a contact verified, saying how (a confirmed portal link,
   * FranceConnect, an agent); a contact verified already keeps its first verification.
   */
  async markEmailVerified(db: Executor, citizenId: number, email: string, how: ContactVerification, now: string, agentId?: number): Promise<void> {
    await db
      .updateTable('citizen_emails')
      .set({ verified_at: now, verified_how: how, verified_by_agent_id: how === 'agent' ? (agentId ?? null) : null })
      .where('citizen_id', '=', citizenId)
      .where('email', '=', email)
      .where('verified_at', 'is', null)
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

  /**
   * Adds the contacts the citizen does not have yet, stamped with their origin; existing ones are
   * left as they are. Only for a record the request is bound to already (signed in, picked by an
   * agent, verified): unauthenticated input never adds contacts to an existing record (ADR 0002).
   */
  async addMissingContacts(db: Executor, citizenId: number, contacts: CitizenContacts, origin: ContactOrigin, now: string): Promise<void> {
    if (contacts.email) {
      const has = await db.selectFrom('citizen_emails').select('id').where('citizen_id', '=', citizenId).where('email', '=', contacts.email).executeTakeFirst();
      if (!has) await db.insertInto('citizen_emails').values({ citizen_id: citizenId, email: contacts.email, is_primary: 0, ...stamp(origin, 'email', now) }).execute();
    }
    if (contacts.phone) {
      const has = await db.selectFrom('citizen_phones').select('id').where('citizen_id', '=', citizenId).where('phone', '=', contacts.phone).executeTakeFirst();
      if (!has) await db.insertInto('citizen_phones').values({ citizen_id: citizenId, phone: contacts.phone, is_primary: 0, ...stamp(origin, 'phone', now) }).execute();
    }
    if (contacts.address) {
      const has = await db.selectFrom('citizen_addresses').select('id').where('citizen_id', '=', citizenId).executeTakeFirst();
      if (!has) await insertAddress(db, citizenId, contacts.address, true, stamp(origin, 'address', now));
    }
  },

  /** Contacts of a brand-new citizen, all primary, stamped with their origin. */
  async insertContacts(db: Executor, citizenId: number, contacts: CitizenContacts, origin: ContactOrigin, now: string): Promise<void> {
    if (contacts.email) await db.insertInto('citizen_emails').values({ citizen_id: citizenId, email: contacts.email, is_primary: 1, ...stamp(origin, 'email', now) }).execute();
    if (contacts.phone) await db.insertInto('citizen_phones').values({ citizen_id: citizenId, phone: contacts.phone, is_primary: 1, ...stamp(origin, 'phone', now) }).execute();
    if (contacts.address) await insertAddress(db, citizenId, contacts.address, true, stamp(origin, 'address', now));
  },
};

function holder(r: MatchCandidate & { verified_at: string | null }): ContactHolder {
  return { id: r.id, birthName: r.birthName, usageName: r.usageName, firstNames: r.firstNames, verified: r.verified_at !== null };
}

async function insertAddress(db: Executor, citizenId: number, a: NonNullable<CitizenContacts['address']>, primary: boolean, provenance: ReturnType<typeof stamp>) {
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
      ...provenance,
    })
    .execute();
}
