import type { Kysely } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/**
 * The agents' back-office: sessions with a second factor (TOTP) or ProConnect, the access log of
 * personal data views, saved inbox views, response templates, mentions of colleagues in internal
 * notes, the postal mail register with its yearly numbering, and citizen record merges (the merged
 * record stays, pointing at the kept one, so what was merged can always be shown).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema.alterTable('agents').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('agents').addColumn('totp_enabled_at', t.timestamp).execute();
  await db.schema.alterTable('agents').addColumn('proconnect_subject', 'text').execute();
  await db.schema.alterTable('agents').addColumn('phone_extension', 'text').execute();
  await db.schema.alterTable('agents').addColumn('last_sign_in_at', t.timestamp).execute();
  await db.schema.alterTable('organisations').addColumn('agent_totp_required', t.flag, (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('citizens').addColumn('merged_into_id', 'integer').execute();

  await db.schema
    .createTable('agent_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('id_token', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    .execute();
  await db.schema.createIndex('agent_sessions_agent').on('agent_sessions').column('agent_id').execute();

  await db.schema
    .createTable('access_log')
    .addColumn('id', t.bigId, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('citizen_id', 'integer')
    .addColumn('case_id', 'integer')
    .addColumn('detail', 'text')
    .addColumn('ip', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_log_citizen').on('access_log').columns(['citizen_id', 'created_at']).execute();
  await db.schema.createIndex('access_log_agent').on('access_log').columns(['agent_id', 'created_at']).execute();
  await db.schema.createIndex('access_log_org').on('access_log').columns(['organisation_id', 'created_at']).execute();

  await db.schema
    .createTable('saved_views')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_views_agent').on('saved_views').column('agent_id').execute();

  await db.schema
    .createTable('response_templates')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('department_id', 'integer', (c) => c.references('departments.id'))
    .addColumn('procedure_id', 'integer', (c) => c.references('procedures.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('is_active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('updated_by', 'integer')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('response_templates_slug').unique().on('response_templates').columns(['organisation_id', 'slug']).execute();

  await db.schema
    .createTable('agent_mentions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id'))
    .addColumn('journal_seq', 'integer', (c) => c.notNull())
    .addColumn('author_agent_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('read_at', t.timestamp)
    .execute();
  await db.schema.createIndex('agent_mentions_agent').on('agent_mentions').columns(['agent_id', 'read_at']).execute();

  await db.schema
    .createTable('mail_register')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('register_number', 'text', (c) => c.notNull())
    .addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id'))
    .addColumn('received_on', t.date, (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mail_register_number').unique().on('mail_register').columns(['organisation_id', 'register_number']).execute();
  await db.schema.createIndex('mail_register_received').on('mail_register').columns(['organisation_id', 'received_on']).execute();
  await db.schema
    .createTable('mail_register_counters')
    .addColumn('organisation_id', 'integer', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('mail_register_counters_pk', ['organisation_id', 'year'])
    .execute();

  await db.schema
    .createTable('citizen_merges')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('kept_citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('merged_citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('snapshot', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('citizen_merges_kept').on('citizen_merges').column('kept_citizen_id').execute();
}
