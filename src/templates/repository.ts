import type { Selectable } from 'kysely';
import type { ResponseTemplateTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';

/**
 * Response templates are a domain of their own: the back-office edits them and the workflow's
 * message actions render them by slug, so their queries live here rather than in either.
 */

/** A response template with the names of where it applies. */
export interface ResponseTemplate {
  id: number;
  organisationId: number;
  departmentId: number | null;
  procedureId: number | null;
  slug: string;
  name: string;
  subject: string;
  body: string;
  isActive: boolean;
  updatedBy: number | null;
  createdAt: string;
  updatedAt: string;
  departmentName: string | null;
  procedureTitle: string | null;
  /** The procedure's department: who manages a procedure's template. */
  procedureDepartmentId: number | null;
}

export interface TemplateFields {
  departmentId: number | null;
  procedureId: number | null;
  slug: string;
  name: string;
  subject: string;
  body: string;
}

function templates(db: Executor) {
  return db
    .selectFrom('response_templates as t')
    .leftJoin('departments as d', 'd.id', 't.department_id')
    .leftJoin('procedures as p', 'p.id', 't.procedure_id')
    .selectAll('t')
    .select(['d.name as department_name', 'p.title as procedure_title', 'p.department_id as procedure_department_id']);
}

type Row = Selectable<ResponseTemplateTable> & { department_name: string | null; procedure_title: string | null; procedure_department_id: number | null };

function toTemplate(r: Row): ResponseTemplate {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    departmentId: r.department_id,
    procedureId: r.procedure_id,
    slug: r.slug,
    name: r.name,
    subject: r.subject,
    body: r.body,
    isActive: r.is_active === 1,
    updatedBy: r.updated_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    departmentName: r.department_name,
    procedureTitle: r.procedure_title,
    procedureDepartmentId: r.procedure_department_id,
  };
}

/** Every query on response templates. */
export const responseTemplateRepository = {
  /** All templates of the organisation, active first, by name; the service filters by scope. */
  async list(db: Executor, organisationId: number): Promise<ResponseTemplate[]> {
    const rows = await templates(db).where('t.organisation_id', '=', organisationId).orderBy('t.is_active', 'desc').orderBy('t.name').orderBy('t.id').execute();
    return rows.map(toTemplate);
  },

  /** Active templates for a case: organisation-wide ones, its department's, its procedure's. */
  async forCase(db: Executor, organisationId: number, departmentId: number, procedureId: number | null): Promise<ResponseTemplate[]> {
    const rows = await templates(db)
      .where('t.organisation_id', '=', organisationId)
      .where('t.is_active', '=', 1)
      .where((eb) =>
        eb.or([
          eb.and([eb('t.department_id', 'is', null), eb('t.procedure_id', 'is', null)]),
          eb('t.department_id', '=', departmentId),
          ...(procedureId !== null ? [eb('t.procedure_id', '=', procedureId)] : []),
        ]),
      )
      .orderBy('t.name')
      .orderBy('t.id')
      .execute();
    return rows.map(toTemplate);
  },

  async findById(db: Executor, organisationId: number, id: number): Promise<ResponseTemplate | undefined> {
    const row = await templates(db).where('t.organisation_id', '=', organisationId).where('t.id', '=', id).executeTakeFirst();
    return row ? toTemplate(row) : undefined;
  },

  async findBySlug(db: Executor, organisationId: number, slug: string): Promise<ResponseTemplate | undefined> {
    const row = await templates(db).where('t.organisation_id', '=', organisationId).where('t.slug', '=', slug).executeTakeFirst();
    return row ? toTemplate(row) : undefined;
  },

  /** Slugs of the organisation's active templates (checking workflows that name them). */
  async activeSlugs(db: Executor, organisationId: number): Promise<string[]> {
    const rows = await db.selectFrom('response_templates').select('slug').where('organisation_id', '=', organisationId).where('is_active', '=', 1).execute();
    return rows.map((r) => r.slug);
  },

  async slugTaken(db: Executor, organisationId: number, slug: string, exceptId: number | null): Promise<boolean> {
    let query = db.selectFrom('response_templates').select('id').where('organisation_id', '=', organisationId).where('slug', '=', slug);
    if (exceptId !== null) query = query.where('id', '!=', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  },

  async insert(db: Executor, organisationId: number, t: TemplateFields, agentId: number | null, now: string): Promise<number> {
    const row = await db
      .insertInto('response_templates')
      .values({
        organisation_id: organisationId,
        department_id: t.departmentId,
        procedure_id: t.procedureId,
        slug: t.slug,
        name: t.name,
        subject: t.subject,
        body: t.body,
        is_active: 1,
        updated_by: agentId,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async update(db: Executor, organisationId: number, id: number, t: TemplateFields, agentId: number, now: string): Promise<void> {
    await db
      .updateTable('response_templates')
      .set({ department_id: t.departmentId, procedure_id: t.procedureId, slug: t.slug, name: t.name, subject: t.subject, body: t.body, updated_by: agentId, updated_at: now })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .execute();
  },

  async setActive(db: Executor, organisationId: number, id: number, active: boolean, agentId: number, now: string): Promise<void> {
    await db
      .updateTable('response_templates')
      .set({ is_active: active ? 1 : 0, updated_by: agentId, updated_at: now })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .execute();
  },
};
