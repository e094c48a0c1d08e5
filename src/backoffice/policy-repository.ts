import type { Executor } from '../db/transaction.js';
import type { AgentRoleTable } from '../db/schema.js';

/** The queries the back-office's access rules need: an agent's roles and the department tree. */
export const policyRepository = {
  async rolesOf(db: Executor, agentId: number): Promise<{ departmentId: number; role: AgentRoleTable['role'] }[]> {
    const rows = await db.selectFrom('agent_roles').select(['department_id', 'role']).where('agent_id', '=', agentId).execute();
    return rows.map((r) => ({ departmentId: r.department_id, role: r.role }));
  },

  async departmentTree(db: Executor, organisationId: number): Promise<{ id: number; parentId: number | null; name: string }[]> {
    const rows = await db.selectFrom('departments').select(['id', 'parent_id', 'name']).where('organisation_id', '=', organisationId).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, parentId: r.parent_id, name: r.name }));
  },
};
