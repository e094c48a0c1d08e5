import { sql } from 'kysely';
import type { Executor } from '../db/transaction.js';

/** Every query on the rate limits' counters (the key is already hashed by the caller). */
export const rateLimitRepository = {
  /**
   * Counts one attempt in one statement, atomic on SQLite and PostgreSQL alike: a new key, or a
   * key whose window has ended, starts a window at 1; otherwise the count goes up by one. Several
   * processes hitting the same key at once each get their own, distinct count.
   */
  async hit(db: Executor, key: string, now: string, resetAt: string): Promise<{ count: number; resetAt: string }> {
    const row = await db
      .insertInto('rate_limit_counters')
      .values({ key, count: 1, reset_at: resetAt })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          count: sql<number>`case when rate_limit_counters.reset_at <= ${now} then 1 else rate_limit_counters.count + 1 end`,
          reset_at: sql<string>`case when rate_limit_counters.reset_at <= ${now} then excluded.reset_at else rate_limit_counters.reset_at end`,
        }),
      )
      .returning(['count', 'reset_at'])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), resetAt: row.reset_at };
  },

  /** Forgets a key (a success clears its failures). */
  async clear(db: Executor, key: string): Promise<void> {
    await db.deleteFrom('rate_limit_counters').where('key', '=', key).execute();
  },

  /** Removes the counters whose window has ended: they would start again at 1 anyway. */
  async purgeExpired(db: Executor, now: string): Promise<void> {
    await db.deleteFrom('rate_limit_counters').where('reset_at', '<=', now).execute();
  },
};
