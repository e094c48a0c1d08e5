import { stemmer } from '@orama/stemmers/french';
import type SQLite from 'better-sqlite3';

/**
 * French full-text search of cases: reference, subject, the request's text answers, the citizen's
 * names and the messages' text.
 *
 * On SQLite the words go through `searchTerms` below (lower case, accents removed, then the
 * Snowball French stemmer) into an FTS5 table, `case_search`, whose rowid is the case id. Triggers
 * (migration 007) keep it up to date whatever writes the case — the intake, the bulk seeding of the
 * demo history, a message — by calling the SQL function `guichet_search_text`, which every SQLite
 * connection registers (`registerSearchFunctions`, called by `openDatabase`). The query goes
 * through the same function, so « lampadaires » finds « lampadaire » and « eclairage » finds
 * « éclairage ».
 *
 * On PostgreSQL the same table name holds a `tsvector` per case, built by triggers with the
 * built-in `french` configuration on text whose accents `guichet_unaccent` removed first (both
 * on the document and on the query, so they agree), behind a GIN index.
 */

/** The SQL function the SQLite triggers call to turn a case's texts into indexed words. */
export const SEARCH_TEXT_FUNCTION = 'guichet_search_text';

/** Words longer than this are not words (hashes, base64): they are left out of the index. */
const MAX_WORD_LENGTH = 40;

/**
 * Stems already computed: a town's requests use a few thousand distinct words, and indexing a
 * million cases (the demo history, a migration) calls the stemmer tens of millions of times.
 */
const stems = new Map<string, string>();
const MAX_STEMS = 100_000;

function stem(word: string): string {
  let found = stems.get(word);
  if (found === undefined) {
    found = stemmer(word);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, found);
  }
  return found;
}

/** The words of a text as the index keeps them: lower case, without accents, stemmed. */
export function searchTerms(text: string): string[] {
  const words = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .split(/[^\p{L}\p{N}]+/u);
  const terms: string[] = [];
  for (const word of words) {
    if (word === '' || word.length > MAX_WORD_LENGTH) continue;
    // Numbers (references, postcodes) are kept as they are; the stemmer is for words.
    terms.push(/\d/.test(word) ? word : stem(word));
  }
  return terms;
}

/**
 * The indexed text of a case from its parts: plain texts, and the request's data as JSON whose
 * text answers (strings at any depth) count, never its field names.
 */
export function caseSearchText(parts: readonly unknown[]): string {
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string' || part === '') continue;
    if (part.startsWith('{') || part.startsWith('[')) {
      try {
        collectStrings(JSON.parse(part), texts);
        continue;
      } catch {
        // Not JSON after all: indexed as text.
      }
    }
    texts.push(part);
  }
  return searchTerms(texts.join(' ')).join(' ');
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') {
    // Attachment ids, dates and other machine values are not what agents search for.
    if (!/^[0-9a-f-]{20,}$/i.test(value)) into.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into);
  }
}

/**
 * An FTS5 query for what an agent typed: every word must be present (each word of the query is a
 * phrase of its terms, so « 2026-000123 » matches that reference); null when nothing searchable
 * was typed.
 */
export function ftsQuery(typed: string): string | null {
  const phrases = typed
    .split(/\s+/)
    .map((word) => searchTerms(word))
    .filter((terms) => terms.length > 0)
    .map((terms) => `"${terms.join(' ')}"`);
  return phrases.length > 0 ? phrases.slice(0, 20).join(' ') : null;
}

/** Registers the search functions on an SQLite connection (triggers and queries call them). */
export function registerSearchFunctions(sqlite: SQLite.Database): void {
  sqlite.function(SEARCH_TEXT_FUNCTION, { deterministic: true, varargs: true }, (...parts: unknown[]) => caseSearchText(parts));
}
