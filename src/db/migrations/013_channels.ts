import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

/**
 * Every item a channel receives (an e-mail, an SMS, a call event, an Open311 POST, a webhook
 * delivery), written before it is processed: the durable proof of receipt, the de-duplication key
 * (a Message-ID, a provider's message id, a delivery id) and the outcome — a case created, a message
 * threaded onto a case, ignored with its reason, or quarantined with its error. The per-channel
 * health page counts these rows.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('channel_inbound')
    .addColumn('id', t.bigId, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('sender', 'text')
    .addColumn('summary', 'text')
    .addColumn('raw_key', 'text')
    .addColumn('raw_size', 'integer')
    .addColumn('payload', t.json)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('reason', 'text')
    .addColumn('error', 'text')
    .addColumn('case_id', 'integer', (c) => c.references('cases.id'))
    .addColumn('message_id', 'integer', (c) => c.references('messages.id'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .addColumn('processed_at', t.timestamp)
    .execute();
  // A redelivered item (same Message-ID, same provider id) is found, never recorded twice.
  await db.schema
    .createIndex('channel_inbound_external')
    .on('channel_inbound')
    .columns(['organisation_id', 'channel', 'external_id'])
    .unique()
    .where(sql.ref('external_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('channel_inbound_health').on('channel_inbound').columns(['organisation_id', 'channel', 'status', 'received_at']).execute();
  await db.schema.createIndex('channel_inbound_sender').on('channel_inbound').columns(['organisation_id', 'channel', 'sender', 'received_at']).execute();
}
