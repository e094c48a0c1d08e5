import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { registerSearchFunctions } from '../cases/search.js';
import { makePrivate, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.js';

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
  /** PostgreSQL: prepare the statements each connection repeats (default true); see PreparingClient. */
  preparedStatements?: boolean;
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
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    // Created private before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
    fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
    makePrivate(file);
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  if (file !== ':memory:') for (const suffix of ['-wal', '-shm']) makePrivate(file + suffix);
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

/** Statements a connection prepares at most; the others go unprepared (texts with varying IN lists). */
const MAX_PREPARED_PER_CONNECTION = 1_000;

/**
 * A PostgreSQL connection that prepares, once, each parameterised statement it is given, and then
 * only binds and executes it: PostgreSQL no longer parses and plans it on every request (planning
 * was about 1 ms of the inbox's 0.4 ms list query; at a million cases the inbox served 149 → 252
 * pages per second). After five executions PostgreSQL may keep a generic plan when it estimates it
 * no worse than the custom ones, as it does for any prepared statement.
 *
 * Only statements with parameters are prepared: the others (migrations, BEGIN, COMMIT) may hold
 * several commands, which a prepared statement cannot. A statement whose tables changed shape
 * under it (a migration run by another process) fails once with « cached plan must not change
 * result type » and is sent unprepared from then on by that connection.
 */
class PreparingClient extends pg.Client {
  readonly #names = new Map<string, string>();
  readonly #unprepared = new Set<string>();

  // The driver's overloads (promise, callback, submittable) are passed through unchanged, whatever
  // their result type: `never` lets this one signature stand for all of them.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    const query = super.query as (...a: unknown[]) => unknown;
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined || this.#unprepared.has(text)) {
      return query.apply(this, args) as never;
    }
    let name = this.#names.get(text);
    if (name === undefined) {
      if (this.#names.size >= MAX_PREPARED_PER_CONNECTION) return query.apply(this, args) as never;
      name = `guichet_${this.#names.size + 1}`;
      this.#names.set(text, name);
    }
    return (query.call(this, { name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      if ((error as { code?: string }).code === '0A000' && /cached plan/.test(String((error as Error).message))) this.#unprepared.add(text);
      throw error;
    }) as never;
  }
}

function openPostgres({ url, poolSize = 10, schema, preparedStatements = true }: DatabaseOptions): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(preparedStatements ? { Client: PreparingClient } : {}),
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
