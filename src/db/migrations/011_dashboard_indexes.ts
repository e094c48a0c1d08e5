import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The dashboard's counts per department: open cases by due time (at risk, overdue) read a small
 * partial index of open cases, and cases closed this week a (department, closed) index that covers
 * the handling-time average — instead of every case of the town's history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('cases_open_dept_due')
    .on('cases')
    .columns(['department_id', 'due_at'])
    .where(sql.ref('closed_at'), 'is', null)
    .execute();
  await db.schema.createIndex('cases_dept_closed').on('cases').columns(['department_id', 'closed_at', 'received_at']).execute();
}
