import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { activeTokenById, authenticateToken, requireScope, type TokenPrincipal } from '../tokens/service.js';

/**
 * Admin sessions. Until agent accounts exist, the town's IT team signs in to the admin pages with
 * an API token holding the `workflows:write` scope. The browser keeps only a signed cookie naming
 * the token and an expiry; every request checks the token is still active, so revoking the token
 * ends its sessions. Forms carry a CSRF value derived from the cookie.
 */
export const ADMIN_COOKIE = 'guichet_admin';
const LIFETIME_MS = 8 * 3_600_000;
export const ADMIN_SCOPE = 'workflows:write';

export interface AdminSession {
  principal: TokenPrincipal;
  csrf: string;
}

/** Checks a pasted token and opens a session; throws the token's own 401/403 problem. */
export async function openAdminSession(request: FastifyRequest, reply: FastifyReply, token: string): Promise<void> {
  const principal = await authenticateToken(request.server.ctx.db.kysely, token.trim());
  requireScope(principal, ADMIN_SCOPE);
  const value = `${principal.tokenId}.${Date.now() + LIFETIME_MS}`;
  reply.setCookie(ADMIN_COOKIE, value, {
    path: '/admin',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.server.ctx.config.publicUrl.startsWith('https:'),
    signed: true,
    maxAge: LIFETIME_MS / 1000,
  });
}

export function closeAdminSession(reply: FastifyReply): void {
  reply.clearCookie(ADMIN_COOKIE, { path: '/admin' });
}

/** The session of a request, or null when there is none, it expired, or its token was revoked. */
export async function adminSessionOf(request: FastifyRequest): Promise<AdminSession | null> {
  const raw = request.cookies[ADMIN_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  const [id, expires] = unsigned.value.split('.').map(Number);
  if (!id || !expires || expires < Date.now()) return null;
  const principal = await activeTokenById(request.server.ctx.db.kysely, id);
  if (!principal || !principal.scopes.includes(ADMIN_SCOPE)) return null;
  return { principal, csrf: csrfFor(request, unsigned.value) };
}

/** A value only the server can derive from the session: the signature of a derived string. */
function csrfFor(request: FastifyRequest, sessionValue: string): string {
  return request.server.signCookie(`csrf:${sessionValue}`).split('.').pop()!;
}

/** True when the form's CSRF value is the session's. */
export function csrfMatches(session: AdminSession, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length !== session.csrf.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrf));
}
