import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

/**
 * Where the IMAP poller stands in each mailbox it reads: the mailbox's UIDVALIDITY and the last UID
 * it stored and moved away (UIDs only grow while UIDVALIDITY stays the same), and the connection's
 * last success and last error for the health page, which runs in another process than the poller;
 * and the lease that lets one worker process at a time read the mailbox when several run.
 * UIDVALIDITY and UIDs are unsigned 32-bit numbers: bigint on PostgreSQL.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('email_imap_checkpoints')
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('uid_validity', 'bigint')
    .addColumn('last_uid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_success_at', t.timestamp)
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', t.timestamp)
    .addColumn('leased_by', 'text')
    .addColumn('lease_until', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('email_imap_checkpoints_pkey', ['organisation_id', 'mailbox'])
    .execute();
}
