import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.js';
import { safePath } from '../http/return-path.js';
import { AGENT_SESSION_MAX_AGE_MS, agentSessionRepository } from './session-repository.js';
import type { AgentSessionTable } from '../db/schema.js';

/**
 * Agent sessions in the back-office. As on the portal, the cookie holds a random token and the
 * database only its SHA-256, so sessions can be revoked and a leaked table opens none. A session
 * opened by a password may wait for its second factor (`stage`): only a `ready` session reaches
 * the back-office pages. Forms carry a CSRF value derived from the session, and the cookie is
 * `SameSite=Strict` and scoped to `/backoffice`.
 */
export const AGENT_COOKIE = 'guichet_agent';
export const BACKOFFICE_PATH = '/backoffice';
/** An agent's session ends after this long without activity (and 12 hours after it opened, see the repository). */
export const AGENT_IDLE_LIMIT_MS = 2 * 3_600_000;
export { AGENT_SESSION_MAX_AGE_MS };
const TOUCH_EVERY_MS = 60_000;

export interface AgentSession {
  /** The session's id (hash of the token). */
  id: string;
  agentId: number;
  organisationId: number;
  email: string;
  name: string;
  method: AgentSessionTable['method'];
  stage: AgentSessionTable['stage'];
  idToken: string | null;
  /** The value every back-office form carries in its `_csrf` input. */
  csrf: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const secure = (request: FastifyRequest) => request.server.ctx.config.publicUrl.startsWith('https:');
const sessionCache = new WeakMap<FastifyRequest, AgentSession | null>();

/** Opens a session for an agent who gave their password (or came back from ProConnect). */
export async function openAgentSession(
  request: FastifyRequest,
  reply: FastifyReply,
  agentId: number,
  method: AgentSession['method'],
  stage: AgentSession['stage'],
  idToken: string | null = null,
): Promise<void> {
  const db = request.server.ctx.db.kysely;
  await endCurrentSession(request);
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  await agentSessionRepository.insert(db, {
    id: hashToken(token),
    agentId,
    method,
    stage,
    idToken,
    userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
    ip: request.ip ?? null,
    now: now.toISOString(),
    expiresAt: new Date(now.getTime() + AGENT_IDLE_LIMIT_MS).toISOString(),
  });
  sessionCache.delete(request);
  request.cookies[AGENT_COOKIE] = token;
  reply.setCookie(AGENT_COOKIE, token, { path: BACKOFFICE_PATH, httpOnly: true, sameSite: 'strict', secure: secure(request) });
}

/**
 * Once the second factor is checked or enrolled, the browser gets a new session token at `ready`
 * and the pre-TOTP token is revoked: a token seen before the code (on a shared screen, in a proxy
 * log) never becomes a signed-in session.
 */
export async function completeAgentSession(request: FastifyRequest, reply: FastifyReply, session: AgentSession): Promise<void> {
  await openAgentSession(request, reply, session.agentId, session.method, 'ready', session.idToken);
}

/** Ends the browser's session (sign-out). */
export async function closeAgentSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await endCurrentSession(request);
  sessionCache.set(request, null);
  reply.clearCookie(AGENT_COOKIE, { path: BACKOFFICE_PATH });
}

async function endCurrentSession(request: FastifyRequest): Promise<void> {
  const token = request.cookies[AGENT_COOKIE];
  if (token) await agentSessionRepository.revoke(request.server.ctx.db.kysely, hashToken(token), new Date().toISOString());
}

/** The agent session of a request, whatever its stage, or null. Looked up once per request. */
export async function agentSessionOf(request: FastifyRequest): Promise<AgentSession | null> {
  if (sessionCache.has(request)) return sessionCache.get(request)!;
  const session = await lookUp(request);
  sessionCache.set(request, session);
  return session;
}

async function lookUp(request: FastifyRequest): Promise<AgentSession | null> {
  const token = request.cookies[AGENT_COOKIE];
  if (!token || token.length > 100) return null;
  const db = request.server.ctx.db.kysely;
  const now = new Date();
  const row = await agentSessionRepository.findActive(db, hashToken(token), now.toISOString());
  if (!row) return null;
  if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
    const expiresAt = Math.min(now.getTime() + AGENT_IDLE_LIMIT_MS, Date.parse(row.created_at) + AGENT_SESSION_MAX_AGE_MS);
    await agentSessionRepository.touch(db, row.id, now.toISOString(), new Date(expiresAt).toISOString());
  }
  return {
    id: row.id,
    agentId: row.agent_id,
    organisationId: row.organisation_id,
    email: row.email,
    name: row.display_name,
    method: row.method,
    stage: row.stage,
    idToken: row.id_token,
    csrf: csrfFor(request, row.id),
  };
}

/**
 * The signed-in agent (second factor done), or a redirection to the sign-in page that comes back
 * here afterwards. Use as `const agent = await requireAgent(request, reply); if (!agent) return reply;`.
 */
export async function requireAgent(request: FastifyRequest, reply: FastifyReply): Promise<AgentSession | null> {
  const session = await agentSessionOf(request);
  if (session?.stage === 'ready') return session;
  const back = encodeURIComponent(safeBackofficePath(request.url));
  if (request.headers['hx-request']) {
    // htmx follows redirects inside the fragment; ask it to load the sign-in page as a whole.
    void reply.header('hx-redirect', `${BACKOFFICE_PATH}/connexion?retour=${back}`).status(401).send('');
    return null;
  }
  void reply.redirect(`${BACKOFFICE_PATH}/connexion?retour=${back}`, 303);
  return null;
}

/** A back-office path to come back to after signing in; anything else becomes the inbox. */
export function safeBackofficePath(candidate: unknown): string {
  return safePath(candidate, { fallback: BACKOFFICE_PATH, within: BACKOFFICE_PATH });
}

function csrfFor(request: FastifyRequest, sessionId: string): string {
  return request.server.signCookie(`backoffice-csrf:${sessionId}`).split('.').pop()!;
}

/**
 * Refuses a write whose CSRF value is not the session's (a forged cross-site post): the form's
 * `_csrf` field, or the `X-CSRF-Token` header htmx adds to its requests.
 */
export function checkAgentRequestCsrf(request: FastifyRequest, session: AgentSession): void {
  const body = request.body as Record<string, unknown> | undefined;
  const sent = (body && typeof body === 'object' ? body['_csrf'] : undefined) ?? request.headers['x-csrf-token'];
  checkAgentCsrf(session, typeof sent === 'string' ? sent : Array.isArray(sent) ? sent[0] : sent);
}

/** Refuses a form post whose `_csrf` is not the session's (a forged cross-site post). */
export function checkAgentCsrf(session: AgentSession, sent: unknown): void {
  if (typeof sent !== 'string' || sent.length !== session.csrf.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrf))) {
    throw new AppError('csrf_failed');
  }
}
