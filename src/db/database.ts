import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { registerSearchFunctions } from '../cases/search.js';

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely instance with the dialect it speaks, so the few dialect-specific spots can ask. */
export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; empty selects embedded SQLite. */
  url: string;
  /** Where guichet.db lives; ':memory:' for tests. */
  sqliteFile?: string;
  poolSize?: number;
  /** PostgreSQL schema to use (tests run each file in a fresh schema). */
  schema?: string;
}

// PostgreSQL returns Date objects, numbers as strings and parsed JSON; SQLite returns text and
// numbers. We normalise PostgreSQL to what SQLite returns so repositories have a single code path.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (v) => new Date(`${v}Z`).toISOString());
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.JSONB, (v) => v);
pg.types.setTypeParser(pg.types.builtins.JSON, (v) => v);

/** Opens the configured database with the durability settings an acknowledgment relies on. */
export function openDatabase(options: DatabaseOptions): Db {
  if (options.url) return openPostgres(options);
  return openSqlite(options.sqliteFile ?? ':memory:');
}

function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL syncs the WAL on every commit: an acknowledged case survives a power cut, not only a crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  // The case search index's triggers call it (migration 007).
  registerSearchFunctions(sqlite);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small one. Queries are
 * built from a fixed set of shapes, so their statements are kept (bounded, should a caller build
 * SQL with varying shapes) and reused.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(source: string) {
      let statement = statements.get(source);
      if (!statement) {
        statement = sqlite.prepare(source);
        if (statements.size >= 1_000) statements.clear();
        statements.set(source, statement);
      }
      return statement;
    },
  };
}

/**
 * Each connection's settings. Parallel query is kept for large scans (a dashboard over a million
 * cases) but not for the short queries of pages: PostgreSQL's default setup cost let it start
 * workers for an inbox search of a few thousand rows, which then took 3 to 10 times longer than
 * alone (40–50 ms instead of 5–15 ms at a million cases) and, with several agents at once, took
 * the cores the other requests needed.
 */
const SESSION_SETTINGS = CompiledQuery.raw('set parallel_setup_cost = 10000');

function openPostgres({ url, poolSize = 10, schema }: DatabaseOptions): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool, onCreateConnection: (connection) => connection.executeQuery(SESSION_SETTINGS).then(() => undefined) }) });
  return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
}

/** True when the database answers; used by /readyz. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db.kysely);
    return true;
  } catch {
    return false;
  }
}
