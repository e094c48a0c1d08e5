import type { Kysely } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/**
 * Citizens in the back-office: a normalised name to search by (accents, case and punctuation
 * removed, so « Élodie-Marie DUPONT » is found by « elodie dupont »), and the decisions that two
 * records flagged as possible duplicates are different people (who decided, when).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('citizens').addColumn('search_name', 'text').execute();
  await db.schema.createIndex('citizens_search_name').on('citizens').columns(['organisation_id', 'search_name']).execute();

  // Existing records: the same normalisation as `searchNameOf` (src/citizens/search.ts), frozen here.
  const k = db as Kysely<{ citizens: { id: number; birth_name: string | null; usage_name: string | null; first_names: string | null; search_name: string | null } }>;
  const rows = await k.selectFrom('citizens').select(['id', 'birth_name', 'usage_name', 'first_names']).execute();
  for (const r of rows) {
    const name = [r.birth_name, r.usage_name, r.first_names]
      .filter((n): n is string => !!n)
      .map((n) => n.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim())
      .filter(Boolean)
      .join(' ');
    await k.updateTable('citizens').set({ search_name: name ? ` ${name}` : null }).where('id', '=', r.id).execute();
  }

  await db.schema
    .createTable('citizen_duplicate_dismissals')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('other_citizen_id', 'integer', (c) => c.notNull().references('citizens.id'))
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('citizen_duplicate_dismissals_citizen').on('citizen_duplicate_dismissals').column('citizen_id').execute();
}
