import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, prepareDummyHash } from '../../accounts/password.js';
import { ACCOUNT_RATES, MINUTE, RateLimiter, signInChecks, signInSuccessKey, type RateCheck, type RateRule } from '../../accounts/rate-limit.js';
import type { App } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import type { FieldProblem } from '../../http/ui/layout.js';
import { portalOrganisation } from '../../portal/page.js';
import { checkCsrf, csrfToken } from '../../portal/session.js';
import { proConnectConfigured } from '../../proconnect/client.js';
import { proConnectRoutes, proConnectSignOut } from '../../proconnect/routes.js';
import { sendBackofficePage } from '../page.js';
import { scopeOf } from '../policy.js';
import {
  agentSessionOf,
  checkAgentRequestCsrf,
  closeAgentSession,
  completeAgentSession,
  openAgentSession,
  requireAgent,
  safeBackofficePath,
  type AgentSession,
} from '../session.js';
import { agentAuthRepository } from './repository.js';
import { changeAgentPassword, checkSecondFactor, confirmEnrolment, mustUseSecondFactor, recordSignIn, signInWithPassword, startEnrolment } from './service.js';
import { normaliseCode } from './totp.js';
import { AccountPage } from './views/account.js';
import { TooManyAttemptsPage } from './views/notices.js';
import { CodePage, EnrolPage } from './views/second-factor.js';
import { AgentSignInPage } from './views/sign-in.js';

const hidden = { hide: true };
const SIGN_IN = '/backoffice/connexion';
const CODE = '/backoffice/connexion/code';
const ENROL = '/backoffice/connexion/activer-double-authentification';
const REFUSED = 'Adresse électronique ou mot de passe incorrect';
const BAD_CODE = 'Code incorrect ou déjà utilisé : saisissez le code affiché maintenant par votre application';
/** Six digits give a million codes, three of them valid at a time: few tries per agent. */
const CODE_RATE: RateRule = { limit: 5, windowMs: 5 * MINUTE };

/** Notices of the sign-in and account pages, by the `?avis=` a redirection carries. */
const NOTICES: Record<string, string> = {
  deconnecte: 'Vous êtes déconnecté(e).',
  'mot-de-passe': 'Votre mot de passe est enregistré. Vos autres sessions ont été fermées.',
  'double-authentification': 'La double authentification est activée.',
};

/** A form field as text, cut to a length nobody needs to exceed (passwords are kept as typed). */
function field(body: unknown, name: string, max = 300, trim = true): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string') return '';
  return (trim ? value.trim() : value).slice(0, max + 1);
}

const queryParam = (request: FastifyRequest, name: string) => field(request.query, name, 500);
const withReturn = (path: string, returnTo: string) => (returnTo === '/backoffice' ? path : `${path}?retour=${encodeURIComponent(returnTo)}`);
const titled = (problems: FieldProblem[], title: string) => (problems.length > 0 ? `Erreur — ${title}` : title);

/**
 * Agents' sign-in: e-mail and password (rate limited, no account enumeration), then the TOTP code
 * or its enrolment when the agent must have one; ProConnect as the alternative; sign-out; the
 * agent's own account page. The sign-in form is protected by the visitor cookie's CSRF value
 * (there is no session yet); every later form by the session's.
 */
export async function authRoutes(app: App): Promise<void> {
  const db = app.ctx.db;
  const limiter = new RateLimiter(db);
  prepareDummyHash();

  async function organisationId(request: FastifyRequest): Promise<number> {
    const organisation = await portalOrganisation(request);
    if (organisation.id === null) throw new AppError('unavailable', 'Guichet n’est pas encore configuré.');
    return organisation.id;
  }

  /** Counts an attempt; when over a limit, sends the 429 page and returns true. */
  async function overLimit(request: FastifyRequest, reply: FastifyReply, checks: RateCheck[]): Promise<boolean> {
    const decision = await limiter.hit(checks);
    if (decision.allowed) return false;
    void reply.header('retry-after', String(decision.retryAfterSeconds));
    await sendBackofficePage(request, reply, {
      status: 429,
      title: 'Trop de tentatives',
      session: null,
      body: <TooManyAttemptsPage minutes={Math.max(1, Math.ceil(decision.retryAfterSeconds / 60))} />,
    });
    return true;
  }

  /** A TOTP code's keys: the agent whatever the IP (a stolen password used from many places), and the IP. */
  const codeChecks = (request: FastifyRequest, session: AgentSession): RateCheck[] => [
    { key: `agent:code:${session.agentId}`, rule: CODE_RATE },
    { key: `agent:code-ip:${request.ip}`, rule: ACCOUNT_RATES.signInPerIp },
  ];

  /** Where a session that is not `ready` yet must go, or null when it is ready. */
  const pendingStep = (session: AgentSession) => (session.stage === 'second_factor' ? CODE : session.stage === 'enrol' ? ENROL : null);

  // Sign-in -------------------------------------------------------------------------------------

  const signInPage = (request: FastifyRequest, reply: FastifyReply, v: { email: string; returnTo: string; problems: FieldProblem[]; refused?: boolean; notice?: string | null }) =>
    sendBackofficePage(request, reply, {
      status: v.problems.length > 0 ? 422 : 200,
      title: titled(v.problems, 'Connexion à l’espace agents'),
      session: null,
      body: (
        <AgentSignInPage
          csrf={csrfToken(request, reply)}
          email={v.email}
          returnTo={v.returnTo}
          problems={v.problems}
          proConnect={proConnectConfigured(app.ctx.config)}
          refused={v.refused ?? false}
          notice={v.notice ?? null}
        />
      ),
    });

  app.get(SIGN_IN, { schema: hidden }, async (request, reply) => {
    const returnTo = safeBackofficePath(queryParam(request, 'retour'));
    const session = await agentSessionOf(request);
    if (session?.stage === 'ready') return reply.redirect(returnTo, 303);
    return signInPage(request, reply, { email: '', returnTo, problems: [], notice: NOTICES[queryParam(request, 'avis')] ?? null });
  });

  app.post(SIGN_IN, { schema: hidden }, async (request, reply) => {
    const body = request.body;
    checkCsrf(request, field(body, '_csrf'));
    const returnTo = safeBackofficePath(field(body, 'retour', 500));
    const email = field(body, 'email').toLowerCase();
    const password = field(body, 'password', MAX_PASSWORD_LENGTH, false);
    const missing = [
      email ? null : { target: 'email', message: 'Saisissez votre adresse électronique' },
      password ? null : { target: 'password', message: 'Saisissez votre mot de passe' },
    ].filter((p): p is FieldProblem => p !== null);
    if (missing.length > 0) return signInPage(request, reply, { email, returnTo, problems: missing });
    if (await overLimit(request, reply, signInChecks('agent', request.ip, email))) return reply;
    const result = await signInWithPassword(db, await organisationId(request), email, password);
    if (result.outcome === 'refused') return signInPage(request, reply, { email, returnTo, problems: [{ target: 'email', message: REFUSED }], refused: true });
    await limiter.reset(signInSuccessKey('agent', request.ip, email));
    await openAgentSession(request, reply, result.agentId, 'password', result.stage);
    const next = result.stage === 'second_factor' ? CODE : result.stage === 'enrol' ? ENROL : null;
    return reply.redirect(next ? withReturn(next, returnTo) : returnTo, 303);
  });

  // Second factor -------------------------------------------------------------------------------

  /** The session waiting for this step, or a redirection to where the browser should be. */
  async function sessionAt(request: FastifyRequest, reply: FastifyReply, stage: AgentSession['stage']): Promise<AgentSession | null> {
    const session = await agentSessionOf(request);
    const returnTo = safeBackofficePath(queryParam(request, 'retour') || field(request.body, 'retour', 500));
    if (session?.stage === stage) return session;
    const step = session ? pendingStep(session) : SIGN_IN;
    void reply.redirect(step ? withReturn(step, returnTo) : returnTo, 303);
    return null;
  }

  const codePage = (request: FastifyRequest, reply: FastifyReply, session: AgentSession, returnTo: string, problems: FieldProblem[]) =>
    sendBackofficePage(request, reply, {
      status: problems.length > 0 ? 422 : 200,
      title: titled(problems, 'Code de vérification'),
      session: null,
      body: <CodePage csrf={session.csrf} returnTo={returnTo} problems={problems} />,
    });

  app.get(CODE, { schema: hidden }, async (request, reply) => {
    const session = await sessionAt(request, reply, 'second_factor');
    if (!session) return reply;
    return codePage(request, reply, session, safeBackofficePath(queryParam(request, 'retour')), []);
  });

  app.post(CODE, { schema: hidden }, async (request, reply) => {
    const session = await sessionAt(request, reply, 'second_factor');
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const returnTo = safeBackofficePath(field(request.body, 'retour', 500));
    const code = normaliseCode(field(request.body, 'code', 20));
    if (!code) return codePage(request, reply, session, returnTo, [{ target: 'code', message: 'Saisissez le code à 6 chiffres' }]);
    if (await overLimit(request, reply, codeChecks(request, session))) return reply;
    if (!(await checkSecondFactor(db, session.agentId, code))) return codePage(request, reply, session, returnTo, [{ target: 'code', message: BAD_CODE }]);
    await limiter.reset(`agent:code:${session.agentId}`);
    await completeAgentSession(request, reply, session);
    await recordSignIn(db, session.agentId);
    return reply.redirect(returnTo, 303);
  });

  const enrolPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: AgentSession,
    v: { action: string; returnTo?: string; problems: FieldProblem[]; signedIn: boolean },
  ) => {
    const enrolment = await startEnrolment(db, session.agentId);
    if (!enrolment) return reply.redirect(v.signedIn ? '/backoffice/mon-compte' : SIGN_IN, 303);
    return sendBackofficePage(request, reply, {
      status: v.problems.length > 0 ? 422 : 200,
      title: titled(v.problems, 'Activer la double authentification'),
      session: v.signedIn ? session : null,
      scope: v.signedIn ? await scopeOf(request, session) : null,
      section: 'account',
      body: (
        <EnrolPage
          csrf={session.csrf}
          enrolment={enrolment}
          action={v.action}
          {...(v.returnTo ? { returnTo: v.returnTo } : {})}
          problems={v.problems}
          required={!v.signedIn || (await mustUseSecondFactor(db, { id: session.agentId, organisationId: session.organisationId }))}
        />
      ),
    });
  };

  app.get(ENROL, { schema: hidden }, async (request, reply) => {
    const session = await sessionAt(request, reply, 'enrol');
    if (!session) return reply;
    return enrolPage(request, reply, session, { action: ENROL, returnTo: safeBackofficePath(queryParam(request, 'retour')), problems: [], signedIn: false });
  });

  app.post(ENROL, { schema: hidden }, async (request, reply) => {
    const session = await sessionAt(request, reply, 'enrol');
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const returnTo = safeBackofficePath(field(request.body, 'retour', 500));
    const code = normaliseCode(field(request.body, 'code', 20));
    if (code && (await overLimit(request, reply, codeChecks(request, session)))) return reply;
    if (!code || !(await confirmEnrolment(db, session.agentId, code, session.id))) {
      const message = code ? BAD_CODE : 'Saisissez le code à 6 chiffres';
      return enrolPage(request, reply, session, { action: ENROL, returnTo, problems: [{ target: 'code', message }], signedIn: false });
    }
    await completeAgentSession(request, reply, session);
    await recordSignIn(db, session.agentId);
    return reply.redirect(returnTo, 303);
  });

  // Sign-out ------------------------------------------------------------------------------------

  app.post('/backoffice/deconnexion', { schema: hidden }, async (request, reply) => {
    const session = await agentSessionOf(request);
    if (!session) return reply.redirect(SIGN_IN, 303);
    checkAgentRequestCsrf(request, session);
    // ProConnect's own session must end too: the provider comes back to our sign-in page.
    if (session.method === 'proconnect' && session.idToken) {
      const location = await proConnectSignOut(request, reply, session.idToken);
      await closeAgentSession(request, reply);
      if (location) return reply.header('cache-control', 'no-store').redirect(location, 303);
    }
    await closeAgentSession(request, reply);
    return reply.redirect(`${SIGN_IN}?avis=deconnecte`, 303);
  });

  // The agent's account -------------------------------------------------------------------------

  const accountPage = async (request: FastifyRequest, reply: FastifyReply, session: AgentSession, problems: FieldProblem[], notice: string | null) => {
    const agent = await agentAuthRepository.findById(db.kysely, session.agentId);
    return sendBackofficePage(request, reply, {
      status: problems.length > 0 ? 422 : 200,
      title: titled(problems, 'Mon compte'),
      session,
      scope: await scopeOf(request, session),
      section: 'account',
      body: (
        <AccountPage
          csrf={session.csrf}
          name={session.name}
          email={session.email}
          roles={await agentAuthRepository.rolesOf(db.kysely, session.agentId)}
          totpEnabled={agent?.totpEnabled ?? false}
          hasPassword={Boolean(agent?.passwordHash)}
          method={session.method}
          problems={problems}
          notice={notice}
        />
      ),
    });
  };

  app.get('/backoffice/mon-compte', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    return accountPage(request, reply, session, [], NOTICES[queryParam(request, 'avis')] ?? null);
  });

  app.post('/backoffice/mon-compte/mot-de-passe', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const current = field(request.body, 'current', MAX_PASSWORD_LENGTH, false);
    const next = field(request.body, 'password', MAX_PASSWORD_LENGTH, false);
    const problems: FieldProblem[] = [];
    if (!next) problems.push({ target: 'password', message: 'Saisissez le nouveau mot de passe' });
    else if ([...next].length < MIN_PASSWORD_LENGTH) problems.push({ target: 'password', message: `Le mot de passe doit contenir au moins ${MIN_PASSWORD_LENGTH} caractères` });
    else if (next.length > MAX_PASSWORD_LENGTH) problems.push({ target: 'password', message: `Le mot de passe doit contenir au plus ${MAX_PASSWORD_LENGTH} caractères` });
    if (problems.length > 0) return accountPage(request, reply, session, problems, null);
    if (await overLimit(request, reply, [{ key: `agent:password:${session.agentId}`, rule: ACCOUNT_RATES.signInPerAddress }])) return reply;
    if ((await changeAgentPassword(db, session.agentId, current, next)) === 'wrong_current') {
      return accountPage(request, reply, session, [{ target: 'current', message: 'Le mot de passe actuel est incorrect' }], null);
    }
    // Every session was closed; this browser gets a new one at the same stage.
    await openAgentSession(request, reply, session.agentId, session.method, 'ready', session.idToken);
    return reply.redirect('/backoffice/mon-compte?avis=mot-de-passe', 303);
  });

  const ACCOUNT_TOTP = '/backoffice/mon-compte/double-authentification';

  app.get(ACCOUNT_TOTP, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    return enrolPage(request, reply, session, { action: ACCOUNT_TOTP, problems: [], signedIn: true });
  });

  app.post(ACCOUNT_TOTP, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const code = normaliseCode(field(request.body, 'code', 20));
    if (code && (await overLimit(request, reply, codeChecks(request, session)))) return reply;
    if (!code || !(await confirmEnrolment(db, session.agentId, code, session.id))) {
      const message = code ? BAD_CODE : 'Saisissez le code à 6 chiffres';
      return enrolPage(request, reply, session, { action: ACCOUNT_TOTP, problems: [{ target: 'code', message }], signedIn: true });
    }
    return reply.redirect('/backoffice/mon-compte?avis=double-authentification', 303);
  });

  await app.register(proConnectRoutes);
}
