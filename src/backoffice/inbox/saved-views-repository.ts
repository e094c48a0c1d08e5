import type { Executor } from '../../db/transaction.js';

export interface SavedView {
  id: number;
  name: string;
  /** The inbox query string it stands for. */
  query: string;
}

/** An agent's saved inbox views: only ever read and written for their owner. */
export const savedViewRepository = {
  async list(db: Executor, agentId: number): Promise<SavedView[]> {
    return db.selectFrom('saved_views').select(['id', 'name', 'query']).where('agent_id', '=', agentId).orderBy('position').orderBy('id').execute();
  },

  async insert(db: Executor, agentId: number, name: string, query: string, now: string): Promise<number> {
    const last = await db.selectFrom('saved_views').select((eb) => eb.fn.max('position').as('p')).where('agent_id', '=', agentId).executeTakeFirst();
    const row = await db
      .insertInto('saved_views')
      .values({ agent_id: agentId, name, query, position: Number(last?.p ?? 0) + 1, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /** Renames the agent's view; false when it is not theirs (or gone). */
  async rename(db: Executor, agentId: number, id: number, name: string): Promise<boolean> {
    const result = await db.updateTable('saved_views').set({ name }).where('id', '=', id).where('agent_id', '=', agentId).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  async remove(db: Executor, agentId: number, id: number): Promise<boolean> {
    const result = await db.deleteFrom('saved_views').where('id', '=', id).where('agent_id', '=', agentId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  },
};
