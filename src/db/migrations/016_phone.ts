import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

/**
 * The phone channel's calls: one row per call id the telephony system (PBX) reports, updated by
 * its events (newCall → answer → hangup). The matched citizen and the agent whose extension rang
 * are kept, so a screen pop can be shown again and the call appears in the citizen's history.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('phone_calls')
    .addColumn('id', t.bigId, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('caller_e164', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('extension', 'text')
    .addColumn('agent_id', 'integer', (c) => c.references('agents.id'))
    .addColumn('citizen_id', 'integer', (c) => c.references('citizens.id'))
    .addColumn('citizen_matches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cause', 'text')
    // The request an agent registered from this call (« create a request from this call »).
    .addColumn('case_id', 'integer', (c) => c.references('cases.id'))
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('answered_at', t.timestamp)
    .addColumn('ended_at', t.timestamp)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phone_calls_call_id').on('phone_calls').columns(['organisation_id', 'call_id']).unique().execute();
  // An agent's live stream (their calls not ended) and calls page (their calls, newest first).
  await db.schema.createIndex('phone_calls_agent').on('phone_calls').columns(['agent_id', 'state', 'started_at']).execute();
  await db.schema.createIndex('phone_calls_citizen').on('phone_calls').columns(['citizen_id', 'started_at']).execute();
  await db.schema.createIndex('phone_calls_recent').on('phone_calls').columns(['organisation_id', 'started_at']).execute();
}
