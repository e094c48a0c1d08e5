import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The open cases assigned to an agent, by due date. An agent sees their departments' cases and
 * the cases assigned to them; sorted by due date or priority, the list reads both sets and sorts
 * them. The departments' side has its partial index (011); the assigned side read every case the
 * agent was ever given — tens of thousands, closed for the most part, for an agent of a few years.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('cases_open_assigned_due')
    .on('cases')
    .columns(['assigned_agent_id', 'due_at'])
    .where(sql.ref('closed_at'), 'is', null)
    .execute();
}
