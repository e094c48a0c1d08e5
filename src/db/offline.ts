import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
} from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

/** A Kysely for a dialect without any database: it compiles queries, and runs them returning no rows. */
export function offlineKysely(dialect: Dialect, onQuery?: (query: CompiledQuery) => void): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => (dialect === 'sqlite' ? new SqliteIntrospector(k) : new PostgresIntrospector(k)),
      createQueryCompiler: () => (dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    },
    ...(onQuery ? { log: (event) => onQuery(event.query) } : {}),
  });
}

/**
 * The statements a repository call sends, compiled for a dialect without any database: to review
 * a query's SQL, or to ask a real database for its plan.
 */
export async function compileOffline(dialect: Dialect, call: (db: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery[]> {
  const queries: CompiledQuery[] = [];
  await call(offlineKysely(dialect, (q) => queries.push(q)));
  return queries;
}
