import type { Kysely } from 'kysely';

/**
 * Lists filtered by procedure and status or channel (a procedure's open cases, the share of online
 * requests) read these indexes in received order instead of skipping through every case of the
 * procedure: first pages stay fast at a million cases, whatever the most recent cases are.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('cases_procedure_status_received').on('cases').columns(['procedure_id', 'status', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_procedure_channel_received').on('cases').columns(['procedure_id', 'channel', 'received_at', 'id']).execute();
}
