import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.js';
import { safePath } from '../http/return-path.js';
import { CITIZEN_SESSION_MAX_AGE_MS, portalSessionRepository } from './session-repository.js';

/**
 * Citizen sessions on the portal. The cookie holds a random token; the database keeps only its
 * SHA-256, so sessions can be listed and revoked and a leaked table opens none. Sessions slide:
 * each visit pushes the expiry back, up to the idle limit. Every form carries a CSRF value
 * derived from a long-lived visitor cookie, so signed-out forms (an anonymous report, the
 * sign-in form itself) are protected too.
 */
export const SESSION_COOKIE = 'guichet_session';
export const VISITOR_COOKIE = 'guichet_visiteur';
/** A session unused for this long ends (RGS recommends short sessions for public services); 30 days after it opened in any case (see the repository). */
export const IDLE_LIMIT_MS = 2 * 3_600_000;
export { CITIZEN_SESSION_MAX_AGE_MS };
const TOUCH_EVERY_MS = 60_000;

export interface CitizenSession {
  /** The session's id (hash of the token), to list and revoke sessions. */
  id: string;
  citizenId: number;
  organisationId: number;
  method: 'password' | 'franceconnect';
  /** FranceConnect's ID token, for the end-session request. */
  idToken: string | null;
  displayName: string;
  email: string | null;
  /** True when the identity comes from FranceConnect (or was checked at the counter): locked for editing. */
  identityVerified: boolean;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const secure = (request: FastifyRequest) => request.server.ctx.config.publicUrl.startsWith('https:');
const sessionCache = new WeakMap<FastifyRequest, CitizenSession | null>();

/** Opens a session for a citizen who just proved who they are; ends any session the browser had. */
export async function openCitizenSession(
  request: FastifyRequest,
  reply: FastifyReply,
  citizenId: number,
  method: CitizenSession['method'],
  idToken: string | null = null,
): Promise<void> {
  const db = request.server.ctx.db.kysely;
  await endCurrentSession(request);
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  await portalSessionRepository.insert(db, {
    id: hashToken(token),
    citizenId,
    method,
    idToken,
    userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
    ip: request.ip ?? null,
    now: now.toISOString(),
    expiresAt: new Date(now.getTime() + IDLE_LIMIT_MS).toISOString(),
  });
  sessionCache.delete(request);
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request) });
}

/** Ends the browser's session (sign-out); the FranceConnect ID token, if any, is returned for its logout. */
export async function closeCitizenSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await endCurrentSession(request);
  sessionCache.set(request, null);
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

async function endCurrentSession(request: FastifyRequest): Promise<void> {
  const token = request.cookies[SESSION_COOKIE];
  if (token) await portalSessionRepository.revoke(request.server.ctx.db.kysely, hashToken(token), new Date().toISOString());
}

/** The signed-in citizen of a request, or null. Looked up once per request. */
export async function citizenSessionOf(request: FastifyRequest): Promise<CitizenSession | null> {
  if (sessionCache.has(request)) return sessionCache.get(request)!;
  const session = await lookUp(request);
  sessionCache.set(request, session);
  return session;
}

async function lookUp(request: FastifyRequest): Promise<CitizenSession | null> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token || token.length > 100) return null;
  const db = request.server.ctx.db.kysely;
  const now = new Date();
  const row = await portalSessionRepository.findActive(db, hashToken(token), now.toISOString());
  if (!row) return null;
  if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
    const expiresAt = Math.min(now.getTime() + IDLE_LIMIT_MS, Date.parse(row.created_at) + CITIZEN_SESSION_MAX_AGE_MS);
    await portalSessionRepository.touch(db, row.id, now.toISOString(), new Date(expiresAt).toISOString());
  }
  const name = [row.first_names?.split(' ')[0], row.usage_name ?? row.birth_name].filter(Boolean).join(' ');
  return {
    id: row.id,
    citizenId: row.citizen_id,
    organisationId: row.organisation_id,
    method: row.method,
    idToken: row.id_token,
    displayName: name || row.email || 'Mon compte',
    email: row.email,
    identityVerified: row.identity_assurance !== 'declared',
  };
}

/**
 * The signed-in citizen, or a redirection to the sign-in page that comes back here afterwards.
 * Use as `const session = await requireCitizen(request, reply); if (!session) return reply;`.
 */
export async function requireCitizen(request: FastifyRequest, reply: FastifyReply): Promise<CitizenSession | null> {
  const session = await citizenSessionOf(request);
  if (session) return session;
  void reply.redirect(`/connexion?retour=${encodeURIComponent(safeReturnPath(request.url))}`, 303);
  return null;
}

/** A local path to come back to after signing in; anything else (another site, `//evil`) becomes `/`. */
export function safeReturnPath(candidate: unknown): string {
  return safePath(candidate, { fallback: '/' });
}

/** The browser's visitor id (set on first visit): anonymous drafts and CSRF values hang on it. */
export function visitorIdOf(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[VISITOR_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{22,64}$/.test(existing)) return existing;
  const created = randomBytes(18).toString('base64url');
  request.cookies[VISITOR_COOKIE] = created;
  reply.setCookie(VISITOR_COOKIE, created, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request), maxAge: 400 * 86_400 });
  return created;
}

/** The CSRF value to put in a form's hidden `_csrf` input. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  return csrfFor(request, visitorIdOf(request, reply));
}

/** A value only the server can derive from the visitor id: the signature of a derived string. */
function csrfFor(request: FastifyRequest, visitorId: string): string {
  return request.server.signCookie(`portal-csrf:${visitorId}`).split('.').pop()!;
}

/** Refuses a form post whose `_csrf` is not this browser's (a forged cross-site post). */
export function checkCsrf(request: FastifyRequest, sent: unknown): void {
  const visitor = request.cookies[VISITOR_COOKIE];
  const expected = visitor ? csrfFor(request, visitor) : '';
  if (!visitor || typeof sent !== 'string' || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(expected))) {
    throw new AppError('csrf_failed');
  }
}
