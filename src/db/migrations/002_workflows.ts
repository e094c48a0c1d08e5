import { sql, type Kysely } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/**
 * Workflows, versioned per procedure (a case keeps the version it started with), the periods a
 * case waits for the citizen (they pause the handling clock), labels, and case messages.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('workflows')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('procedure_id', 'integer', (c) => c.notNull().references('procedures.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', t.json, (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('workflows_procedure_version', ['procedure_id', 'version'])
    .execute();

  await db.schema.alterTable('cases').addColumn('workflow_id', 'integer', (c) => c.references('workflows.id')).execute();
  await db.schema.alterTable('cases').addColumn('labels', t.json, (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('cases').addColumn('status_entered_at', t.timestamp).execute();
  // Set once the legal silence delay has run out and the implicit decision was recorded.
  await db.schema.alterTable('cases').addColumn('implicit_decision_recorded_at', t.timestamp).execute();
  // Set when managers were alerted that the case is overdue; cleared when its due time moves.
  await db.schema.alterTable('cases').addColumn('overdue_escalated_at', t.timestamp).execute();
  // The deadline sweep looks for open cases past a date: partial indexes keep that cheap at scale.
  await db.schema
    .createIndex('cases_overdue_watch')
    .on('cases')
    .column('due_at')
    .where(sql.ref('closed_at'), 'is', null)
    .where(sql.ref('overdue_escalated_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('cases_silence_watch')
    .on('cases')
    .column('implicit_decision_at')
    .where(sql.ref('closed_at'), 'is', null)
    .where(sql.ref('implicit_decision_recorded_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('case_pauses')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    // How a pause acts on the legal silence delay: 'suspend', 'restart', or null (it does not).
    .addColumn('silence_mode', 'text')
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('ended_at', t.timestamp)
    .execute();
  await db.schema.createIndex('case_pauses_case').on('case_pauses').columns(['case_id', 'ended_at']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('sent_at', t.timestamp)
    .execute();
  await db.schema.createIndex('messages_case').on('messages').column('case_id').execute();
}
