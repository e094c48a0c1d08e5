import type { Executor } from '../../db/transaction.js';
import type { AgentRoleTable } from '../../db/schema.js';

/** What signing in needs to know of an agent. */
export interface AgentCredentials {
  id: number;
  organisationId: number;
  email: string;
  name: string;
  passwordHash: string | null;
  isActive: boolean;
  totpSecret: string | null;
  totpEnabled: boolean;
  proconnectSubject: string | null;
}

const CREDENTIAL_COLUMNS = [
  'id',
  'organisation_id',
  'email',
  'display_name',
  'password_hash',
  'is_active',
  'totp_secret',
  'totp_enabled_at',
  'proconnect_subject',
] as const;

type CredentialRow = {
  id: number;
  organisation_id: number;
  email: string;
  display_name: string;
  password_hash: string | null;
  is_active: number;
  totp_secret: string | null;
  totp_enabled_at: string | null;
  proconnect_subject: string | null;
};

const credentialsOf = (r: CredentialRow): AgentCredentials => ({
  id: r.id,
  organisationId: r.organisation_id,
  email: r.email,
  name: r.display_name,
  passwordHash: r.password_hash,
  isActive: r.is_active === 1,
  totpSecret: r.totp_secret,
  totpEnabled: r.totp_enabled_at !== null,
  proconnectSubject: r.proconnect_subject,
});

/** Every query of agents' sign-in and of their own account page. */
export const agentAuthRepository = {
  async findByEmail(db: Executor, organisationId: number, email: string): Promise<AgentCredentials | undefined> {
    const row = await db.selectFrom('agents').select(CREDENTIAL_COLUMNS).where('organisation_id', '=', organisationId).where('email', '=', email).executeTakeFirst();
    return row && credentialsOf(row as CredentialRow);
  },

  async findById(db: Executor, agentId: number): Promise<AgentCredentials | undefined> {
    const row = await db.selectFrom('agents').select(CREDENTIAL_COLUMNS).where('id', '=', agentId).executeTakeFirst();
    return row && credentialsOf(row as CredentialRow);
  },

  async findByProConnectSubject(db: Executor, organisationId: number, subject: string): Promise<AgentCredentials | undefined> {
    const row = await db
      .selectFrom('agents')
      .select(CREDENTIAL_COLUMNS)
      .where('organisation_id', '=', organisationId)
      .where('proconnect_subject', '=', subject)
      .executeTakeFirst();
    return row && credentialsOf(row as CredentialRow);
  },

  /** Binds a ProConnect subject to an agent who had none (first ProConnect sign-in). */
  async bindProConnectSubject(db: Executor, agentId: number, subject: string): Promise<void> {
    await db.updateTable('agents').set({ proconnect_subject: subject }).where('id', '=', agentId).where('proconnect_subject', 'is', null).execute();
  },

  /** True when the organisation asks every agent, not only admins, for a second factor. */
  async totpRequiredFor(db: Executor, organisationId: number): Promise<boolean> {
    const row = await db.selectFrom('organisations').select('agent_totp_required').where('id', '=', organisationId).executeTakeFirst();
    return row?.agent_totp_required === 1;
  },

  async isAdmin(db: Executor, agentId: number): Promise<boolean> {
    const row = await db.selectFrom('agent_roles').select('agent_id').where('agent_id', '=', agentId).where('role', '=', 'admin').executeTakeFirst();
    return row !== undefined;
  },

  async rolesOf(db: Executor, agentId: number): Promise<{ departmentName: string; role: AgentRoleTable['role'] }[]> {
    const rows = await db
      .selectFrom('agent_roles as r')
      .innerJoin('departments as d', 'd.id', 'r.department_id')
      .select(['d.name', 'r.role'])
      .where('r.agent_id', '=', agentId)
      .orderBy('d.name')
      .execute();
    return rows.map((r) => ({ departmentName: r.name, role: r.role }));
  },

  async recordSignIn(db: Executor, agentId: number, now: string): Promise<void> {
    await db.updateTable('agents').set({ last_sign_in_at: now }).where('id', '=', agentId).execute();
  },

  async setPasswordHash(db: Executor, agentId: number, passwordHash: string): Promise<void> {
    await db.updateTable('agents').set({ password_hash: passwordHash }).where('id', '=', agentId).execute();
  },

  /** Keeps a secret being enrolled (not yet active: `totp_enabled_at` stays empty). */
  async setPendingTotpSecret(db: Executor, agentId: number, secret: string): Promise<void> {
    await db.updateTable('agents').set({ totp_secret: secret, totp_enabled_at: null, totp_last_counter: null }).where('id', '=', agentId).execute();
  },

  async enableTotp(db: Executor, agentId: number, now: string): Promise<void> {
    await db.updateTable('agents').set({ totp_enabled_at: now }).where('id', '=', agentId).execute();
  },

  /**
   * Records the time step of an accepted code, in one conditional update: false when that step
   * (or a later one) was already used — the code is being replayed — even by another process.
   */
  async useTotpCounter(db: Executor, agentId: number, counter: number): Promise<boolean> {
    const result = await db
      .updateTable('agents')
      .set({ totp_last_counter: counter })
      .where('id', '=', agentId)
      .where((eb) => eb.or([eb('totp_last_counter', 'is', null), eb('totp_last_counter', '<', counter)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};
