import { sql } from 'kysely';
import type { Executor } from '../db/transaction.js';
import { searchNameOf, type CitizenHit, type CitizenQuery } from './search.js';

/** A name to show for a record: first names and the name in use, with the birth name when it differs. */
export function citizenDisplayName(c: { first_names: string | null; birth_name: string | null; usage_name: string | null }): string {
  const last = c.usage_name ?? c.birth_name ?? '';
  const name = [c.first_names, last].filter(Boolean).join(' ') || 'Usager sans nom';
  return c.usage_name && c.birth_name && c.usage_name !== c.birth_name ? `${name} (nom de naissance : ${c.birth_name})` : name;
}

/** The query behind citizen search (`searchCitizens`). */
export const citizenSearchRepository = {
  /** Recomputes a record's `search_name` after its names changed (profile, FranceConnect, merge). */
  async refreshSearchName(db: Executor, citizenId: number): Promise<void> {
    const c = await db.selectFrom('citizens').select(['birth_name', 'usage_name', 'first_names']).where('id', '=', citizenId).executeTakeFirst();
    if (!c) return;
    await db
      .updateTable('citizens')
      .set({ search_name: searchNameOf({ birthName: c.birth_name, usageName: c.usage_name, firstNames: c.first_names }) })
      .where('id', '=', citizenId)
      .execute();
  },

  /**
   * Unmerged citizens of the organisation matching the query. E-mails and phones match exactly
   * (both are stored normalised); each name word must begin a word of `search_name`. Rows are
   * ranked in memory among a few more than asked: whole-word matches before prefixes.
   */
  async search(db: Executor, organisationId: number, query: Exclude<CitizenQuery, { kind: 'none' }>, limit: number): Promise<CitizenHit[]> {
    let q = db
      .selectFrom('citizens as c')
      .select((eb) => [
        'c.id',
        'c.first_names',
        'c.birth_name',
        'c.usage_name',
        'c.birth_date',
        'c.identity_assurance',
        'c.search_name',
        eb.selectFrom('citizen_emails').select('email').whereRef('citizen_id', '=', 'c.id').orderBy('is_primary', 'desc').orderBy('id').limit(1).as('email'),
        eb.selectFrom('citizen_phones').select('phone').whereRef('citizen_id', '=', 'c.id').orderBy('is_primary', 'desc').orderBy('id').limit(1).as('phone'),
      ])
      .where('c.organisation_id', '=', organisationId)
      .where('c.merged_into_id', 'is', null);
    if (query.kind === 'email') {
      const email = query.email;
      q = q.where(({ exists, selectFrom }) => exists(selectFrom('citizen_emails as e').select('e.id').whereRef('e.citizen_id', '=', 'c.id').where(sql<string>`lower(e.email)`, '=', email)));
    } else if (query.kind === 'phone') {
      const phone = query.phone;
      q = q.where(({ exists, selectFrom }) => exists(selectFrom('citizen_phones as p').select('p.id').whereRef('p.citizen_id', '=', 'c.id').where('p.phone', '=', phone)));
    } else {
      // Words are [a-z0-9] only (normalised): no LIKE wildcard can slip in. A record written without
      // its search name (straight to the table, by a script) is still found by its plain names.
      const plainNames = sql<string>`lower(coalesce(c.birth_name, '') || ' ' || coalesce(c.usage_name, '') || ' ' || coalesce(c.first_names, ''))`;
      for (const word of query.words) {
        q = q.where((eb) => eb.or([eb('c.search_name', 'like', `% ${word}%`), eb.and([eb('c.search_name', 'is', null), eb(plainNames, 'like', `%${word}%`)])]));
      }
      if (query.birthDate) q = q.where('c.birth_date', '=', query.birthDate);
    }
    const rows = await q.orderBy('c.birth_name').orderBy('c.first_names').orderBy('c.id').limit(limit * 3).execute();
    const words = query.kind === 'name' ? query.words : [];
    const score = (searchName: string | null) => words.filter((w) => ` ${searchName ?? ''} `.includes(` ${w} `)).length;
    const ranked = rows
      .map((r, i) => ({ r, i, s: score(r.search_name) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, limit)
      .map((x) => x.r);
    return toHits(db, ranked);
  },

  /** The records with these ids in the organisation, as search hits (duplicates, comparisons). */
  async hits(db: Executor, organisationId: number, ids: number[]): Promise<Map<number, CitizenHit>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('citizens as c')
      .select((eb) => [
        'c.id',
        'c.first_names',
        'c.birth_name',
        'c.usage_name',
        'c.birth_date',
        'c.identity_assurance',
        eb.selectFrom('citizen_emails').select('email').whereRef('citizen_id', '=', 'c.id').orderBy('is_primary', 'desc').orderBy('id').limit(1).as('email'),
        eb.selectFrom('citizen_phones').select('phone').whereRef('citizen_id', '=', 'c.id').orderBy('is_primary', 'desc').orderBy('id').limit(1).as('phone'),
      ])
      .where('c.organisation_id', '=', organisationId)
      .where('c.id', 'in', ids)
      .execute();
    return new Map((await toHits(db, rows)).map((h) => [h.id, h]));
  },
};

type HitRow = { id: number; first_names: string | null; birth_name: string | null; usage_name: string | null; birth_date: string | null; identity_assurance: CitizenHit['identityAssurance']; email: string | null; phone: string | null };

async function toHits(db: Executor, rows: HitRow[]): Promise<CitizenHit[]> {
  const addresses = await primaryAddresses(db, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id,
    displayName: citizenDisplayName(r),
    birthDate: r.birth_date,
    email: r.email,
    phone: r.phone,
    address: addresses.get(r.id) ?? null,
    identityAssurance: r.identity_assurance,
  }));
}

async function primaryAddresses(db: Executor, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('citizen_addresses')
    .select(['citizen_id', 'line1', 'line2', 'postcode', 'city', 'is_primary', 'id'])
    .where('citizen_id', 'in', ids)
    .orderBy('is_primary', 'desc')
    .orderBy('id')
    .execute();
  const out = new Map<number, string>();
  for (const a of rows) if (!out.has(a.citizen_id)) out.set(a.citizen_id, [a.line1, a.line2, `${a.postcode} ${a.city}`].filter(Boolean).join(', '));
  return out;
}
