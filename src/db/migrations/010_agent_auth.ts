import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Agents' second factor: the time step of the last TOTP code accepted, so that a code seen over
 * an agent's shoulder (or replayed by a proxy) cannot be used a second time within its window.
 * Kept in the database rather than in memory so that several web processes refuse it alike.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('agents').addColumn('totp_last_counter', 'integer').execute();
}
