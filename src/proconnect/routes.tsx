import type { FastifyReply, FastifyRequest } from 'fastify';
import { signInWithProConnect } from '../backoffice/auth/service.js';
import { ContinuePage, ProConnectFailedPage, UnknownAgentPage } from '../backoffice/auth/views/notices.js';
import { sendBackofficePage } from '../backoffice/page.js';
import { openAgentSession, safeBackofficePath } from '../backoffice/session.js';
import type { App } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { portalOrganisation } from '../portal/page.js';
import { ProConnectClient, ProConnectRefusal, proConnectClient, type ProConnectChecks } from './client.js';

const hidden = { hide: true };
/** The round trip to ProConnect must come back within this time. */
const FLOW_TTL_MS = 10 * 60_000;
const SIGN_IN_COOKIE = 'guichet_pc_connexion';
const SIGN_OUT_COOKIE = 'guichet_pc_deconnexion';
const COOKIE_PATH = '/backoffice/proconnect';
const UNAVAILABLE = 'ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre mot de passe.';

/** What a round trip to ProConnect must find again when the browser comes back. */
interface Flow extends Partial<ProConnectChecks> {
  state: string;
  returnTo?: string;
  expiresAt: number;
}

/**
 * Agents' sign-in through ProConnect (OpenID Connect, authorization code with PKCE). The state,
 * nonce, PKCE verifier and return path travel in a signed, HttpOnly cookie that lives 10 minutes
 * and is read once; it is SameSite=Lax because ProConnect sends the browser back with a top-level
 * cross-site redirect. A ProConnect session is strong authentication: no TOTP asked. When
 * ProConnect is not configured none of these routes exists (404).
 */
export async function proConnectRoutes(app: App): Promise<void> {
  const client = proConnectClient(app.ctx.config);
  if (!client) return;

  app.get('/backoffice/proconnect/connexion', { schema: hidden }, async (request, reply) => {
    const checks = ProConnectClient.newChecks();
    const flow: Flow = { ...checks, returnTo: safeBackofficePath(queryParam(request, 'retour')), expiresAt: Date.now() + FLOW_TTL_MS };
    const url = await providerCall(request, () => client.authorizationUrl(checks));
    keepFlow(request, reply, SIGN_IN_COOKIE, flow);
    return reply.header('cache-control', 'no-store').redirect(url.href, 303);
  });

  app.get('/backoffice/proconnect/retour', { schema: hidden }, async (request, reply) => {
    const flow = takeFlow(request, reply, SIGN_IN_COOKIE);
    const error = queryParam(request, 'error');
    if (error) {
      request.log.info({ proConnectError: error.slice(0, 60) }, 'ProConnect returned an error');
      return failed(request, reply, error === 'access_denied');
    }
    const state = queryParam(request, 'state');
    if (!flow?.nonce || !flow.codeVerifier || !state || state !== flow.state) {
      request.log.warn({ reason: flow ? 'state mismatch' : 'no pending sign-in' }, 'ProConnect return refused');
      return failed(request, reply, false);
    }
    const organisation = await portalOrganisation(request);
    if (organisation.id === null) throw new AppError('unavailable');
    const query = request.url.slice(request.url.indexOf('?'));
    let signIn;
    try {
      signIn = await providerCall(request, () =>
        client.completeSignIn(new URL(client.settings.redirectUri + query), { state: flow.state, nonce: flow.nonce!, codeVerifier: flow.codeVerifier! }),
      );
    } catch (failure) {
      if (!(failure instanceof ProConnectRefusal)) throw failure;
      request.log.warn({ reason: failure.reason }, 'ProConnect return refused');
      return failed(request, reply, false);
    }
    const result = await signInWithProConnect(request.server.ctx.db, organisation.id, signIn.identity);
    if (result.outcome === 'unknown') {
      request.log.info('ProConnect sign-in refused: no active agent for this identity');
      return sendBackofficePage(request, reply, { status: 403, title: 'Aucun compte agent pour cette identité', session: null, body: <UnknownAgentPage /> });
    }
    await openAgentSession(request, reply, result.agentId, 'proconnect', 'ready', signIn.idToken);
    request.log.info({ agentId: result.agentId, foundBy: result.by }, 'ProConnect sign-in');
    const to = flow.returnTo ?? '/backoffice';
    return sendBackofficePage(request, reply, {
      title: 'Vous êtes connecté(e)',
      session: null,
      head: <meta http-equiv="refresh" content={`0; url=${to}`} />,
      body: <ContinuePage to={to} />,
    });
  });

  app.get('/backoffice/proconnect/deconnecte', { schema: hidden }, async (request, reply) => {
    const flow = takeFlow(request, reply, SIGN_OUT_COOKIE);
    const state = queryParam(request, 'state');
    // The local session ended before leaving; an unverified return only loses the notice.
    const verified = flow !== null && state !== '' && state === flow.state;
    return reply.redirect(verified ? '/backoffice/connexion?avis=deconnecte' : '/backoffice/connexion', 303);
  });
}

/**
 * Prepares ProConnect's end-session request for a sign-out: the URL to send the browser to, with
 * its state kept in a cookie; null when ProConnect is not configured or cannot be reached (the
 * local session ends all the same, ProConnect's ends by itself).
 */
export async function proConnectSignOut(request: FastifyRequest, reply: FastifyReply, idToken: string): Promise<string | null> {
  const client = proConnectClient(request.server.ctx.config);
  if (!client) return null;
  const flow: Flow = { state: ProConnectClient.newChecks().state, expiresAt: Date.now() + FLOW_TTL_MS };
  try {
    const url = await client.endSessionUrl(idToken, flow.state);
    keepFlow(request, reply, SIGN_OUT_COOKIE, flow);
    return url.href;
  } catch (error) {
    request.log.error({ err: error }, 'ProConnect unreachable for logout');
    return null;
  }
}

function failed(request: FastifyRequest, reply: FastifyReply, cancelled: boolean) {
  return sendBackofficePage(request, reply, {
    status: cancelled ? 200 : 400,
    title: cancelled ? 'Connexion avec ProConnect annulée' : 'Connexion non vérifiée',
    session: null,
    body: <ProConnectFailedPage cancelled={cancelled} />,
  });
}

/** Calls ProConnect; a provider that cannot be reached is a 503 page, not an internal error. */
async function providerCall<T>(request: FastifyRequest, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProConnectRefusal || error instanceof AppError) throw error;
    request.log.error({ err: error }, 'ProConnect unreachable');
    throw new AppError('unavailable', UNAVAILABLE);
  }
}

const queryParam = (request: FastifyRequest, name: string): string => {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, 600) : '';
};

const cookieOptions = (request: FastifyRequest) => ({
  path: COOKIE_PATH,
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: request.server.ctx.config.publicUrl.startsWith('https:'),
});

function keepFlow(request: FastifyRequest, reply: FastifyReply, name: string, flow: Flow): void {
  const value = Buffer.from(JSON.stringify(flow)).toString('base64url');
  reply.setCookie(name, value, { ...cookieOptions(request), signed: true, maxAge: FLOW_TTL_MS / 1000 });
}

/** The pending round trip, read once: the cookie is cleared whatever it holds. */
function takeFlow(request: FastifyRequest, reply: FastifyReply, name: string): Flow | null {
  const raw = request.cookies[name];
  if (raw === undefined) return null;
  reply.clearCookie(name, cookieOptions(request));
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    const flow = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as Flow;
    if (typeof flow.state !== 'string' || typeof flow.expiresAt !== 'number' || flow.expiresAt < Date.now()) return null;
    return flow;
  } catch {
    return null;
  }
}
