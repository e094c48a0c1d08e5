import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

/**
 * The sources of the generic inbound webhook (a Decidim instance, a Facebook page relay…): each one
 * has its own signing secret, the way it signs (header names, signed string), and the declarative
 * mapping from its JSON to the intake. The secret is kept as is because verifying an HMAC needs it;
 * it is shown once at creation and never again (pages, lists and logs omit it).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('webhook_sources')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('signature_header', 'text', (c) => c.notNull())
    .addColumn('signature_format', 'text', (c) => c.notNull())
    .addColumn('timestamp_header', 'text')
    .addColumn('delivery_header', 'text')
    .addColumn('mapping', t.json, (c) => c.notNull())
    .addColumn('procedure_slug', 'text')
    .addColumn('enabled', t.flag, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('secret_rotated_at', t.timestamp)
    .addUniqueConstraint('webhook_sources_slug', ['organisation_id', 'slug'])
    .execute();
}
