import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

/**
 * What a citizen merge needs to be answerable and reversible (security audit, issue 13): how the
 * agent checked the person's identity when a portal account or a FranceConnect identity was
 * involved, exactly which rows moved or were removed (`moved`, JSON: case ids, contact ids,
 * identities, household memberships, account…) so that « Séparer » moves back only those, and when
 * and by whom the merge was split back (a split merge cannot be split again). Merges made before
 * this migration have no `moved`: they cannot be split back from the pages.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
  await db.schema.alterTable('citizen_merges').addColumn('identity_check', 'text').execute();
  await db.schema.alterTable('citizen_merges').addColumn('moved', t.json).execute();
  await db.schema.alterTable('citizen_merges').addColumn('split_at', t.timestamp).execute();
  await db.schema.alterTable('citizen_merges').addColumn('split_by', 'integer', (c) => c.references('agents.id')).execute();
  await db.schema.createIndex('citizen_merges_merged').on('citizen_merges').column('merged_citizen_id').execute();
}
