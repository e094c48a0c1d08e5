import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The e-mail channel keeps its receipts in channel_inbound (migration 013) and its raw messages on
 * disk; what it needs here is to find, among the messages we sent, the one a reply's
 * In-Reply-To/References names — one lookup per incoming mail, so an index.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('messages_message_id').on('messages').column('message_id').execute();
}
