import type { Executor } from '../db/transaction.js';
import { toE164 } from '../procedures/form/phone.js';
import { citizenSearchRepository } from './search-repository.js';

/**
 * CONTRACT (owned by the citizens back-office module): citizens matching a query — a name (accents
 * and case ignored), a birth date (JJ/MM/AAAA or AAAA-MM-JJ), an e-mail or a phone number — best
 * matches first. Merged records are left out.
 */
export interface CitizenHit {
  id: number;
  displayName: string;
  birthDate: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  identityAssurance: 'declared' | 'franceconnect' | 'counter';
}

/** What a typed query means: an e-mail, a phone, or name words and/or a birth date. */
export type CitizenQuery =
  | { kind: 'email'; email: string }
  | { kind: 'phone'; phone: string }
  | { kind: 'name'; words: string[]; birthDate: string | null }
  | { kind: 'none' };

/** The shortest name word searched for: one letter would list half the town. */
const MIN_WORD = 2;

export async function searchCitizens(db: Executor, organisationId: number, query: string, limit = 10): Promise<CitizenHit[]> {
  const parsed = parseCitizenQuery(query);
  if (parsed.kind === 'none') return [];
  return citizenSearchRepository.search(db, organisationId, parsed, limit);
}

/**
 * Reads what an agent typed. An « @ » makes it an e-mail; a string of digits that is a valid phone
 * number (any French way of writing it, or +…) becomes its E.164 form, as the intake stores phones;
 * otherwise dates (JJ/MM/AAAA, JJ-MM-AAAA, JJ.MM.AAAA or AAAA-MM-JJ) filter on the birth date and
 * the remaining words must each begin a word of the birth name, usage name or first names.
 */
export function parseCitizenQuery(query: string): CitizenQuery {
  const q = query.trim().slice(0, 200);
  if (!q) return { kind: 'none' };
  if (q.includes('@')) return { kind: 'email', email: q.toLowerCase() };
  if (/^[+\d\s().\-/]+$/.test(q) && !looksLikeDate(q)) {
    const phone = toE164(q);
    if (phone) return { kind: 'phone', phone };
  }
  let birthDate: string | null = null;
  const rest: string[] = [];
  for (const token of q.split(/\s+/)) {
    const date = parseBirthDate(token);
    if (date && birthDate === null) birthDate = date;
    else rest.push(token);
  }
  const words = normaliseForSearch(rest.join(' '))
    .split(' ')
    // Digits are no part of a name: what is left of a mistyped date or phone searches nothing.
    .filter((w) => w.length >= MIN_WORD && !/^\d+$/.test(w));
  if (words.length === 0 && birthDate === null) return { kind: 'none' };
  return { kind: 'name', words: words.slice(0, 6), birthDate };
}

function looksLikeDate(q: string): boolean {
  return parseBirthDate(q.trim()) !== null;
}

/** « 03/02/1985 », « 3-2-1985 », « 03.02.1985 » or « 1985-02-03 » → « 1985-02-03 »; else null. */
export function parseBirthDate(token: string): string | null {
  let y: number, m: number, d: number;
  const fr = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(token);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(token);
  if (fr) [d, m, y] = [Number(fr[1]), Number(fr[2]), Number(fr[3])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Lower case, no accents, letters and digits only: how names are stored in `search_name`. */
export function normaliseForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The `citizens.search_name` value of an identity: every name normalised, with a leading space so
 * that « begins a word » is `like '% word%'`. Null when the record has no name.
 */
export function searchNameOf(names: { birthName?: string | null; usageName?: string | null; firstNames?: string | null }): string | null {
  const name = [names.birthName, names.usageName, names.firstNames]
    .filter((n): n is string => !!n)
    .map(normaliseForSearch)
    .filter(Boolean)
    .join(' ');
  return name ? ` ${name}` : null;
}
