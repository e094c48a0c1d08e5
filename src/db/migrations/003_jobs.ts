import { sql, type Kysely } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/**
 * Durable jobs: timers and outgoing work (messages, webhooks, documents) written in the same
 * transaction as the change that calls for them, and run by workers afterwards.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('jobs')
    .addColumn('id', t.bigId, (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql.raw(`state in ('pending', 'running', 'done', 'dead')`)))
    .addColumn('run_at', t.timestamp, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // Null: the job type's own limit applies (or the default), so a type can change it later.
    .addColumn('max_attempts', 'integer')
    // The worker holding the job and until when: past that time another worker may take it over.
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', t.timestamp)
    .addColumn('last_error', 'text')
    // Enqueueing the same key twice keeps the first job: callers name a job by what it is for.
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .execute();
  // Workers claim by (state, run_at): due pending jobs in order, and running jobs whose lease expired.
  await db.schema.createIndex('jobs_state_run_at').on('jobs').columns(['state', 'run_at']).execute();
}
