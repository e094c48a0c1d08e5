import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { App } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { portalOrganisation, sendPortalPage } from '../portal/page.js';
import { citizenSessionOf, closeCitizenSession, openCitizenSession, safeReturnPath } from '../portal/session.js';
import { FranceConnectRefusal, franceConnectClient } from './client.js';
import { randomCheck, signInWithFranceConnect } from './service.js';
import { EmailTakenPage, ProviderErrorPage, RefusedPage, SignedOutPage, SignOutUnverifiedPage } from './views/pages.js';

const hidden = { hide: true };
/** The round trip to FranceConnect must come back within this time. */
const FLOW_TTL_MS = 10 * 60_000;
const SIGN_IN_COOKIE = 'guichet_fc_connexion';
const SIGN_OUT_COOKIE = 'guichet_fc_deconnexion';
const COOKIE_PATH = '/franceconnect';
const UNAVAILABLE = 'FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre adresse électronique.';

/** What a round trip to FranceConnect must find again when the browser comes back. */
interface Flow {
  state: string;
  nonce?: string;
  returnTo?: string;
  expiresAt: number;
}

/**
 * Sign-in and sign-out through FranceConnect v2 (OpenID Connect). The state, the nonce and the
 * return path travel in a signed, HttpOnly cookie that lives 10 minutes and is read once; it is
 * SameSite=Lax because FranceConnect sends the browser back with a top-level cross-site redirect.
 * When FranceConnect is not configured, none of these routes exists (404).
 */
export async function franceConnectRoutes(app: App): Promise<void> {
  const client = franceConnectClient(app.ctx.config);
  if (!client) return;

  app.get('/franceconnect/connexion', { schema: hidden }, async (request, reply) => {
    const flow: Flow = {
      state: randomCheck(),
      nonce: randomCheck(),
      returnTo: safeReturnPath(queryParam(request, 'retour')),
      expiresAt: Date.now() + FLOW_TTL_MS,
    };
    const url = await providerCall(request, () => client.authorizationUrl({ state: flow.state, nonce: flow.nonce! }));
    keepFlow(request, reply, SIGN_IN_COOKIE, flow);
    return reply.header('cache-control', 'no-store').redirect(url.href, 303);
  });

  app.get('/franceconnect/retour', { schema: hidden }, async (request, reply) => {
    const flow = takeFlow(request, reply, SIGN_IN_COOKIE);
    const error = queryParam(request, 'error');
    if (error) {
      request.log.info({ franceConnectError: error.slice(0, 60) }, 'FranceConnect returned an error');
      return sendPortalPage(request, reply, {
        title: error === 'access_denied' ? 'Connexion avec FranceConnect annulée' : 'FranceConnect n’a pas pu vous identifier',
        body: h(ProviderErrorPage, { cancelled: error === 'access_denied', returnTo: flow?.returnTo ?? '/' }),
        cacheControl: 'no-store',
      });
    }
    const state = queryParam(request, 'state');
    if (!flow?.nonce || !state || state !== flow.state) {
      request.log.warn({ reason: flow ? 'state mismatch' : 'no pending sign-in' }, 'FranceConnect return refused');
      return refused(request, reply);
    }
    const organisation = await portalOrganisation(request);
    if (organisation.id === null) throw new AppError('unavailable');
    const query = request.url.slice(request.url.indexOf('?'));
    let signIn;
    try {
      signIn = await providerCall(request, () => client.completeSignIn(new URL(client.settings.redirectUri + query), { state: flow.state, nonce: flow.nonce! }));
    } catch (failure) {
      if (!(failure instanceof FranceConnectRefusal)) throw failure;
      request.log.warn({ reason: failure.reason }, 'FranceConnect return refused');
      return refused(request, reply);
    }
    const result = await signInWithFranceConnect(request.server.ctx.db, organisation.id, signIn.identity);
    if (result.outcome === 'email_taken') {
      request.log.info('FranceConnect sign-in stopped: its e-mail address is another person’s account');
      return sendPortalPage(request, reply, {
        status: 409,
        title: 'Adresse électronique déjà utilisée',
        body: h(EmailTakenPage, {}),
        cacheControl: 'no-store',
      });
    }
    await openCitizenSession(request, reply, result.citizenId, 'franceconnect', signIn.idToken);
    request.log.info({ citizenId: result.citizenId, foundBy: result.by, acr: signIn.identity.acr }, 'FranceConnect sign-in');
    return reply.redirect(flow.returnTo ?? '/', 303);
  });

  app.get('/franceconnect/deconnexion', { schema: hidden }, async (request, reply) => {
    // A link on another site must not sign the citizen out (our own form redirects here).
    if (request.headers['sec-fetch-site'] === 'cross-site') return reply.redirect('/', 303);
    const session = await citizenSessionOf(request);
    await closeCitizenSession(request, reply);
    if (session?.method !== 'franceconnect' || !session.idToken) return reply.redirect('/', 303);
    const flow: Flow = { state: randomCheck(), expiresAt: Date.now() + FLOW_TTL_MS };
    let url: URL;
    try {
      url = await client.endSessionUrl(session.idToken, flow.state);
    } catch (error) {
      // The local session is over whatever happens; FranceConnect's will end by itself.
      request.log.error({ err: error }, 'FranceConnect unreachable for logout');
      return reply.redirect('/', 303);
    }
    keepFlow(request, reply, SIGN_OUT_COOKIE, flow);
    return reply.header('cache-control', 'no-store').redirect(url.href, 303);
  });

  app.get('/franceconnect/deconnecte', { schema: hidden }, async (request, reply) => {
    const flow = takeFlow(request, reply, SIGN_OUT_COOKIE);
    const state = queryParam(request, 'state');
    const verified = flow !== null && state !== '' && state === flow.state;
    return sendPortalPage(request, reply, {
      status: verified ? 200 : 400,
      title: verified ? 'Vous êtes déconnecté(e)' : 'Déconnexion non vérifiée',
      body: verified ? h(SignedOutPage, {}) : h(SignOutUnverifiedPage, {}),
      cacheControl: 'no-store',
    });
  });
}

function refused(request: FastifyRequest, reply: FastifyReply) {
  return sendPortalPage(request, reply, { status: 400, title: 'Connexion non vérifiée', body: h(RefusedPage, {}), cacheControl: 'no-store' });
}

/** Calls FranceConnect; a provider that cannot be reached is a 503 page, not an internal error. */
async function providerCall<T>(request: FastifyRequest, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FranceConnectRefusal || error instanceof AppError) throw error;
    request.log.error({ err: error }, 'FranceConnect unreachable');
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

