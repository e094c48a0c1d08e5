import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/** The core model: organisation, departments, agents, citizens, procedures, cases and their journal. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('organisations')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('cog', 'text')
    .addColumn('siren', 'text')
    .addColumn('address', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('website', 'text')
    .addColumn('branding', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .execute();

  await db.schema
    .createTable('departments')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('parent_id', 'integer', (c) => c.references('departments.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('address', 'text')
    .addColumn('opening_hours', t.json, (c) => c.notNull())
    .addColumn('is_reception', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .addUniqueConstraint('departments_org_slug', ['organisation_id', 'slug'])
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('is_active', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .addUniqueConstraint('agents_org_email', ['organisation_id', 'email'])
    .execute();

  await db.schema
    .createTable('agent_roles')
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sqlIn('role', ['agent', 'manager', 'admin'])))
    .addPrimaryKeyConstraint('agent_roles_pk', ['agent_id', 'department_id'])
    .execute();

  await db.schema
    .createTable('households')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .execute();

  await db.schema
    .createTable('citizens')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('civility', 'text')
    .addColumn('birth_name', 'text')
    .addColumn('usage_name', 'text')
    .addColumn('first_names', 'text')
    .addColumn('birth_date', t.date)
    .addColumn('identity_assurance', 'text', (c) =>
      c.notNull().defaultTo('declared').check(sqlIn('identity_assurance', ['declared', 'franceconnect', 'counter'])),
    )
    .addColumn('household_id', 'integer', (c) => c.references('households.id'))
    .addColumn('possible_duplicate_of', 'integer', (c) => c.references('citizens.id'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .execute();
  await db.schema.createIndex('citizens_household').on('citizens').column('household_id').execute();

  await db.schema
    .createTable('household_members')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('household_id', 'integer', (c) => c.notNull().references('households.id'))
    .addColumn('citizen_id', 'integer', (c) => c.references('citizens.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sqlIn('role', ['adult', 'child'])))
    .addColumn('relationship', 'text')
    .addColumn('first_names', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('birth_date', t.date)
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .execute();
  await db.schema.createIndex('household_members_household').on('household_members').column('household_id').execute();

  await db.schema
    .createTable('citizen_identities')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .addUniqueConstraint('citizen_identities_provider_subject', ['provider', 'subject'])
    .execute();

  await db.schema
    .createTable('citizen_emails')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('is_primary', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('verified_at', t.timestamp)
    .execute();
  await db.schema.createIndex('citizen_emails_email').on('citizen_emails').column('email').execute();
  await db.schema.createIndex('citizen_emails_citizen').on('citizen_emails').column('citizen_id').execute();

  await db.schema
    .createTable('citizen_phones')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('is_primary', t.flag, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('citizen_phones_phone').on('citizen_phones').column('phone').execute();
  await db.schema.createIndex('citizen_phones_citizen').on('citizen_phones').column('citizen_id').execute();

  await db.schema
    .createTable('citizen_addresses')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('line1', 'text', (c) => c.notNull())
    .addColumn('line2', 'text')
    .addColumn('postcode', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull().defaultTo('FR'))
    .addColumn('ban_id', 'text')
    .addColumn('is_primary', t.flag, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('citizen_addresses_citizen').on('citizen_addresses').column('citizen_id').execute();

  await db.schema
    .createTable('procedures')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('form_definition', t.json, (c) => c.notNull())
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .addColumn('target_value', 'integer', (c) => c.notNull())
    .addColumn('target_unit', 'text', (c) =>
      c.notNull().check(sqlIn('target_unit', ['business_days', 'business_hours', 'calendar_days'])),
    )
    .addColumn('silence_regime', 'text', (c) =>
      c.notNull().defaultTo('none').check(sqlIn('silence_regime', ['none', 'accept', 'reject'])),
    )
    .addColumn('silence_delay_value', 'integer')
    .addColumn('silence_delay_unit', 'text')
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .addColumn('allow_anonymous', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('is_online', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('is_located', t.flag, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
    .addUniqueConstraint('procedures_org_slug', ['organisation_id', 'slug'])
    .execute();

  await db.schema
    .createTable('routing_rules')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('procedure_id', 'integer', (c) => c.references('procedures.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('condition', t.json)
    .addColumn('sector', t.json)
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('tracking_code', 'text', (c) => c.notNull().unique())
    .addColumn('procedure_id', 'integer', (c) => c.references('procedures.id'))
    .addColumn('citizen_id', 'integer', (c) => c.references('citizens.id'))
    .addColumn('channel', 'text', (c) =>
      c.notNull().check(sqlIn('channel', ['web', 'mobile', 'email', 'phone', 'counter', 'mail', 'social', 'api', 'open311'])),
    )
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .addColumn('assigned_agent_id', 'integer', (c) => c.references('agents.id'))
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal').check(sqlIn('priority', ['low', 'normal', 'high', 'urgent'])))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('lat', t.real)
    .addColumn('lon', t.real)
    .addColumn('data', t.json, (c) => c.notNull())
    .addColumn('contact_email', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .addColumn('due_at', t.timestamp)
    .addColumn('implicit_decision_at', t.timestamp)
    .addColumn('closed_at', t.timestamp)
    .addColumn('outcome', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('cases_org_reference', ['organisation_id', 'reference'])
    .execute();
  // Keyset pagination walks (received_at, id) backwards; each common filter leads its own index.
  await db.schema.createIndex('cases_org_received').on('cases').columns(['organisation_id', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_dept_status_received').on('cases').columns(['department_id', 'status', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_status_received').on('cases').columns(['status', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_procedure_received').on('cases').columns(['procedure_id', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_channel_received').on('cases').columns(['channel', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_citizen').on('cases').column('citizen_id').execute();

  await db.schema
    .createTable('case_journal')
    .addColumn('id', t.bigId, (c) => c.primaryKey())
    .addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) =>
      c.notNull().check(sqlIn('actor_type', ['citizen', 'agent', 'system', 'integration'])),
    )
    .addColumn('actor_id', 'text')
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('case_journal_case_seq', ['case_id', 'seq'])
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', t.bigId, (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'integer', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('published_at', t.timestamp)
    .execute();
  await db.schema.createIndex('outbox_unpublished').on('outbox').columns(['published_at', 'id']).execute();

  await db.schema
    .createTable('reference_counters')
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('reference_counters_pk', ['organisation_id', 'year'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id'))
    .addColumn('response', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_used_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('case_id', 'integer', (c) => c.references('cases.id'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_case').on('attachments').column('case_id').execute();
}

function sqlIn(column: string, values: string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);
}

