/**
 * The queries of the demo seed that no other repository has yet: creating an organisation, its
 * departments, agents and households, and reading back what the history generator needs. Kept
 * here rather than in the feature repositories because only the seed writes these rows so far.
 */
import type { Dialect } from '../db/database.js';
import type { Executor } from '../db/transaction.js';
import { toJson } from '../db/transaction.js';
import { insertMany } from '../cases/bulk-repository.js';
import { searchNameOf } from '../citizens/search.js';
import type { OpeningHoursJson } from '../organisations/types.js';
import { forgetConfiguration } from '../configuration/cache.js';

export interface NewOrganisation {
  slug: string;
  name: string;
  cog: string;
  siren: string;
  address: string;
  email: string;
  phone: string;
  website: string;
  branding: Record<string, unknown>;
}

export interface NewDepartment {
  parentId: number | null;
  slug: string;
  name: string;
  email: string;
  phone: string;
  address: string;
  openingHours: OpeningHoursJson;
  isReception: boolean;
}

export interface NewHouseholdMember {
  citizenId: number | null;
  role: 'adult' | 'child';
  relationship: string;
  firstNames: string;
  lastName: string;
  birthDate: string | null;
}

/** A citizen as the history generator uses it: identity, primary contacts, household children. */
export interface CitizenProfile {
  id: number;
  civility: 'M' | 'Mme' | null;
  firstNames: string | null;
  lastName: string | null;
  birthDate: string | null;
  email: string | null;
  phone: string | null;
  address: { line1: string; postcode: string; city: string } | null;
  children: { id: string; firstNames: string; lastName: string; birthDate: string | null }[];
}

/** One generated citizen with its contacts, for `insertCitizens`. */
export interface BulkCitizen {
  id: number;
  civility: 'M' | 'Mme';
  firstNames: string;
  lastName: string;
  birthDate: string;
  email: string;
  phone: string | null;
  address: { line1: string; postcode: string; city: string; country: string };
  createdAt: string;
}

export const demoRepository = {
  async organisationExists(db: Executor, slug: string): Promise<boolean> {
    const row = await db.selectFrom('organisations').select('id').where('slug', '=', slug).executeTakeFirst();
    return row !== undefined;
  },

  async insertOrganisation(db: Executor, o: NewOrganisation, now: string): Promise<number> {
    const row = await db
      .insertInto('organisations')
      .values({
        slug: o.slug, name: o.name, cog: o.cog, siren: o.siren, address: o.address, email: o.email, phone: o.phone,
        website: o.website, branding: toJson(o.branding), created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async insertDepartment(db: Executor, organisationId: number, d: NewDepartment, now: string): Promise<number> {
    forgetConfiguration();
    const row = await db
      .insertInto('departments')
      .values({
        organisation_id: organisationId, parent_id: d.parentId, slug: d.slug, name: d.name, email: d.email, phone: d.phone,
        address: d.address, opening_hours: toJson(d.openingHours), is_reception: d.isReception ? 1 : 0, created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /** An agent without a password: they cannot sign in until one is set. */
  async insertAgent(db: Executor, organisationId: number, email: string, displayName: string, roles: { departmentId: number; role: 'agent' | 'manager' | 'admin' }[], now: string): Promise<number> {
    const row = await db
      .insertInto('agents')
      .values({ organisation_id: organisationId, email, display_name: displayName, password_hash: null, is_active: 1, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (roles.length > 0) {
      await db.insertInto('agent_roles').values(roles.map((r) => ({ agent_id: row.id, department_id: r.departmentId, role: r.role }))).execute();
    }
    return row.id;
  },

  async insertHousehold(db: Executor, organisationId: number, name: string, members: NewHouseholdMember[], now: string): Promise<number> {
    const household = await db.insertInto('households').values({ organisation_id: organisationId, name, created_at: now }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('household_members')
      .values(members.map((m) => ({
        household_id: household.id, citizen_id: m.citizenId, role: m.role, relationship: m.relationship,
        first_names: m.firstNames, last_name: m.lastName, birth_date: m.birthDate, created_at: now,
      })))
      .execute();
    const citizenIds = members.flatMap((m) => (m.citizenId === null ? [] : [m.citizenId]));
    if (citizenIds.length > 0) await db.updateTable('citizens').set({ household_id: household.id }).where('id', 'in', citizenIds).execute();
    return household.id;
  },

  async countRoutingRules(db: Executor, organisationId: number): Promise<number> {
    const row = await db.selectFrom('routing_rules').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** Active agents of each department, by department id. */
  async agentsByDepartment(db: Executor, organisationId: number): Promise<Map<number, number[]>> {
    const rows = await db
      .selectFrom('agent_roles as r')
      .innerJoin('agents as a', 'a.id', 'r.agent_id')
      .select(['r.department_id', 'a.id'])
      .where('a.organisation_id', '=', organisationId)
      .where('a.is_active', '=', 1)
      .orderBy('a.id')
      .execute();
    const map = new Map<number, number[]>();
    for (const row of rows) map.set(row.department_id, [...(map.get(row.department_id) ?? []), row.id]);
    return map;
  },

  /** Every citizen of the organisation with primary contacts and household children, by id. */
  async citizenProfiles(db: Executor, organisationId: number): Promise<CitizenProfile[]> {
    const citizens = await db
      .selectFrom('citizens as c')
      .leftJoin('citizen_emails as e', (join) => join.onRef('e.citizen_id', '=', 'c.id').on('e.is_primary', '=', 1))
      .leftJoin('citizen_phones as p', (join) => join.onRef('p.citizen_id', '=', 'c.id').on('p.is_primary', '=', 1))
      .leftJoin('citizen_addresses as a', (join) => join.onRef('a.citizen_id', '=', 'c.id').on('a.is_primary', '=', 1))
      .select(['c.id', 'c.civility', 'c.first_names', 'c.birth_name', 'c.birth_date', 'c.household_id', 'e.email', 'p.phone', 'a.line1', 'a.postcode', 'a.city'])
      .where('c.organisation_id', '=', organisationId)
      .orderBy('c.id')
      .execute();
    const children = await db
      .selectFrom('household_members as m')
      .innerJoin('households as h', 'h.id', 'm.household_id')
      .select(['m.id', 'm.household_id', 'm.first_names', 'm.last_name', 'm.birth_date'])
      .where('h.organisation_id', '=', organisationId)
      .where('m.role', '=', 'child')
      .orderBy('m.id')
      .execute();
    const byHousehold = new Map<number, CitizenProfile['children']>();
    for (const c of children) {
      const list = byHousehold.get(c.household_id) ?? [];
      list.push({ id: String(c.id), firstNames: c.first_names, lastName: c.last_name, birthDate: c.birth_date });
      byHousehold.set(c.household_id, list);
    }
    const seen = new Set<number>();
    return citizens.flatMap((c) => {
      if (seen.has(c.id)) return [];
      seen.add(c.id);
      return [{
        id: c.id,
        civility: c.civility,
        firstNames: c.first_names,
        lastName: c.birth_name,
        birthDate: c.birth_date,
        email: c.email,
        phone: c.phone,
        address: c.line1 !== null && c.postcode !== null && c.city !== null ? { line1: c.line1, postcode: c.postcode, city: c.city } : null,
        children: c.household_id === null ? [] : (byHousehold.get(c.household_id) ?? []),
      }];
    });
  },

  /** Citizens generated in bulk, each with one primary e-mail, phone and address. */
  async insertCitizens(db: Executor, dialect: Dialect, organisationId: number, citizens: readonly BulkCitizen[]): Promise<void> {
    await insertMany(db, dialect, 'citizens', CITIZEN_COLUMNS, citizens.map((c) => ({
      id: c.id, organisation_id: organisationId, civility: c.civility, birth_name: c.lastName, usage_name: null, first_names: c.firstNames,
      birth_date: c.birthDate, identity_assurance: 'declared', household_id: null, possible_duplicate_of: null, created_at: c.createdAt, updated_at: c.createdAt,
      search_name: searchNameOf({ birthName: c.lastName, firstNames: c.firstNames }),
    })));
    await insertMany(db, dialect, 'citizen_emails', EMAIL_COLUMNS, citizens.map((c) => ({ citizen_id: c.id, email: c.email, is_primary: 1, verified_at: null })));
    await insertMany(db, dialect, 'citizen_phones', PHONE_COLUMNS, citizens.flatMap((c) => (c.phone === null ? [] : [{ citizen_id: c.id, phone: c.phone, is_primary: 1 }])));
    await insertMany(db, dialect, 'citizen_addresses', ADDRESS_COLUMNS, citizens.map((c) => ({
      citizen_id: c.id, line1: c.address.line1, line2: null, postcode: c.address.postcode, city: c.address.city, country: c.address.country, ban_id: null, is_primary: 1,
    })));
  },
};

const CITIZEN_COLUMNS = [
  ['id', 'integer'], ['organisation_id', 'integer'], ['civility', 'text'], ['birth_name', 'text'], ['usage_name', 'text'],
  ['first_names', 'text'], ['birth_date', 'date'], ['identity_assurance', 'text'], ['household_id', 'integer'],
  ['possible_duplicate_of', 'integer'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['search_name', 'text'],
] as const;
const EMAIL_COLUMNS = [['citizen_id', 'integer'], ['email', 'text'], ['is_primary', 'smallint'], ['verified_at', 'timestamptz']] as const;
const PHONE_COLUMNS = [['citizen_id', 'integer'], ['phone', 'text'], ['is_primary', 'smallint']] as const;
const ADDRESS_COLUMNS = [
  ['citizen_id', 'integer'], ['line1', 'text'], ['line2', 'text'], ['postcode', 'text'], ['city', 'text'],
  ['country', 'text'], ['ban_id', 'text'], ['is_primary', 'smallint'],
] as const;
