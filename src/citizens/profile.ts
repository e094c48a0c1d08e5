import type { Executor } from '../db/transaction.js';
import type { AddressValue } from '../procedures/form/definition.js';

/** What the town knows of a citizen, as forms prefill it and "Mon espace" shows it. */
export interface CitizenProfile {
  id: number;
  organisationId: number;
  civility: 'M' | 'Mme' | null;
  firstNames: string | null;
  birthName: string | null;
  usageName: string | null;
  birthDate: string | null;
  gender: string | null;
  birthPlace: string | null;
  birthCountry: string | null;
  /** `franceconnect` or `counter`: identity attributes are certified and cannot be edited by the citizen. */
  identityAssurance: 'declared' | 'franceconnect' | 'counter';
  householdId: number | null;
  email: string | null;
  phone: string | null;
  address: AddressValue | null;
}

/** A citizen's identity and primary contacts, or undefined. */
export async function citizenProfile(db: Executor, citizenId: number): Promise<CitizenProfile | undefined> {
  const row = await db.selectFrom('citizens').selectAll().where('id', '=', citizenId).executeTakeFirst();
  if (!row) return undefined;
  const [email, phone, address] = await Promise.all([
    db.selectFrom('citizen_emails').select('email').where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').limit(1).executeTakeFirst(),
    db.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').limit(1).executeTakeFirst(),
    db.selectFrom('citizen_addresses').selectAll().where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').limit(1).executeTakeFirst(),
  ]);
  return {
    id: row.id,
    organisationId: row.organisation_id,
    civility: row.civility,
    firstNames: row.first_names,
    birthName: row.birth_name,
    usageName: row.usage_name,
    birthDate: row.birth_date,
    gender: row.gender,
    birthPlace: row.birth_place,
    birthCountry: row.birth_country,
    identityAssurance: row.identity_assurance,
    householdId: row.household_id,
    email: email?.email ?? null,
    phone: phone?.phone ?? null,
    address: address
      ? { line1: address.line1, ...(address.line2 ? { line2: address.line2 } : {}), postcode: address.postcode, city: address.city, country: address.country, ...(address.ban_id ? { banId: address.ban_id } : {}) }
      : null,
  };
}

/** A member of a household, as forms offer them and "Mon espace" lists them. */
export interface HouseholdMember {
  id: number;
  /** Set when the member is a citizen of their own (an adult with an account, say). */
  citizenId: number | null;
  role: 'adult' | 'child';
  relationship: string | null;
  firstNames: string;
  lastName: string;
  birthDate: string | null;
}

/** The members of a household, children last and youngest last. */
export async function householdMembers(db: Executor, householdId: number): Promise<HouseholdMember[]> {
  const rows = await db.selectFrom('household_members').selectAll().where('household_id', '=', householdId).orderBy('role').orderBy('birth_date').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    citizenId: r.citizen_id,
    role: r.role,
    relationship: r.relationship,
    firstNames: r.first_names,
    lastName: r.last_name,
    birthDate: r.birth_date,
  }));
}
