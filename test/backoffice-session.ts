import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../src/db/database.js';
import type { AgentRoleTable } from '../src/db/schema.js';
import { AGENT_COOKIE } from '../src/backoffice/session.js';

const now = () => new Date().toISOString();

export interface TestAgent {
  agentId: number;
  email: string;
  /** Cookie header of a signed-in browser (second factor done). */
  cookie: string;
  /** The `_csrf` value its forms carry (also accepted as the `x-csrf-token` header). */
  csrf: string;
}

/** Creates an agent with roles, written straight to the tables. */
export async function createAgent(
  db: Db,
  organisationId: number,
  who: { email?: string; name?: string; roles: { departmentId: number; role: AgentRoleTable['role'] }[]; passwordHash?: string | null },
): Promise<{ agentId: number; email: string }> {
  const email = (who.email ?? `agent-${randomBytes(4).toString('hex')}@ville.test`).toLowerCase();
  const row = await db.kysely
    .insertInto('agents')
    .values({ organisation_id: organisationId, email, display_name: who.name ?? 'Agent de test', password_hash: who.passwordHash ?? null, is_active: 1, created_at: now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (who.roles.length > 0) await db.kysely.insertInto('agent_roles').values(who.roles.map((r) => ({ agent_id: row.id, department_id: r.departmentId, role: r.role }))).execute();
  return { agentId: row.id, email };
}

/**
 * A signed-in browser for an existing agent, its session written straight to the table so tests of
 * back-office pages do not depend on the sign-in pages. `signCookie` is the app's
 * (`app.signCookie.bind(app)`), to derive the session's CSRF value as the server does.
 */
export async function signInAgent(db: Db, agentId: number, signCookie: (value: string) => string): Promise<{ cookie: string; csrf: string }> {
  const token = randomBytes(32).toString('base64url');
  const id = createHash('sha256').update(token).digest('base64url');
  await db.kysely
    .insertInto('agent_sessions')
    .values({
      id,
      agent_id: agentId,
      method: 'password',
      stage: 'ready',
      id_token: null,
      user_agent: 'vitest',
      ip: '127.0.0.1',
      created_at: now(),
      last_seen_at: now(),
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      revoked_at: null,
    })
    .execute();
  return { cookie: `${AGENT_COOKIE}=${token}`, csrf: signCookie(`backoffice-csrf:${id}`).split('.').pop()! };
}

/** An agent with roles and a signed-in browser. */
export async function signedInAgent(
  db: Db,
  organisationId: number,
  signCookie: (value: string) => string,
  who: Parameters<typeof createAgent>[2],
): Promise<TestAgent> {
  const agent = await createAgent(db, organisationId, who);
  return { ...agent, ...(await signInAgent(db, agent.agentId, signCookie)) };
}
