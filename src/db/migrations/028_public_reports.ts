import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

/**
 * Which reports the public Open311 feed may show. A procedure « publishes reports » when its portal
 * form tells the citizen, before they submit, that the report (description, place, state; never
 * who sent it) is public; each case records whether its submitter was told so, at submission:
 * switching the procedure on later never publishes the reports sent before. Reports that came
 * through Open311 itself were public by nature (the street-report applications publish them).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('procedures').addColumn('publishes_reports', t.flag, (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('cases').addColumn('public_report', t.flag, (c) => c.notNull().defaultTo(0)).execute();
  await db.updateTable('cases' as never).set({ public_report: 1 } as never).where(sql.ref('channel'), '=', 'open311').execute();
}
