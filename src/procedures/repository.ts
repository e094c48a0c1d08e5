import type { Selectable } from 'kysely';
import type { ProcedureTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import { fromJson, toJson } from '../db/transaction.js';
import type { FormDefinition } from './form/definition.js';
import { forgetConfiguration } from '../configuration/cache.js';

/** A procedure (démarche) as the rest of Guichet sees it. */
export interface Procedure {
  id: number;
  organisationId: number;
  slug: string;
  title: string;
  category: string;
  description: string;
  form: FormDefinition;
  departmentId: number;
  target: { value: number; unit: ProcedureTable['target_unit'] };
  silence: { regime: ProcedureTable['silence_regime']; delay: { value: number; unit: 'days' | 'weeks' | 'months' } | null };
  retentionDays: number;
  allowAnonymous: boolean;
  isOnline: boolean;
  isLocated: boolean;
  /** Its portal form says reports are public: the Open311 feed shows them (never who sent them). */
  publishesReports: boolean;
}

export type NewProcedure = Omit<Procedure, 'id' | 'publishesReports'> & { publishesReports?: boolean };

/** Every query on the procedures table. */
export const procedureRepository = {
  async list(db: Executor, organisationId: number, options: { onlineOnly: boolean }): Promise<Procedure[]> {
    let query = db.selectFrom('procedures').selectAll().where('organisation_id', '=', organisationId);
    if (options.onlineOnly) query = query.where('is_online', '=', 1);
    const rows = await query.orderBy('category').orderBy('title').execute();
    return rows.map(toProcedure);
  },

  async findBySlug(db: Executor, organisationId: number, slug: string): Promise<Procedure | undefined> {
    const row = await db
      .selectFrom('procedures')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    return row ? toProcedure(row) : undefined;
  },

  async findById(db: Executor, id: number): Promise<Procedure | undefined> {
    const row = await db.selectFrom('procedures').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toProcedure(row) : undefined;
  },

  async insert(db: Executor, p: NewProcedure, now: string): Promise<number> {
    forgetConfiguration();
    const row = await db
      .insertInto('procedures')
      .values({
        organisation_id: p.organisationId,
        slug: p.slug,
        title: p.title,
        category: p.category,
        description: p.description,
        form_definition: toJson(p.form),
        department_id: p.departmentId,
        target_value: p.target.value,
        target_unit: p.target.unit,
        silence_regime: p.silence.regime,
        silence_delay_value: p.silence.delay?.value ?? null,
        silence_delay_unit: p.silence.delay?.unit ?? null,
        retention_days: p.retentionDays,
        allow_anonymous: p.allowAnonymous ? 1 : 0,
        is_online: p.isOnline ? 1 : 0,
        is_located: p.isLocated ? 1 : 0,
        publishes_reports: p.publishesReports ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /** Whether the portal form tells citizens their report is public; applies to reports sent from now on. */
  async setPublishesReports(db: Executor, id: number, publishes: boolean): Promise<void> {
    forgetConfiguration();
    await db.updateTable('procedures').set({ publishes_reports: publishes ? 1 : 0 }).where('id', '=', id).execute();
  },
};

function toProcedure(row: Selectable<ProcedureTable>): Procedure {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    slug: row.slug,
    title: row.title,
    category: row.category,
    description: row.description,
    form: fromJson<FormDefinition>(row.form_definition),
    departmentId: row.department_id,
    target: { value: row.target_value, unit: row.target_unit },
    silence: {
      regime: row.silence_regime,
      delay:
        row.silence_delay_value !== null && row.silence_delay_unit !== null
          ? { value: row.silence_delay_value, unit: row.silence_delay_unit as 'days' | 'weeks' | 'months' }
          : null,
    },
    retentionDays: row.retention_days,
    allowAnonymous: row.allow_anonymous === 1,
    isOnline: row.is_online === 1,
    isLocated: row.is_located === 1,
    publishesReports: row.publishes_reports === 1,
  };
}
