import type { Selectable } from 'kysely';
import type { DepartmentTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import { fromJson } from '../db/transaction.js';
import type { OpeningHoursJson } from './types.js';

/** Every query on organisations and departments. */
export const organisationRepository = {
  async findDefault(db: Executor) {
    return db.selectFrom('organisations').selectAll().orderBy('id').limit(1).executeTakeFirst();
  },

  async findBySlug(db: Executor, slug: string) {
    return db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
  },

  async findById(db: Executor, id: number) {
    return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async listDepartments(db: Executor, organisationId: number) {
    const rows = await db.selectFrom('departments').selectAll().where('organisation_id', '=', organisationId).orderBy('name').execute();
    return rows.map(toDepartment);
  },

  async findDepartment(db: Executor, id: number) {
    const row = await db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDepartment(row) : undefined;
  },

  async findDepartmentBySlug(db: Executor, organisationId: number, slug: string) {
    const row = await db.selectFrom('departments').selectAll().where('organisation_id', '=', organisationId).where('slug', '=', slug).executeTakeFirst();
    return row ? toDepartment(row) : undefined;
  },

  async findAgentIdByEmail(db: Executor, organisationId: number, email: string): Promise<number | undefined> {
    const row = await db.selectFrom('agents').select('id').where('organisation_id', '=', organisationId).where('email', '=', email.toLowerCase()).executeTakeFirst();
    return row?.id;
  },

  /** Active managers and admins of a department, who hear of its escalations. */
  async listDepartmentManagers(db: Executor, departmentId: number): Promise<{ id: number; email: string; name: string }[]> {
    const rows = await db
      .selectFrom('agent_roles as r')
      .innerJoin('agents as a', 'a.id', 'r.agent_id')
      .select(['a.id', 'a.email', 'a.display_name'])
      .where('r.department_id', '=', departmentId)
      .where('r.role', 'in', ['manager', 'admin'])
      .where('a.is_active', '=', 1)
      .distinct()
      .orderBy('a.id')
      .execute();
    return rows.map((r) => ({ id: r.id, email: r.email, name: r.display_name }));
  },

  /** The workflow roles an agent holds on a department: their own roles there. */
  async agentRolesOn(db: Executor, agentId: number, departmentId: number): Promise<('agent' | 'manager' | 'admin')[]> {
    const rows = await db.selectFrom('agent_roles').select('role').where('agent_id', '=', agentId).where('department_id', '=', departmentId).execute();
    return rows.map((r) => r.role);
  },

  async listAgentEmails(db: Executor, organisationId: number): Promise<string[]> {
    const rows = await db.selectFrom('agents').select('email').where('organisation_id', '=', organisationId).execute();
    return rows.map((r) => r.email);
  },

  async findReception(db: Executor, organisationId: number) {
    const row = await db
      .selectFrom('departments')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('is_reception', '=', 1)
      .orderBy('id')
      .executeTakeFirst();
    return row ? toDepartment(row) : undefined;
  },
};

function toDepartment(row: Selectable<DepartmentTable>) {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    parentId: row.parent_id,
    slug: row.slug,
    name: row.name,
    email: row.email,
    phone: row.phone,
    address: row.address,
    openingHours: fromJson<OpeningHoursJson>(row.opening_hours),
    isReception: row.is_reception === 1,
  };
}

export type Department = ReturnType<typeof toDepartment>;
