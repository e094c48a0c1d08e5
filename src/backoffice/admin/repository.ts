import type { AgentRoleTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/** An agent as the administration lists them. */
export interface AgentSummary {
  id: number;
  email: string;
  name: string;
  isActive: boolean;
  totpEnabled: boolean;
  proConnectBound: boolean;
  lastSignInAt: string | null;
  roles: { departmentId: number; departmentName: string; role: AgentRoleTable['role'] }[];
}

/** Every query of the administration pages (agents, their roles, the organisation's settings). */
export const adminRepository = {
  async listAgents(db: Executor, organisationId: number): Promise<AgentSummary[]> {
    const agents = await db
      .selectFrom('agents')
      .select(['id', 'email', 'display_name', 'is_active', 'totp_enabled_at', 'proconnect_subject', 'last_sign_in_at'])
      .where('organisation_id', '=', organisationId)
      .orderBy('display_name')
      .orderBy('id')
      .execute();
    const roles = await db
      .selectFrom('agent_roles as r')
      .innerJoin('agents as a', 'a.id', 'r.agent_id')
      .innerJoin('departments as d', 'd.id', 'r.department_id')
      .select(['r.agent_id', 'r.department_id', 'd.name', 'r.role'])
      .where('a.organisation_id', '=', organisationId)
      .orderBy('d.name')
      .execute();
    return agents.map((a) => ({
      id: a.id,
      email: a.email,
      name: a.display_name,
      isActive: a.is_active === 1,
      totpEnabled: a.totp_enabled_at !== null,
      proConnectBound: a.proconnect_subject !== null,
      lastSignInAt: a.last_sign_in_at,
      roles: roles.filter((r) => r.agent_id === a.id).map((r) => ({ departmentId: r.department_id, departmentName: r.name, role: r.role })),
    }));
  },

  async findAgent(db: Executor, organisationId: number, agentId: number): Promise<AgentSummary | undefined> {
    return (await this.listAgents(db, organisationId)).find((a) => a.id === agentId);
  },

  async emailTaken(db: Executor, organisationId: number, email: string): Promise<boolean> {
    return (await db.selectFrom('agents').select('id').where('organisation_id', '=', organisationId).where('email', '=', email).executeTakeFirst()) !== undefined;
  },

  async insertAgent(db: Executor, a: { organisationId: number; email: string; name: string; passwordHash: string; now: string }): Promise<number> {
    const row = await db
      .insertInto('agents')
      .values({ organisation_id: a.organisationId, email: a.email, display_name: a.name, password_hash: a.passwordHash, is_active: 1, created_at: a.now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /** Replaces an agent's roles by these. */
  async replaceRoles(db: Executor, agentId: number, roles: { departmentId: number; role: AgentRoleTable['role'] }[]): Promise<void> {
    await db.deleteFrom('agent_roles').where('agent_id', '=', agentId).execute();
    if (roles.length > 0) await db.insertInto('agent_roles').values(roles.map((r) => ({ agent_id: agentId, department_id: r.departmentId, role: r.role }))).execute();
  },

  async setActive(db: Executor, agentId: number, active: boolean): Promise<void> {
    await db.updateTable('agents').set({ is_active: active ? 1 : 0 }).where('id', '=', agentId).execute();
  },

  async clearTotp(db: Executor, agentId: number): Promise<void> {
    await db.updateTable('agents').set({ totp_secret: null, totp_enabled_at: null, totp_last_counter: null }).where('id', '=', agentId).execute();
  },

  async setPasswordHash(db: Executor, agentId: number, passwordHash: string): Promise<void> {
    await db.updateTable('agents').set({ password_hash: passwordHash }).where('id', '=', agentId).execute();
  },

  async totpRequired(db: Executor, organisationId: number): Promise<boolean> {
    const row = await db.selectFrom('organisations').select('agent_totp_required').where('id', '=', organisationId).executeTakeFirst();
    return row?.agent_totp_required === 1;
  },

  async setTotpRequired(db: Executor, organisationId: number, required: boolean): Promise<void> {
    await db.updateTable('organisations').set({ agent_totp_required: required ? 1 : 0 }).where('id', '=', organisationId).execute();
  },

  /** The organisation's agents by name, for the access log's filter. */
  async agentNames(db: Executor, organisationId: number): Promise<{ id: number; name: string }[]> {
    const rows = await db.selectFrom('agents').select(['id', 'display_name']).where('organisation_id', '=', organisationId).orderBy('display_name').execute();
    return rows.map((r) => ({ id: r.id, name: r.display_name }));
  },
};
