import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** What repositories run queries on: the database itself or an open transaction. */
export type Executor = Kysely<Database>;

/**
 * Runs `work` in one transaction: everything it writes commits together or not at all.
 * On SQLite the transaction starts IMMEDIATE so that a writer takes the lock up front instead of
 * failing on upgrade when another process (a CLI, a worker) writes at the same time.
 */
export async function transaction<T>(db: Db, work: (trx: Executor) => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') return db.kysely.transaction().execute(work);
  return db.kysely.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}

/** JSON columns are text on both dialects (see database.ts); these two keep that in one place. */
export const toJson = (value: unknown): string => JSON.stringify(value);
export const fromJson = <T>(text: string | null): T => (text === null ? (null as T) : (JSON.parse(text) as T));
