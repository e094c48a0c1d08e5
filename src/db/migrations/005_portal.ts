import type { Kysely } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/**
 * The citizen portal: accounts and their sessions, one-time e-mail tokens, mail that belongs to no
 * case (account e-mails), form drafts, the document safe (porte-documents), satisfaction answers,
 * and the identity attributes FranceConnect certifies. Files uploaded before a case exists belong
 * to a citizen or a draft, so that nobody else can cite them.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema.alterTable('citizens').addColumn('gender', 'text').execute();
  await db.schema.alterTable('citizens').addColumn('birth_place', 'text').execute();
  await db.schema.alterTable('citizens').addColumn('birth_country', 'text').execute();
  await db.schema.alterTable('organisations').addColumn('legal', t.json).execute();

  await db.schema
    .createTable('citizen_accounts')
    .addColumn('citizen_id', 'integer', (c) => c.primaryKey().references('citizens.id'))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('email_verified_at', t.timestamp)
    .addColumn('notify_email', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('notify_sms', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('deletion_requested_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('citizen_accounts_email').unique().on('citizen_accounts').columns(['organisation_id', 'email']).execute();

  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('id_token', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('revoked_at', t.timestamp)
    .execute();
  await db.schema.createIndex('portal_sessions_citizen').on('portal_sessions').column('citizen_id').execute();

  await db.schema
    .createTable('account_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .execute();
  await db.schema.createIndex('account_tokens_citizen').on('account_tokens').columns(['citizen_id', 'purpose']).execute();

  await db.schema
    .createTable('outgoing_mails')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('sent_at', t.timestamp)
    .execute();

  await db.schema
    .createTable('form_drafts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('procedure_id', 'integer', (c) => c.notNull().references('procedures.id'))
    .addColumn('citizen_id', 'integer', (c) => c.references('citizens.id'))
    .addColumn('visitor_id', 'text')
    .addColumn('data', t.json, (c) => c.notNull())
    .addColumn('contact', t.json)
    .addColumn('page_id', 'text')
    .addColumn('case_id', 'integer', (c) => c.references('cases.id'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('form_drafts_citizen').on('form_drafts').columns(['citizen_id', 'updated_at']).execute();
  await db.schema.createIndex('form_drafts_visitor').on('form_drafts').column('visitor_id').execute();

  await db.schema.alterTable('attachments').addColumn('citizen_id', 'integer', (c) => c.references('citizens.id')).execute();
  await db.schema.alterTable('attachments').addColumn('draft_id', 'text').execute();
  await db.schema.alterTable('attachments').addColumn('message_id', 'integer', (c) => c.references('messages.id')).execute();
  await db.schema.createIndex('attachments_draft').on('attachments').column('draft_id').execute();

  await db.schema
    .createTable('citizen_documents')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('attachment_id', 'text', (c) => c.notNull().references('attachments.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('expires_on', t.date)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('deleted_at', t.timestamp)
    .execute();
  await db.schema.createIndex('citizen_documents_citizen').on('citizen_documents').column('citizen_id').execute();

  await db.schema
    .createTable('satisfaction_answers')
    .addColumn('case_id', 'integer', (c) => c.primaryKey().references('cases.id'))
    .addColumn('citizen_id', 'integer', (c) => c.references('citizens.id'))
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
}
