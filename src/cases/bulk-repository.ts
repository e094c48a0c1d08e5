/**
 * Bulk writes for loading many cases at once (demo history, imports from a previous GRU): the
 * same rows `caseRepository` writes one by one, but a few thousand per statement. Per-row
 * inserts cost a round trip and a statement compilation each, which makes a million cases take
 * an hour; here the cost is the database's own index maintenance.
 *
 * - SQLite: multi-row `INSERT … VALUES (…), (…)` with as many rows as the 32,766 bound
 *   parameters allow, through the ordinary Kysely connection (so it works on `:memory:` and
 *   inside `transaction()`; measured within 25 % of raw better-sqlite3 prepared statements).
 * - PostgreSQL: `INSERT … SELECT * FROM unnest($1::int[], $2::text[], …)`: one array parameter per
 *   column whatever the number of rows, so the statement text stays tiny and parsing is free.
 *
 * Ids are reserved up front (`reserveIds`) so that journal and outbox rows can point at their
 * case without reading inserted rows back.
 */
import type { Insertable } from 'kysely';
import { CompiledQuery, sql } from 'kysely';
import type { Db, Dialect } from '../db/database.js';
import type { CaseJournalTable, CaseTable, Database, OutboxTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';

/** A column and its PostgreSQL type, used to type the `unnest` arrays. */
export type ColumnSpec<Row> = readonly (readonly [keyof Row & string, string])[];

export type BulkCaseRow = Insertable<CaseTable> & { id: number };
export type BulkJournalRow = Omit<Insertable<CaseJournalTable>, 'id'>;
export type BulkOutboxRow = Omit<Insertable<OutboxTable>, 'id'>;

const SQLITE_MAX_PARAMETERS = 32_766;
/** Rows per PostgreSQL statement: large enough to amortise the round trip, small enough to keep the arrays in memory. */
const POSTGRES_ROWS_PER_STATEMENT = 5_000;

const CASE_COLUMNS: ColumnSpec<BulkCaseRow> = [
  ['id', 'integer'], ['organisation_id', 'integer'], ['reference', 'text'], ['tracking_code', 'text'],
  ['procedure_id', 'integer'], ['citizen_id', 'integer'], ['channel', 'text'], ['status', 'text'],
  ['department_id', 'integer'], ['assigned_agent_id', 'integer'], ['priority', 'text'], ['subject', 'text'],
  ['address', 'text'], ['lat', 'double precision'], ['lon', 'double precision'], ['data', 'jsonb'],
  ['contact_email', 'text'], ['contact_phone', 'text'], ['received_at', 'timestamptz'], ['due_at', 'timestamptz'],
  ['implicit_decision_at', 'timestamptz'], ['closed_at', 'timestamptz'], ['outcome', 'text'], ['version', 'integer'],
  ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['status_entered_at', 'timestamptz'], ['workflow_id', 'integer'],
  ['public_report', 'smallint'],
];

const JOURNAL_COLUMNS: ColumnSpec<BulkJournalRow> = [
  ['case_id', 'integer'], ['seq', 'integer'], ['type', 'text'], ['actor_type', 'text'], ['actor_id', 'text'],
  ['payload', 'jsonb'], ['created_at', 'timestamptz'], ['hash', 'text'],
];

const OUTBOX_COLUMNS: ColumnSpec<BulkOutboxRow> = [
  ['topic', 'text'], ['aggregate_id', 'integer'], ['payload', 'jsonb'], ['created_at', 'timestamptz'], ['published_at', 'timestamptz'],
];

/**
 * Inserts `rows` into `table` in as few statements as the dialect allows. Generic so that other
 * bulk loaders (demo citizens) share the statement building; `columns` lists each column with its
 * PostgreSQL type.
 */
export async function insertMany<Row extends object>(
  db: Executor,
  dialect: Dialect,
  table: keyof Database & string,
  columns: ColumnSpec<Row>,
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map(([name]) => name);
  if (dialect === 'postgres') {
    const casts = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
    const text = `insert into ${table} (${names.join(', ')}) select * from unnest(${casts})`;
    for (let start = 0; start < rows.length; start += POSTGRES_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + POSTGRES_ROWS_PER_STATEMENT);
      const arrays = names.map((name) => chunk.map((row) => (row as Record<string, unknown>)[name] ?? null));
      await db.executeQuery(CompiledQuery.raw(text, arrays));
    }
    return;
  }
  const perStatement = Math.floor(SQLITE_MAX_PARAMETERS / names.length);
  const tuple = `(${names.map(() => '?').join(', ')})`;
  const head = `insert into ${table} (${names.join(', ')}) values `;
  let cachedCount = -1;
  let cachedText = '';
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    if (chunk.length !== cachedCount) {
      cachedCount = chunk.length;
      cachedText = head + Array.from({ length: chunk.length }, () => tuple).join(', ');
    }
    const parameters: unknown[] = [];
    for (const row of chunk) for (const name of names) parameters.push((row as Record<string, unknown>)[name] ?? null);
    await db.executeQuery(CompiledQuery.raw(cachedText, parameters));
  }
}

/** Bulk counterparts of `caseRepository`'s writes. */
export const bulkCaseRepository = {
  /**
   * `n` fresh ids for `table`, in increasing order. PostgreSQL draws them from the table's
   * sequence, which concurrent inserts also use; SQLite takes the ones after the current maximum,
   * which is safe because the caller holds the write lock (`transaction()` begins IMMEDIATE).
   */
  async reserveIds(db: Executor, dialect: Dialect, table: 'cases' | 'citizens', n: number): Promise<number[]> {
    if (n === 0) return [];
    if (dialect === 'postgres') {
      const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id'))::integer as id from generate_series(1, ${n})`.execute(db);
      return rows.map((r) => r.id).sort((a, b) => a - b);
    }
    const row = await db.selectFrom(table).select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    const max = Number(row?.max ?? 0);
    return Array.from({ length: n }, (_, i) => max + 1 + i);
  },

  /**
   * Reserves `n` consecutive numbers of the organisation's yearly sequence and returns the first:
   * the counter moves past them, so intakes made afterwards continue the numbering.
   */
  async reserveReferenceNumbers(db: Executor, organisationId: number, year: number, n: number): Promise<number> {
    const row = await db
      .insertInto('reference_counters')
      .values({ organisation_id: organisationId, year, value: n })
      .onConflict((oc) => oc.columns(['organisation_id', 'year']).doUpdateSet({ value: sql`reference_counters.value + ${n}` }))
      .returning('value')
      .executeTakeFirstOrThrow();
    return row.value - n + 1;
  },

  async insertCases(db: Executor, dialect: Dialect, rows: readonly BulkCaseRow[]): Promise<void> {
    await insertMany(db, dialect, 'cases', CASE_COLUMNS, rows);
  },

  async insertJournal(db: Executor, dialect: Dialect, rows: readonly BulkJournalRow[]): Promise<void> {
    await insertMany(db, dialect, 'case_journal', JOURNAL_COLUMNS, rows);
  },

  async insertOutbox(db: Executor, dialect: Dialect, rows: readonly BulkOutboxRow[]): Promise<void> {
    await insertMany(db, dialect, 'outbox', OUTBOX_COLUMNS, rows);
  },

  /**
   * For a bulk load on SQLite only: stops syncing every commit to disk (`synchronous = OFF`) and
   * enlarges the page cache while indexes grow. A power cut during the load can lose the last
   * batches, which a seed or an import simply reruns — unlike live intake, where an acknowledged
   * case must survive (database.ts keeps FULL). The returned function restores FULL and the cache
   * size, then checkpoints the WAL so the loaded data is in the main file. No-op on PostgreSQL,
   * whose batches of thousands of rows make commit cost negligible.
   */
  async relaxDurability(db: Db): Promise<() => Promise<void>> {
    if (db.dialect !== 'sqlite') return async () => {};
    const { rows } = await sql<{ cache_size: number }>`pragma cache_size`.execute(db.kysely);
    const cacheSize = Number(rows[0]?.cache_size ?? -65_536);
    await sql`pragma synchronous = OFF`.execute(db.kysely);
    await sql.raw('pragma cache_size = -262144').execute(db.kysely);
    return async () => {
      await sql`pragma synchronous = FULL`.execute(db.kysely);
      await sql.raw(`pragma cache_size = ${Math.trunc(cacheSize)}`).execute(db.kysely);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db.kysely);
    };
  },
};
