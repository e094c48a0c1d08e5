import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/context.js';
import { AppError, notFound } from '../http/errors.js';
import type { FieldProblem } from '../http/ui/layout.js';
import { portalContext, portalOrganisation, sendPortalPage } from '../portal/page.js';
import { checkCsrf, citizenSessionOf, closeCitizenSession, openCitizenSession, requireCitizen, safeReturnPath } from '../portal/session.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, prepareDummyHash } from './password.js';
import { ACCOUNT_RATES, RateLimiter, signInChecks, signInSuccessKey, type RateCheck } from './rate-limit.js';
import {
  accountOf,
  activeSessions,
  changePassword,
  confirmEmail,
  requestPasswordReset,
  verificationTokenUsable,
  resetPassword,
  resetTokenUsable,
  revokeOtherSessions,
  revokeSession,
  signIn,
  signUp,
  type AccountOrganisation,
} from './service.js';
import { ConfirmationFailedPage, CheckMailboxPage, ResetRequestedPage, TooManyAttemptsPage, UnverifiedPage } from './views/notices.js';
import { ChangePasswordPage, ForgotPasswordPage, NewPasswordPage, NoPasswordPage, ResetLinkInvalidPage } from './views/password-pages.js';
import { ConfirmEmailPage, EmailConfirmedPage } from './views/confirm-email.js';
import { SessionsPage } from './views/sessions.js';
import { SignInPage } from './views/sign-in.js';
import { SignUpPage, type SignUpValues } from './views/sign-up.js';
import { franceConnectConfigured } from '../franceconnect/client.js';

const hidden = { hide: true };
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const REFUSED = 'Adresse électronique ou mot de passe incorrect';

type Form = Record<string, unknown>;

/** A form field as trimmed text (or as typed, for a password), cut to a length nobody needs to exceed. */
function field(body: unknown, name: string, max = 300, trim = true): string {
  const value = body && typeof body === 'object' ? (body as Form)[name] : undefined;
  if (typeof value !== 'string') return '';
  return (trim ? value.trim() : value).slice(0, max + 1);
}

const queryParam = (request: FastifyRequest, name: string) => field(request.query, name, 500);

/** The problem with an address, if any (addresses are kept lower-cased). */
function emailProblem(email: string): FieldProblem | null {
  if (!email) return { target: 'email', message: 'Saisissez votre adresse électronique' };
  if (email.length > 254 || !EMAIL.test(email)) return { target: 'email', message: 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr' };
  return null;
}

function newPasswordProblem(password: string, target = 'password'): FieldProblem | null {
  if (!password) return { target, message: 'Saisissez un mot de passe' };
  if ([...password].length < MIN_PASSWORD_LENGTH) return { target, message: `Le mot de passe doit contenir au moins ${MIN_PASSWORD_LENGTH} caractères` };
  if (password.length > MAX_PASSWORD_LENGTH) return { target, message: `Le mot de passe doit contenir au plus ${MAX_PASSWORD_LENGTH} caractères` };
  return null;
}

/**
 * Sign-up, e-mail verification, sign-in, password reset, sign-out and the list of sessions.
 * Every form carries `_csrf`; pages that could tell whether an address has an account answer
 * the same either way; attempts are limited per IP, per address and per (IP, address), in the database.
 */
export async function accountRoutes(app: App): Promise<void> {
  const db = app.ctx.db;
  const limiter = new RateLimiter(db);
  prepareDummyHash();

  async function organisationOf(request: FastifyRequest): Promise<AccountOrganisation> {
    const organisation = await portalOrganisation(request);
    if (organisation.id === null) throw new AppError('unavailable', 'Le portail n’est pas encore configuré.');
    return { id: organisation.id, organisationName: organisation.name, publicUrl: app.ctx.config.publicUrl };
  }

  /** Counts an attempt; when over a limit, sends the 429 page and returns true. */
  async function overLimit(request: FastifyRequest, reply: FastifyReply, checks: RateCheck[]): Promise<boolean> {
    const decision = await limiter.hit(checks);
    if (decision.allowed) return false;
    void reply.header('retry-after', String(decision.retryAfterSeconds));
    await sendPortalPage(request, reply, { status: 429, title: 'Trop de tentatives', body: <TooManyAttemptsPage minutes={Math.max(1, Math.ceil(decision.retryAfterSeconds / 60))} /> });
    return true;
  }

  const errorTitle = (problems: FieldProblem[], title: string) => (problems.length > 0 ? `Erreur — ${title}` : title);

  // Sign-up ------------------------------------------------------------------------------------

  const signUpPage = async (request: FastifyRequest, reply: FastifyReply, values: SignUpValues, problems: FieldProblem[]) => {
    const { csrf } = await portalContext(request, reply);
    return sendPortalPage(request, reply, {
      status: problems.length > 0 ? 422 : 200,
      title: errorTitle(problems, 'Créer un compte'),
      body: <SignUpPage csrf={csrf} values={values} problems={problems} />,
    });
  };

  app.get('/inscription', { schema: hidden }, async (request, reply) => {
    if (await citizenSessionOf(request)) return reply.redirect('/mon-espace', 303);
    return signUpPage(request, reply, { email: '', firstNames: '', lastName: '', consent: false }, []);
  });

  app.post('/inscription', { schema: hidden }, async (request, reply) => {
    const body = request.body;
    checkCsrf(request, field(body, '_csrf'));
    const values: SignUpValues = {
      email: field(body, 'email').toLowerCase(),
      firstNames: field(body, 'firstNames', 100),
      lastName: field(body, 'lastName', 100),
      consent: field(body, 'consent') === 'oui',
    };
    const password = field(body, 'password', MAX_PASSWORD_LENGTH, false);
    const problems = [
      emailProblem(values.email),
      newPasswordProblem(password),
      values.firstNames ? null : { target: 'firstNames', message: 'Saisissez vos prénoms' },
      values.lastName ? null : { target: 'lastName', message: 'Saisissez votre nom' },
      values.consent ? null : { target: 'consent', message: 'Acceptez les conditions d’utilisation pour créer un compte' },
    ].filter((p): p is FieldProblem => p !== null);
    if (problems.length > 0) return signUpPage(request, reply, values, problems);
    const limited = await overLimit(request, reply, [
      { key: `portal:signup:${values.email}`, rule: ACCOUNT_RATES.mailPerAddress },
      { key: `portal:signup-ip:${request.ip}`, rule: ACCOUNT_RATES.mailPerIp },
    ]);
    if (limited) return reply;
    await signUp(db, await organisationOf(request), { email: values.email, password, firstNames: values.firstNames, lastName: values.lastName });
    return sendPortalPage(request, reply, { title: 'Consultez votre messagerie', body: <CheckMailboxPage email={values.email} /> });
  });

  const confirmationFailed = (request: FastifyRequest, reply: FastifyReply) =>
    sendPortalPage(request, reply, { status: 410, title: 'Lien de confirmation expiré', body: <ConfirmationFailedPage />, cacheControl: 'no-store' });

  // Opening the link only shows a button: a GET (a mail scanner, a link planted in another
  // browser) changes nothing. The POST confirms, and signs no one in (see docs/sessions-and-rate-limits.md).
  app.get('/inscription/confirmer', { schema: hidden }, async (request, reply) => {
    // The token is a key: keep it out of referrers and caches.
    void reply.header('referrer-policy', 'no-referrer');
    const token = queryParam(request, 'jeton');
    if (!(await verificationTokenUsable(db, token))) return confirmationFailed(request, reply);
    const { csrf } = await portalContext(request, reply);
    return sendPortalPage(request, reply, { title: 'Confirmer votre adresse électronique', body: <ConfirmEmailPage csrf={csrf} token={token} />, cacheControl: 'no-store' });
  });

  app.post('/inscription/confirmer', { schema: hidden }, async (request, reply) => {
    void reply.header('referrer-policy', 'no-referrer');
    checkCsrf(request, field(request.body, '_csrf'));
    if (await overLimit(request, reply, [{ key: `portal:token-ip:${request.ip}`, rule: ACCOUNT_RATES.signInPerIp }])) return reply;
    const citizenId = await confirmEmail(db, field(request.body, 'jeton', 100));
    if (citizenId === undefined) return confirmationFailed(request, reply);
    // Already this citizen's browser: carry on. Any other browser signs in with the password.
    if ((await citizenSessionOf(request))?.citizenId === citizenId) return reply.header('cache-control', 'no-store').redirect('/mon-espace', 303);
    return sendPortalPage(request, reply, { title: 'Adresse confirmée', body: <EmailConfirmedPage />, cacheControl: 'no-store' });
  });

  // Sign-in and sign-out ---------------------------------------------------------------------------

  const signInPage = async (request: FastifyRequest, reply: FastifyReply, email: string, returnTo: string, problems: FieldProblem[], refused = false) => {
    const { csrf } = await portalContext(request, reply);
    return sendPortalPage(request, reply, {
      status: problems.length > 0 ? 422 : 200,
      title: errorTitle(problems, 'Se connecter'),
      body: <SignInPage csrf={csrf} email={email} returnTo={returnTo} problems={problems} franceConnect={franceConnectConfigured(app.ctx.config)} refused={refused} />,
    });
  };

  app.get('/connexion', { schema: hidden }, async (request, reply) => {
    const returnTo = safeReturnPath(queryParam(request, 'retour'));
    if (await citizenSessionOf(request)) return reply.redirect(returnTo, 303);
    return signInPage(request, reply, '', returnTo, []);
  });

  app.post('/connexion', { schema: hidden }, async (request, reply) => {
    const body = request.body;
    checkCsrf(request, field(body, '_csrf'));
    const returnTo = safeReturnPath(field(body, 'retour', 500));
    const email = field(body, 'email').toLowerCase();
    const password = field(body, 'password', MAX_PASSWORD_LENGTH, false);
    const missing = [
      email ? null : { target: 'email', message: 'Saisissez votre adresse électronique' },
      password ? null : { target: 'password', message: 'Saisissez votre mot de passe' },
    ].filter((p): p is FieldProblem => p !== null);
    if (missing.length > 0) return signInPage(request, reply, email, returnTo, missing);
    if (await overLimit(request, reply, signInChecks('portal', request.ip, email))) return reply;
    const organisation = await organisationOf(request);
    const result = await signIn(db, organisation, email, password);
    if (result.outcome === 'refused') return signInPage(request, reply, email, returnTo, [{ target: 'email', message: REFUSED }], true);
    if (result.outcome === 'unverified') return sendPortalPage(request, reply, { title: 'Confirmez votre adresse électronique', body: <UnverifiedPage email={email} /> });
    await limiter.reset(signInSuccessKey('portal', request.ip, email));
    await openCitizenSession(request, reply, result.citizenId, 'password');
    return reply.redirect(returnTo, 303);
  });

  app.post('/deconnexion', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, field(request.body, '_csrf'));
    const session = await citizenSessionOf(request);
    // FranceConnect's own session must end too: its route ends both.
    if (session?.method === 'franceconnect') return reply.redirect('/franceconnect/deconnexion', 303);
    await closeCitizenSession(request, reply);
    return reply.redirect('/', 303);
  });

  // Password reset ---------------------------------------------------------------------------

  const forgotPage = async (request: FastifyRequest, reply: FastifyReply, email: string, problems: FieldProblem[]) => {
    const { csrf } = await portalContext(request, reply);
    return sendPortalPage(request, reply, {
      status: problems.length > 0 ? 422 : 200,
      title: errorTitle(problems, 'Mot de passe oublié'),
      body: <ForgotPasswordPage csrf={csrf} email={email} problems={problems} />,
    });
  };

  app.get('/mot-de-passe-oublie', { schema: hidden }, async (request, reply) => forgotPage(request, reply, '', []));

  app.post('/mot-de-passe-oublie', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, field(request.body, '_csrf'));
    const email = field(request.body, 'email').toLowerCase();
    const problem = emailProblem(email);
    if (problem) return forgotPage(request, reply, email, [problem]);
    const limited = await overLimit(request, reply, [
      { key: `portal:reset:${email}`, rule: ACCOUNT_RATES.mailPerAddress },
      { key: `portal:reset-ip:${request.ip}`, rule: ACCOUNT_RATES.mailPerIp },
    ]);
    if (limited) return reply;
    await requestPasswordReset(db, await organisationOf(request), email);
    return sendPortalPage(request, reply, { title: 'Consultez votre messagerie', body: <ResetRequestedPage email={email} /> });
  });

  const newPasswordPage = async (request: FastifyRequest, reply: FastifyReply, token: string, problems: FieldProblem[]) => {
    const { csrf } = await portalContext(request, reply);
    void reply.header('referrer-policy', 'no-referrer');
    return sendPortalPage(request, reply, {
      status: problems.length > 0 ? 422 : 200,
      title: errorTitle(problems, 'Choisir un nouveau mot de passe'),
      body: <NewPasswordPage csrf={csrf} token={token} problems={problems} />,
      cacheControl: 'no-store',
    });
  };

  const invalidLink = (request: FastifyRequest, reply: FastifyReply) =>
    sendPortalPage(request, reply, { status: 410, title: 'Lien expiré', body: <ResetLinkInvalidPage />, cacheControl: 'no-store' });

  app.get('/mot-de-passe/nouveau', { schema: hidden }, async (request, reply) => {
    const token = queryParam(request, 'jeton');
    if (!(await resetTokenUsable(db, token))) return invalidLink(request, reply);
    return newPasswordPage(request, reply, token, []);
  });

  app.post('/mot-de-passe/nouveau', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, field(request.body, '_csrf'));
    const token = field(request.body, 'jeton', 100);
    const password = field(request.body, 'password', MAX_PASSWORD_LENGTH, false);
    const problem = newPasswordProblem(password);
    if (problem) {
      if (!(await resetTokenUsable(db, token))) return invalidLink(request, reply);
      return newPasswordPage(request, reply, token, [problem]);
    }
    if (await overLimit(request, reply, [{ key: `portal:token-ip:${request.ip}`, rule: ACCOUNT_RATES.signInPerIp }])) return reply;
    const citizenId = await resetPassword(db, await organisationOf(request), token, password);
    if (citizenId === undefined) return invalidLink(request, reply);
    // This browser just chose the password, behind a CSRF-checked form: it knows what a sign-in
    // would ask, so it is signed in (docs/sessions-and-rate-limits.md explains why this is no login CSRF).
    await openCitizenSession(request, reply, citizenId, 'password');
    return reply.redirect('/mon-espace', 303);
  });

  // The signed-in citizen's account ------------------------------------------------------------------

  app.get('/mon-compte/connexions', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const { csrf } = await portalContext(request, reply);
    const sessions = await activeSessions(db, session.citizenId);
    const done = queryParam(request, 'fait');
    const notice = done === 'un' ? 'La connexion de cet appareil a été fermée.' : done === 'autres' ? 'Les connexions de vos autres appareils ont été fermées.' : null;
    return sendPortalPage(request, reply, {
      title: 'Mes connexions',
      body: <SessionsPage csrf={csrf} sessions={sessions} currentId={session.id} timezone={app.ctx.config.TIMEZONE} notice={notice} />,
    });
  });

  app.post('/mon-compte/connexions/revoquer-autres', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, field(request.body, '_csrf'));
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    await revokeOtherSessions(db, session.citizenId, session.id);
    return reply.redirect('/mon-compte/connexions?fait=autres', 303);
  });

  app.post('/mon-compte/connexions/:id/revoquer', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, field(request.body, '_csrf'));
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const id = (request.params as { id: string }).id.slice(0, 100);
    if (!(await revokeSession(db, session.citizenId, id))) throw notFound('Cette connexion n’existe pas ou est déjà fermée.');
    if (id === session.id) {
      await closeCitizenSession(request, reply);
      return reply.redirect('/', 303);
    }
    return reply.redirect('/mon-compte/connexions?fait=un', 303);
  });

  const changePasswordPage = async (request: FastifyRequest, reply: FastifyReply, problems: FieldProblem[], changed = false) => {
    const { csrf } = await portalContext(request, reply);
    return sendPortalPage(request, reply, {
      status: problems.length > 0 ? 422 : 200,
      title: errorTitle(problems, 'Modifier mon mot de passe'),
      body: <ChangePasswordPage csrf={csrf} problems={problems} changed={changed} />,
    });
  };

  app.get('/mon-compte/mot-de-passe', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const account = await accountOf(db, session.citizenId);
    if (!account?.hasPassword) {
      const { csrf } = await portalContext(request, reply);
      return sendPortalPage(request, reply, { title: 'Mot de passe', body: <NoPasswordPage csrf={csrf} email={account?.email ?? null} /> });
    }
    return changePasswordPage(request, reply, [], queryParam(request, 'fait') === 'oui');
  });

  app.post('/mon-compte/mot-de-passe', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, field(request.body, '_csrf'));
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const current = field(request.body, 'currentPassword', MAX_PASSWORD_LENGTH, false);
    const next = field(request.body, 'password', MAX_PASSWORD_LENGTH, false);
    const problems = [current ? null : { target: 'currentPassword', message: 'Saisissez votre mot de passe actuel' }, newPasswordProblem(next)].filter(
      (p): p is FieldProblem => p !== null,
    );
    if (problems.length > 0) return changePasswordPage(request, reply, problems);
    const limited = await overLimit(request, reply, [{ key: `portal:change:${session.citizenId}`, rule: ACCOUNT_RATES.signInPerAddress }]);
    if (limited) return reply;
    const outcome = await changePassword(db, await organisationOf(request), session.citizenId, session.id, current, next);
    if (outcome === 'no_password') return reply.redirect('/mon-compte/mot-de-passe', 303);
    if (outcome === 'wrong_password') return changePasswordPage(request, reply, [{ target: 'currentPassword', message: 'Le mot de passe actuel est incorrect' }]);
    return reply.redirect('/mon-compte/mot-de-passe?fait=oui', 303);
  });
}
