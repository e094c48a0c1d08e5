import type { ColumnDataType, Expression } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from './database.js';

/**
 * The column types migrations use, per dialect: one set of migrations for SQLite and PostgreSQL.
 * Timestamps and JSON keep their native PostgreSQL types (queryable by a town's IT team) while
 * SQLite stores ISO-8601 text and JSON text, which sort and compare the same way.
 */
export function columnTypes(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    id: (pg ? 'serial' : 'integer') as ColumnDataType,
    bigId: (pg ? 'bigserial' : 'integer') as ColumnDataType,
    timestamp: (pg ? 'timestamptz' : 'text') as ColumnDataType,
    date: (pg ? 'date' : 'text') as ColumnDataType,
    json: (pg ? 'jsonb' : 'text') as ColumnDataType,
    flag: (pg ? 'smallint' : 'integer') as ColumnDataType,
    real: (pg ? 'double precision' : 'real') as ColumnDataType,
    /** A default of "now" in the column's own representation. */
    now: (pg ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`) as Expression<unknown>,
  };
}
