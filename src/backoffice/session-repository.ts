import type { Executor } from '../db/transaction.js';
import type { AgentSessionTable } from '../db/schema.js';

/**
 * An agent's session ends this long after it opened, however active: a token left on a shared
 * computer or copied from a browser stops working by the next working day. Checked here, in every
 * query that finds a live session, so no caller can forget it.
 */
export const AGENT_SESSION_MAX_AGE_MS = 12 * 3_600_000;

/** The oldest opening instant a live session may have at `now`. */
export const agentSessionOpenedAfter = (now: string) => new Date(Date.parse(now) - AGENT_SESSION_MAX_AGE_MS).toISOString();

export interface NewAgentSession {
  id: string;
  agentId: number;
  method: AgentSessionTable['method'];
  stage: AgentSessionTable['stage'];
  idToken: string | null;
  userAgent: string | null;
  ip: string | null;
  now: string;
  expiresAt: string;
}

/** The agent a live session belongs to, with what every back-office page needs of them. */
export interface ActiveAgentSessionRow {
  id: string;
  agent_id: number;
  method: AgentSessionTable['method'];
  stage: AgentSessionTable['stage'];
  id_token: string | null;
  last_seen_at: string;
  created_at: string;
  organisation_id: number;
  email: string;
  display_name: string;
}

/** Every query on agent sessions. */
export const agentSessionRepository = {
  async insert(db: Executor, s: NewAgentSession): Promise<void> {
    await db
      .insertInto('agent_sessions')
      .values({
        id: s.id,
        agent_id: s.agentId,
        method: s.method,
        stage: s.stage,
        id_token: s.idToken,
        user_agent: s.userAgent,
        ip: s.ip,
        created_at: s.now,
        last_seen_at: s.now,
        expires_at: s.expiresAt,
        revoked_at: null,
      })
      .execute();
  },

  /** A session that is neither expired (idle or too old) nor revoked, of an active agent. */
  async findActive(db: Executor, id: string, now: string): Promise<ActiveAgentSessionRow | undefined> {
    return db
      .selectFrom('agent_sessions as s')
      .innerJoin('agents as a', 'a.id', 's.agent_id')
      .select(['s.id', 's.agent_id', 's.method', 's.stage', 's.id_token', 's.last_seen_at', 's.created_at', 'a.organisation_id', 'a.email', 'a.display_name'])
      .where('s.id', '=', id)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('s.created_at', '>', agentSessionOpenedAfter(now))
      .where('a.is_active', '=', 1)
      .executeTakeFirst();
  },

  async touch(db: Executor, id: string, now: string, expiresAt: string): Promise<void> {
    await db.updateTable('agent_sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
  },

  /** Moves a session to its next stage (second factor given, enrolment done). */
  async setStage(db: Executor, id: string, stage: AgentSessionTable['stage']): Promise<void> {
    await db.updateTable('agent_sessions').set({ stage }).where('id', '=', id).execute();
  },

  async revoke(db: Executor, id: string, now: string): Promise<void> {
    await db.updateTable('agent_sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  },

  /** Ends every session of an agent but one (the browser that just turned TOTP on). */
  async revokeOthersOf(db: Executor, agentId: number, keepId: string, now: string): Promise<void> {
    await db.updateTable('agent_sessions').set({ revoked_at: now }).where('agent_id', '=', agentId).where('id', '!=', keepId).where('revoked_at', 'is', null).execute();
  },

  /** Ends every session of an agent (deactivated account, password changed). */
  async revokeAllOf(db: Executor, agentId: number, now: string): Promise<void> {
    await db.updateTable('agent_sessions').set({ revoked_at: now }).where('agent_id', '=', agentId).where('revoked_at', 'is', null).execute();
  },
};
