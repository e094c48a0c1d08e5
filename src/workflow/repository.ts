import type { Executor } from '../db/transaction.js';
import { fromJson, toJson } from '../db/transaction.js';
import type { WorkflowDefinition } from './definition.js';

/** A published version of a procedure's workflow. Versions are immutable once published. */
export interface WorkflowVersion {
  id: number;
  procedureId: number;
  version: number;
  definition: WorkflowDefinition;
  publishedBy: string | null;
  createdAt: string;
}

/** Every query on workflows. */
export const workflowRepository = {
  /** Publishes the next version; running cases keep the version they started with. */
  async publish(db: Executor, procedureId: number, definition: WorkflowDefinition, publishedBy: string | null, now: string): Promise<WorkflowVersion> {
    const last = await db.selectFrom('workflows').select((eb) => eb.fn.max('version').as('v')).where('procedure_id', '=', procedureId).executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    const row = await db
      .insertInto('workflows')
      .values({ procedure_id: procedureId, version, definition: toJson(definition), published_by: publishedBy, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, procedureId, version, definition, publishedBy, createdAt: now };
  },

  async latest(db: Executor, procedureId: number): Promise<WorkflowVersion | undefined> {
    const row = await db.selectFrom('workflows').selectAll().where('procedure_id', '=', procedureId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? toVersion(row) : undefined;
  },

  async byId(db: Executor, id: number): Promise<WorkflowVersion | undefined> {
    const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toVersion(row) : undefined;
  },

  async versions(db: Executor, procedureId: number): Promise<Omit<WorkflowVersion, 'definition'>[]> {
    const rows = await db.selectFrom('workflows').select(['id', 'procedure_id', 'version', 'published_by', 'created_at']).where('procedure_id', '=', procedureId).orderBy('version').execute();
    return rows.map((r) => ({ id: r.id, procedureId: r.procedure_id, version: r.version, publishedBy: r.published_by, createdAt: r.created_at }));
  },
};

function toVersion(row: { id: number; procedure_id: number; version: number; definition: string; published_by: string | null; created_at: string }): WorkflowVersion {
  return {
    id: row.id,
    procedureId: row.procedure_id,
    version: row.version,
    definition: fromJson<WorkflowDefinition>(row.definition),
    publishedBy: row.published_by,
    createdAt: row.created_at,
  };
}
