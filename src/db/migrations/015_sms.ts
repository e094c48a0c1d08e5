import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

/**
 * The SMS channel's opt-outs (STOP): one row per number that asked to receive no more SMS. Its
 * receipts live in channel_inbound (migration 013).
 *
 * SMS requests are recorded on cases with channel `phone` (the journal says `source: sms`): adding
 * `sms` to the CHECK constraint of cases.channel would need SQLite's « generalized ALTER TABLE »
 * (writable_schema), which better-sqlite3's defensive mode refuses unless `unsafeMode()` is set on
 * the raw connection — and a Kysely migration never sees that connection.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('sms_opt_outs')
    .addColumn('phone', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('inbound_id', 'integer', (c) => c.references('channel_inbound.id'))
    .addColumn('keyword', 'text', (c) => c.notNull())
    .addColumn('opted_out_at', t.timestamp, (c) => c.notNull())
    .execute();
}
