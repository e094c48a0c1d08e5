import type { Kysely } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/**
 * Attempt counters of the rate limits (sign-in, second factor, sign-up, reset, verification), in
 * the database rather than in each process's memory: with several web processes, or several
 * servers, an attempt counts the same wherever it lands. One row per key and fixed window; the
 * key is a hash (no address or e-mail kept in clear), rows past their window are purged.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('reset_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_counters_reset_at').on('rate_limit_counters').column('reset_at').execute();
}
