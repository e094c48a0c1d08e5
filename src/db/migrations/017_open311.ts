import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Open311 GeoReport v2: a procedure is offered to street-report applications as a « service »
 * when it has a service code (null: not exposed). Codes are unique within an organisation; several
 * procedures may stay without one. Tokens need no table of their own: the token answered to a POST
 * is the external id of its `channel_inbound` receipt (see docs/channels/open311.md).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('procedures').addColumn('open311_service_code', 'text').execute();
  // NULLs never collide in a unique index (SQLite and PostgreSQL alike): unexposed procedures stay free.
  await db.schema.createIndex('procedures_open311_service_code').on('procedures').columns(['organisation_id', 'open311_service_code']).unique().execute();
  // servicerequestupdates walks status changes by time; without this it would scan the whole journal.
  await db.schema.createIndex('case_journal_type_created').on('case_journal').columns(['type', 'created_at']).execute();
}
