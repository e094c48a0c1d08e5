/**
 * The one write of the history generator that the bulk case repository does not do yet: the
 * workflow version of each case. `bulkCaseRepository` inserts a fixed list of columns that does
 * not include `workflow_id`; until it does, the generator sets it right after inserting a batch,
 * in the same transaction, with one statement per batch.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/transaction.js';

export const historyRepository = {
  /** Sets the workflow of the cases with ids in [firstId, lastId] that have none, from their procedure. */
  async attachWorkflows(trx: Executor, firstId: number, lastId: number, workflowByProcedure: ReadonlyMap<number, number>): Promise<void> {
    if (workflowByProcedure.size === 0 || lastId < firstId) return;
    // Ids are inlined as literals: PostgreSQL could not type bound parameters inside the CASE.
    const entries = [...workflowByProcedure].map(([procedureId, workflowId]) => [sql.lit(integer(procedureId)), sql.lit(integer(workflowId))] as const);
    await trx
      .updateTable('cases')
      .set((eb) => {
        const [first, ...rest] = entries as [(typeof entries)[number], ...typeof entries];
        let chain = eb.case('procedure_id').when(first[0]).then(first[1]);
        for (const [procedureId, workflowId] of rest) chain = chain.when(procedureId).then(workflowId);
        return { workflow_id: chain.end() };
      })
      .where('id', '>=', firstId)
      .where('id', '<=', lastId)
      .where('workflow_id', 'is', null)
      .execute();
  },
};

function integer(value: number): number {
  if (!Number.isSafeInteger(value)) throw new Error(`not an id: ${value}`);
  return value;
}
