import type { Kysely } from 'kysely';

/**
 * Lists filtered by procedure and status or channel (a procedure's open cases, the share of online
 * requests) read these indexes in received order instead of skipping through every case of the
 * procedure: first pages stay fast at a million cases, whatever the most recent cases are. The
 * organisation comes first, as in every list query: an index that matches all of the filter is
 * one the PostgreSQL planner never passes over for the (organisation, received) one, even when its
 * statistics are stale after a burst of cases from one channel.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('cases_org_procedure_status_received').on('cases').columns(['organisation_id', 'procedure_id', 'status', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_org_procedure_channel_received').on('cases').columns(['organisation_id', 'procedure_id', 'channel', 'received_at', 'id']).execute();
}
