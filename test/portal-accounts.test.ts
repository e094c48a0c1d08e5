/**
 * Citizen accounts with a password: sign-up with a verified address (mail through a real SMTP
 * sink), sign-in, reset, change, sessions and sign-out; no user enumeration through pages, mails
 * or rate limits; CSRF, open redirects and bad inputs refused; axe-core in Chromium.
 */
import { createHash } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDevice } from '../src/accounts/device.js';
import { accountMailJob } from '../src/accounts/jobs.js';
import { hashPassword, verifyPassword } from '../src/accounts/password.js';
import { ACCOUNT_RATES, RateLimiter } from '../src/accounts/rate-limit.js';
import { forgetConfiguration } from '../src/configuration/cache.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { SESSION_COOKIE } from '../src/portal/session.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeOrganisation } from './factories.js';
import { csrfOf, signedInCitizen } from './portal-session.js';
import { startSmtpReceiver } from './smtp.js';

let db: Db;
let app: App;
let organisationId: number;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let runJobs: () => Promise<number>;

const PASSWORD = 'cheval agrafe pile correcte';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
let ipCounter = 0;

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  forgetConfiguration();
  smtp = await startSmtpReceiver();
  app = await testApp(db, { SMTP_URL: smtp.url, PUBLIC_URL: 'https://demarches.ville-test.fr' });
  const registry = new JobRegistry(applicationJobTypes());
  runJobs = () => runDueJobs({ db, config: app.ctx.config, log: pino({ level: 'silent' }) }, registry);
}, 60_000);
afterAll(async () => {
  await app.close();
  await smtp.close();
  await db.close();
});

/** A browser with its own cookie jar and its own IP (rate limits count per IP). */
class Browser {
  readonly jar = new Map<string, string>();
  readonly ip = `198.51.100.${++ipCounter}`;
  constructor(readonly userAgent = FIREFOX) {}

  get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private absorb(res: Awaited<ReturnType<App['inject']>>) {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    return res;
  }

  async get(url: string) {
    return this.absorb(await app.inject({ method: 'GET', url, headers: { cookie: this.cookie, 'user-agent': this.userAgent }, remoteAddress: this.ip }));
  }

  /** Posts a form with this browser's `_csrf` value (read from a page first), unless told not to. */
  async post(url: string, form: Record<string, string>, options: { csrf?: boolean } = {}) {
    const fields = { ...form };
    if (options.csrf !== false) fields['_csrf'] = await this.csrf();
    return this.absorb(
      await app.inject({
        method: 'POST',
        url,
        headers: { cookie: this.cookie, 'user-agent': this.userAgent, 'content-type': 'application/x-www-form-urlencoded' },
        remoteAddress: this.ip,
        payload: new URLSearchParams(fields).toString(),
      }),
    );
  }

  private csrfValue: string | undefined;
  async csrf(): Promise<string> {
    return (this.csrfValue ??= csrfOf((await this.get('/mot-de-passe-oublie')).body));
  }

  /** True when the browser's session is signed in (the sessions page answers instead of redirecting). */
  async signedIn(): Promise<boolean> {
    const res = await this.get('/mon-compte/connexions');
    if (res.statusCode === 200) return true;
    expect(res.statusCode).toBe(303);
    return false;
  }
}

let emailCounter = 0;
const newEmail = (name = 'usager') => `${name}-${++emailCounter}@exemple.fr`;

async function mailsTo(email: string): Promise<ParsedMail[]> {
  await runJobs();
  return smtp.received.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(email)));
}

const tokenIn = (mail: ParsedMail, path: string) => {
  const match = new RegExp(`https://demarches\\.ville-test\\.fr${path.replace(/\//g, '\\/')}\\?jeton=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[1]!;
};

const signUpForm = (email: string, overrides: Record<string, string> = {}) => ({ email, password: PASSWORD, firstNames: 'Lucie Anne', lastName: 'Bernard', consent: 'oui', ...overrides });

/** Opens a verification link and presses its button (the GET alone confirms nothing). */
async function confirm(browser: Browser, token: string) {
  expect((await browser.get(`/inscription/confirmer?jeton=${token}`)).statusCode).toBe(200);
  return browser.post('/inscription/confirmer', { jeton: token });
}

/** Signs up, confirms the address and signs in; returns the signed-in browser. */
async function verifiedAccount(email: string, password = PASSWORD): Promise<Browser> {
  const browser = new Browser();
  expect((await browser.post('/inscription', signUpForm(email, { password }))).statusCode).toBe(200);
  const [mail] = await mailsTo(email);
  expect((await confirm(browser, tokenIn(mail!, '/inscription/confirmer'))).statusCode).toBe(200);
  expect((await signIn(browser, email, password)).statusCode).toBe(303);
  return browser;
}

async function signIn(browser: Browser, email: string, password = PASSWORD, retour?: string) {
  return browser.post('/connexion', { email, password, ...(retour ? { retour } : {}) });
}

describe('passwords, devices and the rate limiter', () => {
  it('hashes with scrypt in the documented format and checks in constant form', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await hashPassword(PASSWORD)).not.toBe(hash);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword(`${PASSWORD} `, hash)).toBe(false);
    expect(await verifyPassword(PASSWORD, 'bcrypt$2b$xx')).toBe(false);
    expect(await verifyPassword(PASSWORD, 'scrypt$abc$8$1$c2Fs$aGFzaA')).toBe(false);
  });

  it('names devices in plain words', () => {
    expect(describeDevice(FIREFOX)).toBe('Firefox sur Linux');
    expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toBe('Safari sur iPhone');
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0')).toBe('Edge sur Windows');
    expect(describeDevice('curl/8.0')).toBe('Appareil inconnu');
    expect(describeDevice(null)).toBe('Appareil inconnu');
  });

  it('limits per key in a window that ends', async () => {
    let now = Date.parse('2026-01-05T08:00:00Z');
    const limiter = new RateLimiter(db, () => now);
    const rule = { limit: 2, windowMs: 60_000 };
    expect((await limiter.hit([{ key: 'unit:a', rule }])).allowed).toBe(true);
    expect((await limiter.hit([{ key: 'unit:a', rule }])).allowed).toBe(true);
    const refused = await limiter.hit([{ key: 'unit:a', rule }]);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect((await limiter.hit([{ key: 'unit:b', rule }])).allowed).toBe(true);
    now += 60_000;
    expect((await limiter.hit([{ key: 'unit:a', rule }])).allowed).toBe(true);
    // The documented limits: 10 sign-in tries per 15 min per (IP, address), 20 per address whatever the IP, 50 per IP; 5 mails an hour per address, 20 per IP.
    expect(ACCOUNT_RATES).toEqual({
      signInPerAddress: { limit: 10, windowMs: 900_000 },
      signInPerAccount: { limit: 20, windowMs: 900_000 },
      signInPerIp: { limit: 50, windowMs: 900_000 },
      mailPerAddress: { limit: 5, windowMs: 3_600_000 },
      mailPerIp: { limit: 20, windowMs: 3_600_000 },
    });
  });
});

describe('sign-up', () => {
  it('shows the password rule before typing, the consent link and the right autocomplete values', async () => {
    const res = await new Browser().get('/inscription');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Créer un compte</h1>');
    expect(res.body).toContain('12 caractères au moins, sans autre contrainte');
    expect(res.body).toMatch(/<input type="password" id="password" name="password" autocomplete="new-password"/);
    expect(res.body).toContain('aria-describedby="password-hint"');
    expect(res.body).toContain('autocomplete="given-name"');
    expect(res.body).toContain('autocomplete="family-name"');
    expect(res.body).toContain('href="/conditions-utilisation"');
    expect(res.body).toContain('name="_csrf"');
    expect(res.body).toContain('<legend>Conditions d’utilisation</legend>');
  });

  it('goes from the form to the mail to a signed-in citizen with a verified address', async () => {
    const email = newEmail('lucie');
    const browser = new Browser();
    const res = await browser.post('/inscription', signUpForm(email.toUpperCase()));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Consultez votre messagerie');
    expect(res.body).toContain(`<strong>${email}</strong>`);

    const account = await db.kysely.selectFrom('citizen_accounts').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(account.email_verified_at).toBeNull();
    expect(account.organisation_id).toBe(organisationId);
    expect(account.password_hash).toMatch(/^scrypt\$/);
    const citizen = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', account.citizen_id).executeTakeFirstOrThrow();
    expect([citizen.first_names, citizen.birth_name, citizen.identity_assurance]).toEqual(['Lucie Anne', 'Bernard', 'declared']);
    const tokens = await db.kysely.selectFrom('account_tokens').selectAll().where('citizen_id', '=', account.citizen_id).execute();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.purpose).toBe('verify_email');
    const ttl = Date.parse(tokens[0]!.expires_at) - Date.parse(tokens[0]!.created_at);
    expect(ttl).toBe(24 * 3_600_000);

    const [mail, ...others] = await mailsTo(email);
    expect(others).toHaveLength(0);
    expect(mail!.subject).toBe('Confirmez votre adresse électronique — Ville ville-test');
    expect(mail!.text).toContain('Bonjour Lucie,');
    expect(mail!.html).toContain('<html lang="fr">');
    const token = tokenIn(mail!, '/inscription/confirmer');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    // Only the token's SHA-256 is stored.
    expect(tokens[0]!.token_hash).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(tokens[0]!.token_hash).not.toContain(token);
    const row = await db.kysely.selectFrom('outgoing_mails').selectAll().where('recipient', '=', email).executeTakeFirstOrThrow();
    expect([row.kind, row.status]).toEqual(['verify_email', 'sent']);

    expect(await browser.signedIn()).toBe(false);
    const opened = await browser.get(`/inscription/confirmer?jeton=${token}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('<form method="post" action="/inscription/confirmer"');
    expect(opened.body).toContain(`name="jeton" value="${token}"`);
    expect((await db.kysely.selectFrom('citizen_accounts').select('email_verified_at').where('email', '=', email).executeTakeFirstOrThrow()).email_verified_at).toBeNull();
    const confirmed = await browser.post('/inscription/confirmer', { jeton: token });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Votre adresse est confirmée');
    expect(confirmed.headers['set-cookie'] ?? '').not.toContain(SESSION_COOKIE);
    // Confirming signs no one in: the citizen signs in with their password.
    expect(await browser.signedIn()).toBe(false);
    expect((await signIn(browser, email)).statusCode).toBe(303);
    expect(await browser.signedIn()).toBe(true);
    const verified = await db.kysely.selectFrom('citizen_accounts').select('email_verified_at').where('email', '=', email).executeTakeFirstOrThrow();
    expect(verified.email_verified_at).not.toBeNull();
    const contact = await db.kysely.selectFrom('citizen_emails').selectAll().where('citizen_id', '=', account.citizen_id).executeTakeFirstOrThrow();
    expect(contact.email).toBe(email);
    expect(contact.verified_at).not.toBeNull();
    const sessions = await db.kysely.selectFrom('portal_sessions').selectAll().where('citizen_id', '=', account.citizen_id).execute();
    expect(sessions.map((s) => s.method)).toEqual(['password']);

    // The link is single use.
    expect((await browser.post('/inscription/confirmer', { jeton: token })).statusCode).toBe(410);
    const again = await new Browser().get(`/inscription/confirmer?jeton=${token}`);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('Ce lien de confirmation n’est plus valable');
    expect(again.body).toContain('href="/connexion"');
    expect(again.headers['set-cookie'] ?? '').not.toContain(SESSION_COOKIE);
  });

  it('refuses an expired or unknown confirmation link', async () => {
    const email = newEmail();
    const browser = new Browser();
    await browser.post('/inscription', signUpForm(email));
    const [mail] = await mailsTo(email);
    const token = tokenIn(mail!, '/inscription/confirmer');
    await db.kysely.updateTable('account_tokens').set({ expires_at: new Date(Date.now() - 1_000).toISOString() }).where('token_hash', '=', createHash('sha256').update(token).digest('base64url')).execute();
    expect((await browser.get(`/inscription/confirmer?jeton=${token}`)).statusCode).toBe(410);
    expect((await browser.get('/inscription/confirmer?jeton=inconnu')).statusCode).toBe(410);
    expect((await browser.get('/inscription/confirmer')).statusCode).toBe(410);
    expect(await browser.signedIn()).toBe(false);
  });

  it('neither confirms nor signs in a browser that only opens the link; confirming signs in no one else (login CSRF)', async () => {
    // The attacker signs up with their own address and plants the link in the victim's browser.
    const attackerEmail = newEmail('attaquant');
    await new Browser().post('/inscription', signUpForm(attackerEmail));
    const token = tokenIn((await mailsTo(attackerEmail)).at(-1)!, '/inscription/confirmer');
    const victim = await verifiedAccount(newEmail('victime'));
    const victimCitizen = await db.kysely.selectFrom('portal_sessions').select('citizen_id').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const opened = await victim.get(`/inscription/confirmer?jeton=${token}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['set-cookie'] ?? '').not.toContain(SESSION_COOKIE);
    const attackerAccount = () => db.kysely.selectFrom('citizen_accounts').select(['citizen_id', 'email_verified_at']).where('email', '=', attackerEmail).executeTakeFirstOrThrow();
    expect((await attackerAccount()).email_verified_at).toBeNull();
    // A cross-site POST (no CSRF value of this browser) confirms nothing either.
    expect((await victim.post('/inscription/confirmer', { jeton: token }, { csrf: false })).statusCode).toBe(403);
    expect((await victim.post('/inscription/confirmer', { jeton: token, _csrf: 'a'.repeat(43) }, { csrf: false })).statusCode).toBe(403);
    expect((await attackerAccount()).email_verified_at).toBeNull();
    // Even pressed, the button leaves the victim in their own session, never the attacker's.
    const pressed = await victim.post('/inscription/confirmer', { jeton: token });
    expect(pressed.statusCode).toBe(200);
    expect(pressed.headers['set-cookie'] ?? '').not.toContain(SESSION_COOKIE);
    expect((await attackerAccount()).email_verified_at).not.toBeNull();
    const attackerSessions = await db.kysely.selectFrom('portal_sessions').select('id').where('citizen_id', '=', (await attackerAccount()).citizen_id).execute();
    expect(attackerSessions).toEqual([]);
    expect(await victim.signedIn()).toBe(true);
    const [current] = await db.kysely.selectFrom('portal_sessions').select('citizen_id').where('revoked_at', 'is', null).where('citizen_id', '=', victimCitizen.citizen_id).execute();
    expect(current).toBeDefined();
  });

  it('sends a browser already signed in as the citizen on to their space once confirmed', async () => {
    const email = newEmail('deja-connecte');
    const browser = await verifiedAccount(email);
    // A new link (an address confirmed again, e.g. after a lost first mail) pressed in the citizen's own browser.
    const { citizen_id: citizenId } = await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', email).executeTakeFirstOrThrow();
    await db.kysely.updateTable('citizen_accounts').set({ email_verified_at: null }).where('citizen_id', '=', citizenId).execute();
    await signIn(new Browser(), email);
    const token = tokenIn((await mailsTo(email)).at(-1)!, '/inscription/confirmer');
    expect((await browser.get(`/inscription/confirmer?jeton=${token}`)).statusCode).toBe(200);
    const pressed = await browser.post('/inscription/confirmer', { jeton: token });
    expect(pressed.statusCode).toBe(303);
    expect(pressed.headers.location).toBe('/mon-espace');
    expect(await browser.signedIn()).toBe(true);
  });

  it('answers an address that already has an account with the very same page, and mails its owner a reset link instead', async () => {
    const email = newEmail('deja');
    const browser = new Browser();
    const first = await browser.post('/inscription', signUpForm(email));
    const second = await browser.post('/inscription', signUpForm(email, { password: 'un tout autre mot de passe', firstNames: 'Intrus', lastName: 'Inconnu' }));
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.body).toBe(first.body);
    expect(await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', email).execute()).toHaveLength(1);
    const account = await db.kysely.selectFrom('citizen_accounts').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(await verifyPassword(PASSWORD, account.password_hash!)).toBe(true);

    // Both jobs may run in the same batch: the order of arrival is not the order of sending.
    const mails = await mailsTo(email);
    expect(mails.map((m) => m.subject).sort()).toEqual(['Confirmez votre adresse électronique — Ville ville-test', 'Vous avez déjà un compte — Ville ville-test']);
    const exists = mails.find((m) => m.subject!.startsWith('Vous avez déjà'))!;
    expect(exists.text).toContain('Un compte existe déjà avec cette adresse');
    expect(exists.text).not.toContain('/inscription/confirmer');
    const reset = tokenIn(exists, '/mot-de-passe/nouveau');
    expect((await new Browser().get(`/mot-de-passe/nouveau?jeton=${reset}`)).statusCode).toBe(200);
  });

  it('gives a citizen their record only through an address it holds as verified, never another account’s (ADR 0002)', async () => {
    const now = new Date().toISOString();
    const insertCitizen = async (email: string, verifiedAt: string | null) => {
      const row = await db.kysely
        .insertInto('citizens')
        .values({ organisation_id: organisationId, civility: null, birth_name: 'Ancien', usage_name: null, first_names: 'Paul', birth_date: null, identity_assurance: 'declared', household_id: null, possible_duplicate_of: null, gender: null, birth_place: null, birth_country: null, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.kysely.insertInto('citizen_emails').values({ citizen_id: row.id, email, is_primary: 1, verified_at: verifiedAt, verified_how: verifiedAt ? 'franceconnect' : null }).execute();
      return row.id;
    };
    // An address verified on the record (FranceConnect, an earlier confirmed account): the record is theirs.
    const verifiedEmail = newEmail('ancien');
    const known = await insertCitizen(verifiedEmail, now);
    await new Browser().post('/inscription', signUpForm(verifiedEmail));
    const account = await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', verifiedEmail).executeTakeFirstOrThrow();
    expect(account.citizen_id).toBe(known);
    expect(await db.kysely.selectFrom('citizen_emails').select('id').where('email', '=', verifiedEmail).execute()).toHaveLength(1);

    // An address only typed somewhere (an anonymous form) proves nothing: the account gets a fresh record.
    const declaredEmail = newEmail('declare');
    const typedOn = await insertCitizen(declaredEmail, null);
    await new Browser().post('/inscription', signUpForm(declaredEmail));
    const fresh = await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', declaredEmail).executeTakeFirstOrThrow();
    expect(fresh.citizen_id).not.toBe(typedOn);

    // A citizen with an account of their own is never handed to a second sign-up.
    const other = newEmail('autre');
    const owner = await signedInCitizen(db, organisationId, { email: other });
    await new Browser().post('/inscription', signUpForm(other));
    const accounts = await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('email', '=', other).execute();
    expect(accounts).toEqual([{ citizen_id: owner.citizenId }]);
  });

  it('refuses bad inputs with 422, an error summary and messages at the fields', async () => {
    const browser = new Browser();
    const res = await browser.post('/inscription', { email: 'pas-une-adresse', password: 'trop court', firstNames: '', lastName: 'Bernard' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('<title>Erreur — Créer un compte — Ville ville-test</title>');
    expect(res.body).toMatch(/<div class="error-summary" role="alert"/);
    for (const [target, message] of [
      ['email', 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr'],
      ['password', 'Le mot de passe doit contenir au moins 12 caractères'],
      ['firstNames', 'Saisissez vos prénoms'],
      ['consent', 'Acceptez les conditions d’utilisation pour créer un compte'],
    ]) {
      expect(res.body).toContain(`<a href="#${target}">${message}</a>`);
      expect(res.body).toContain(`id="${target}-error"`);
    }
    expect(res.body).toMatch(/id="email"[^>]*aria-describedby="email-hint email-error"[^>]*aria-invalid="true"/);
    expect(res.body).toContain('value="pas-une-adresse"');
    expect(res.body).toContain('value="Bernard"');
    // The password is never sent back.
    expect(res.body).not.toContain('trop court');
    const missing = await browser.post('/inscription', signUpForm(newEmail(), { consent: '' }));
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('<a href="#consent">');
    expect(await db.kysely.selectFrom('citizen_accounts').select('email').where('email', 'in', ['pas-une-adresse']).execute()).toHaveLength(0);
  });

  it('limits sign-ups per address and answers 429 with a delay', async () => {
    const email = newEmail('flood');
    const results: number[] = [];
    for (let i = 0; i < 6; i++) results.push((await new Browser().post('/inscription', signUpForm(email))).statusCode);
    expect(results).toEqual([200, 200, 200, 200, 200, 429]);
    const browser = new Browser();
    const refused = await browser.post('/inscription', signUpForm(email));
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3_500);
    expect(refused.body).toContain('Trop de tentatives');
    expect(refused.body).toMatch(/réessayez dans (59|60) minutes/);
  });
});

describe('sign-in and sign-out', () => {
  let email: string;
  beforeAll(async () => {
    email = newEmail('connexion');
    await verifiedAccount(email);
  });

  it('shows the form with links to sign-up and reset, without FranceConnect when it is not configured', async () => {
    const res = await new Browser().get('/connexion?retour=/mes-demandes');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/inscription"');
    expect(res.body).toContain('href="/mot-de-passe-oublie"');
    expect(res.body).toContain('<input type="hidden" name="retour" value="/mes-demandes"/>');
    expect(res.body).toContain('autocomplete="current-password"');
    expect(res.body).not.toContain('franceconnect-button');
  });

  it('signs in and goes back where the citizen was, but never to another site', async () => {
    const browser = new Browser();
    const res = await signIn(browser, email.toUpperCase(), PASSWORD, '/mes-demandes?page=2');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mes-demandes?page=2');
    expect(await browser.signedIn()).toBe(true);

    for (const evil of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      const other = new Browser();
      expect((await other.get(`/connexion?retour=${encodeURIComponent(evil)}`)).body).toContain('<input type="hidden" name="retour" value="/"/>');
      const signedIn = await signIn(other, email, PASSWORD, evil);
      expect(signedIn.statusCode).toBe(303);
      expect(signedIn.headers.location).toBe('/');
    }
  });

  it('refuses a wrong password and an unknown address with one identical page', async () => {
    const browser = new Browser();
    const wrong = await signIn(browser, email, 'pas le bon mot de passe');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('<title>Erreur — Se connecter — Ville ville-test</title>');
    expect(wrong.body).toContain('<a href="#email">Adresse électronique ou mot de passe incorrect</a>');
    expect(wrong.body).toContain('<p class="field-error" id="email-error"><span class="sr-only">Erreur : </span>Adresse électronique ou mot de passe incorrect</p>');
    expect(wrong.body).toMatch(/id="password"[^>]*aria-describedby="email-error"[^>]*aria-invalid="true"/);
    expect(await browser.signedIn()).toBe(false);

    const unknown = newEmail('inconnu');
    const started = Date.now();
    const missing = await signIn(browser, unknown, 'pas le bon mot de passe');
    // The unknown address costs a real scrypt check too.
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(missing.statusCode).toBe(wrong.statusCode);
    expect(missing.body.replaceAll(unknown, 'ADRESSE')).toBe(wrong.body.replaceAll(email, 'ADRESSE'));

    const empty = await browser.post('/connexion', { email: '', password: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('<a href="#email">Saisissez votre adresse électronique</a>');
    expect(empty.body).toContain('<a href="#password">Saisissez votre mot de passe</a>');
  });

  it('sends a new confirmation link to an unverified account given the right password, and only then', async () => {
    const unverified = newEmail('nonverifie');
    await new Browser().post('/inscription', signUpForm(unverified));
    expect(await mailsTo(unverified)).toHaveLength(1);
    const browser = new Browser();
    const wrong = await signIn(browser, unverified, 'pas le bon mot de passe');
    expect(wrong.statusCode).toBe(422);
    expect(await mailsTo(unverified)).toHaveLength(1);
    const right = await signIn(browser, unverified);
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('Un nouveau lien de confirmation vient d’être envoyé');
    expect(await browser.signedIn()).toBe(false);
    const mails = await mailsTo(unverified);
    expect(mails).toHaveLength(2);
    expect((await confirm(browser, tokenIn(mails[1]!, '/inscription/confirmer'))).statusCode).toBe(200);
    expect(await browser.signedIn()).toBe(false);
    expect((await signIn(browser, unverified)).statusCode).toBe(303);
    expect(await browser.signedIn()).toBe(true);
  });

  it('limits tries per address and IP the same way whether the address has an account or not', async () => {
    for (const address of [email, newEmail('personne')]) {
      const browser = new Browser();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await signIn(browser, address, 'mauvais mot de passe')).statusCode);
      expect(statuses).toEqual([...Array(10).fill(422), 429]);
      const refused = await signIn(browser, address, PASSWORD);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
      expect(refused.body).toMatch(/réessayez dans 1[45] minutes/);
      // Another address from the same IP still gets through.
      expect((await signIn(browser, newEmail('voisin'), 'mauvais mot de passe')).statusCode).toBe(422);
    }
  }, 30_000);

  it('signs out with the header’s button, and ends the session for good', async () => {
    const browser = new Browser();
    await signIn(browser, email);
    const before = browser.cookie;
    const page = await browser.get('/mon-compte/connexions');
    expect(page.body).toMatch(/<form method="post" action="\/deconnexion" class="inline-form"><input type="hidden" name="_csrf"/);
    const res = await browser.post('/deconnexion', {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(await browser.signedIn()).toBe(false);
    // The old cookie is no longer a key.
    const replay = await app.inject({ method: 'GET', url: '/mon-compte/connexions', headers: { cookie: before } });
    expect(replay.statusCode).toBe(303);
  });

  it('hands a FranceConnect session to FranceConnect’s sign-out', async () => {
    const citizen = await signedInCitizen(db, organisationId);
    await db.kysely.updateTable('portal_sessions').set({ method: 'franceconnect' }).where('citizen_id', '=', citizen.citizenId).execute();
    const page = await app.inject({ method: 'GET', url: '/mon-compte/connexions', headers: { cookie: citizen.cookie } });
    const res = await app.inject({
      method: 'POST',
      url: '/deconnexion',
      headers: { cookie: citizen.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(page.body) }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/franceconnect/deconnexion');
  });

  it('refuses every form posted without its CSRF value', async () => {
    const browser = new Browser();
    await signIn(browser, email);
    for (const [url, form] of [
      ['/connexion', { email, password: PASSWORD }],
      ['/inscription', signUpForm(newEmail())],
      ['/mot-de-passe-oublie', { email }],
      ['/inscription/confirmer', { jeton: 'x' }],
      ['/deconnexion', {}],
      ['/mon-compte/connexions/revoquer-autres', {}],
      ['/mon-compte/mot-de-passe', { currentPassword: PASSWORD, password: 'un nouveau mot de passe' }],
    ] as [string, Record<string, string>][]) {
      const res = await browser.post(url, form, { csrf: false });
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toContain('Ce formulaire a expiré ou ne vient pas de ce site');
      const forged = await browser.post(url, { ...form, _csrf: 'a'.repeat(43) }, { csrf: false });
      expect(forged.statusCode, url).toBe(403);
    }
    expect(await browser.signedIn()).toBe(true);
  });
});

describe('password reset', () => {
  it('answers the same whatever the address, and mails only an existing account', async () => {
    const email = newEmail('oubli');
    await verifiedAccount(email);
    const browser = new Browser();
    const known = await browser.post('/mot-de-passe-oublie', { email });
    const unknown = newEmail('fantome');
    const missing = await browser.post('/mot-de-passe-oublie', { email: unknown });
    expect(known.statusCode).toBe(200);
    expect(missing.statusCode).toBe(200);
    expect(missing.body.replaceAll(unknown, 'ADRESSE')).toBe(known.body.replaceAll(email, 'ADRESSE'));
    expect(await mailsTo(unknown)).toHaveLength(0);
    const mails = await mailsTo(email);
    expect(mails.at(-1)!.subject).toBe('Choisir un nouveau mot de passe — Ville ville-test');

    const invalid = await browser.post('/mot-de-passe-oublie', { email: 'pas une adresse' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('<a href="#email">');
  });

  it('sets a new password, ends every other session, and cannot be used twice', async () => {
    const email = newEmail('reset');
    const first = await verifiedAccount(email);
    const second = new Browser('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36');
    await signIn(second, email);
    expect(await first.signedIn()).toBe(true);
    expect(await second.signedIn()).toBe(true);

    const browser = new Browser();
    await browser.post('/mot-de-passe-oublie', { email });
    const mail = (await mailsTo(email)).at(-1)!;
    const token = tokenIn(mail, '/mot-de-passe/nouveau');
    const row = await db.kysely.selectFrom('account_tokens').selectAll().where('token_hash', '=', createHash('sha256').update(token).digest('base64url')).executeTakeFirstOrThrow();
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(3_600_000);

    const form = await browser.get(`/mot-de-passe/nouveau?jeton=${token}`);
    expect(form.statusCode).toBe(200);
    expect(form.headers['referrer-policy']).toBe('no-referrer');
    expect(form.body).toContain(`<input type="hidden" name="jeton" value="${token}"/>`);
    expect(form.body).toContain('autocomplete="new-password"');

    const short = await browser.post('/mot-de-passe/nouveau', { jeton: token, password: 'court' });
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain('<a href="#password">Le mot de passe doit contenir au moins 12 caractères</a>');

    const newPassword = 'une nouvelle phrase de passe';
    const done = await browser.post('/mot-de-passe/nouveau', { jeton: token, password: newPassword });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/mon-espace');
    expect(await browser.signedIn()).toBe(true);
    expect(await first.signedIn()).toBe(false);
    expect(await second.signedIn()).toBe(false);
    expect((await mailsTo(email)).at(-1)!.subject).toBe('Votre mot de passe a été modifié — Ville ville-test');

    expect((await signIn(new Browser(), email, PASSWORD)).statusCode).toBe(422);
    expect((await signIn(new Browser(), email, newPassword)).statusCode).toBe(303);

    const reused = await new Browser().post('/mot-de-passe/nouveau', { jeton: token, password: 'encore une autre phrase' });
    expect(reused.statusCode).toBe(410);
    expect(reused.body).toContain('Ce lien n’est plus valable');
    expect(reused.body).toContain('href="/mot-de-passe-oublie"');
    expect((await new Browser().get(`/mot-de-passe/nouveau?jeton=${token}`)).statusCode).toBe(410);
  });

  it('refuses an expired link, and verifies the address of an account that had not confirmed it', async () => {
    const email = newEmail('expire');
    await new Browser().post('/inscription', signUpForm(email));
    const browser = new Browser();
    await browser.post('/mot-de-passe-oublie', { email });
    const [expiring, fresh] = await (async () => {
      await browser.post('/mot-de-passe-oublie', { email });
      const mails = (await mailsTo(email)).filter((m) => m.subject?.startsWith('Choisir'));
      return mails.map((m) => tokenIn(m, '/mot-de-passe/nouveau'));
    })();
    await db.kysely.updateTable('account_tokens').set({ expires_at: new Date(Date.now() - 1_000).toISOString() }).where('token_hash', '=', createHash('sha256').update(expiring!).digest('base64url')).execute();
    expect((await browser.get(`/mot-de-passe/nouveau?jeton=${expiring}`)).statusCode).toBe(410);
    expect((await browser.post('/mot-de-passe/nouveau', { jeton: expiring!, password: 'une phrase de passe valable' })).statusCode).toBe(410);
    expect(await browser.signedIn()).toBe(false);

    expect((await browser.post('/mot-de-passe/nouveau', { jeton: fresh!, password: 'une phrase de passe valable' })).statusCode).toBe(303);
    const account = await db.kysely.selectFrom('citizen_accounts').select('email_verified_at').where('email', '=', email).executeTakeFirstOrThrow();
    expect(account.email_verified_at).not.toBeNull();
  });

  it('limits reset requests per address without telling whether it has an account', async () => {
    const unknown = newEmail('limite');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await new Browser().post('/mot-de-passe-oublie', { email: unknown })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('sessions and password change', () => {
  it('lists the citizen’s sessions, marks this device, and ends another one', async () => {
    const email = newEmail('sessions');
    const here = await verifiedAccount(email);
    const phone = new Browser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1');
    await signIn(phone, email);
    const page = await here.get('/mon-compte/connexions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Mes connexions</h1>');
    expect(page.body).toContain('Firefox sur Linux<span class="tag"> (cet appareil)</span>');
    expect(page.body).toContain('Safari sur iPhone');
    expect(page.body).toContain(phone.ip);
    const ids = [...page.body.matchAll(/action="\/mon-compte\/connexions\/([^/"]+)\/revoquer"/g)].map((m) => decodeURIComponent(m[1]!));
    expect(ids).toHaveLength(1);

    // Another citizen cannot end it, nor learn that it exists.
    const stranger = await signedInCitizen(db, organisationId);
    const strangerPage = await app.inject({ method: 'GET', url: '/mon-compte/connexions', headers: { cookie: stranger.cookie } });
    const foreign = await app.inject({
      method: 'POST',
      url: `/mon-compte/connexions/${encodeURIComponent(ids[0]!)}/revoquer`,
      headers: { cookie: stranger.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(strangerPage.body) }).toString(),
    });
    expect(foreign.statusCode).toBe(404);
    expect(await phone.signedIn()).toBe(true);

    const revoked = await here.post(`/mon-compte/connexions/${encodeURIComponent(ids[0]!)}/revoquer`, {});
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/mon-compte/connexions?fait=un');
    expect(await phone.signedIn()).toBe(false);
    expect(await here.signedIn()).toBe(true);
    expect((await here.post(`/mon-compte/connexions/${encodeURIComponent(ids[0]!)}/revoquer`, {})).statusCode).toBe(404);
    expect((await here.post('/mon-compte/connexions/inconnue/revoquer', {})).statusCode).toBe(404);
    const after = await here.get('/mon-compte/connexions?fait=un');
    expect(after.body).toContain('La connexion de cet appareil a été fermée.');
    expect(after.body).not.toContain('Safari sur iPhone');
  });

  it('ends all other sessions at once', async () => {
    const email = newEmail('tous');
    const here = await verifiedAccount(email);
    const others = [new Browser(), new Browser()];
    for (const other of others) await signIn(other, email);
    const res = await here.post('/mon-compte/connexions/revoquer-autres', {});
    expect(res.statusCode).toBe(303);
    for (const other of others) expect(await other.signedIn()).toBe(false);
    expect(await here.signedIn()).toBe(true);
    expect((await here.get('/mon-compte/connexions')).body).toContain('Aucun autre appareil n’est connecté.');
  });

  it('sends a signed-out visitor to the sign-in page and back', async () => {
    const res = await new Browser().get('/mon-compte/connexions');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/connexion?retour=%2Fmon-compte%2Fconnexions');
  });

  it('changes the password with the current one, keeping this session and ending the others', async () => {
    const email = newEmail('change');
    const here = await verifiedAccount(email);
    const other = new Browser();
    await signIn(other, email);
    const form = await here.get('/mon-compte/mot-de-passe');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('autocomplete="current-password"');

    const wrong = await here.post('/mon-compte/mot-de-passe', { currentPassword: 'pas le bon mot de passe', password: 'une nouvelle phrase de passe' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('<a href="#currentPassword">Le mot de passe actuel est incorrect</a>');
    const short = await here.post('/mon-compte/mot-de-passe', { currentPassword: PASSWORD, password: 'court' });
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain('<a href="#password">');
    expect(await other.signedIn()).toBe(true);

    const done = await here.post('/mon-compte/mot-de-passe', { currentPassword: PASSWORD, password: 'une nouvelle phrase de passe' });
    expect(done.statusCode).toBe(303);
    expect((await here.get(done.headers.location as string)).body).toContain('Votre mot de passe a été modifié.');
    expect(await here.signedIn()).toBe(true);
    expect(await other.signedIn()).toBe(false);
    expect((await mailsTo(email)).at(-1)!.subject).toBe('Votre mot de passe a été modifié — Ville ville-test');
    expect((await signIn(new Browser(), email, 'une nouvelle phrase de passe')).statusCode).toBe(303);
  });

  it('offers a citizen without a password to choose one through a reset link', async () => {
    const citizen = await signedInCitizen(db, organisationId);
    const page = await app.inject({ method: 'GET', url: '/mon-compte/mot-de-passe', headers: { cookie: citizen.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('votre compte n’a pas de mot de passe');
    expect(page.body).toContain('action="/mot-de-passe-oublie"');
    expect(page.body).toContain(`<input type="hidden" name="email" value="${citizen.email}"/>`);
    expect(page.body).not.toContain('name="currentPassword"');
  });
});

describe('account mail job', () => {
  it('keeps the error while the mail server is down, gives up at the last attempt, and never sends twice', async () => {
    const email = newEmail('panne');
    await new Browser().post('/inscription', signUpForm(email));
    const mail = await db.kysely.selectFrom('outgoing_mails').selectAll().where('recipient', '=', email).executeTakeFirstOrThrow();
    const down = { db, config: { ...app.ctx.config, SMTP_URL: 'smtp://127.0.0.1:1' }, log: pino({ level: 'silent' }) };
    await expect(accountMailJob.handle(down, { mailId: mail.id }, { id: 0, attempt: 1 })).rejects.toThrow();
    let row = await db.kysely.selectFrom('outgoing_mails').selectAll().where('id', '=', mail.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    expect(row.last_error).toBeTruthy();
    await expect(accountMailJob.handle(down, { mailId: mail.id }, { id: 0, attempt: 10 })).rejects.toThrow();
    row = await db.kysely.selectFrom('outgoing_mails').selectAll().where('id', '=', mail.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');

    // The queued job itself then delivers it, once.
    expect(await mailsTo(email)).toHaveLength(1);
    row = await db.kysely.selectFrom('outgoing_mails').selectAll().where('id', '=', mail.id).executeTakeFirstOrThrow();
    expect([row.status, row.last_error]).toEqual(['sent', null]);
    await accountMailJob.handle({ db, config: app.ctx.config, log: pino({ level: 'silent' }) }, { mailId: mail.id }, { id: 0, attempt: 2 });
    expect(await mailsTo(email)).toHaveLength(1);
  });
});

describe('FranceConnect and valid HTML', () => {
  it('offers FranceConnect above the form, with a separator, when it is configured', async () => {
    const withFc = await testApp(db, { FRANCECONNECT_ISSUER: 'https://fcp-low.sbx.dev-franceconnect.fr/api/v2', FRANCECONNECT_CLIENT_ID: 'client', FRANCECONNECT_CLIENT_SECRET: 'secret' });
    try {
      const res = await withFc.inject({ method: 'GET', url: '/connexion?retour=%2Fmes-demandes' });
      expect(res.statusCode).toBe(200);
      const button = res.body.indexOf('class="franceconnect-button"');
      expect(button).toBeGreaterThan(0);
      expect(res.body.indexOf('<p class="separator"><span>ou</span></p>')).toBeGreaterThan(button);
      expect(res.body.indexOf('<form method="post" action="/connexion"')).toBeGreaterThan(button);
      expect(res.body).toContain('<form method="get" action="/franceconnect/connexion"><input type="hidden" name="retour" value="/mes-demandes"/>');
    } finally {
      await withFc.close();
    }
  });

  it.skipIf(!validatorAvailable)('serves pages the Nu Html Checker finds no error in', async () => {
    const email = newEmail('html');
    const here = await verifiedAccount(email);
    await signIn(new Browser(), email);
    const visitor = new Browser();
    await visitor.post('/mot-de-passe-oublie', { email });
    const token = tokenIn((await mailsTo(email)).at(-1)!, '/mot-de-passe/nouveau');
    const fcOnly = await signedInCitizen(db, organisationId);
    const pending = newEmail('html-confirmer');
    await visitor.post('/inscription', signUpForm(pending));
    const verifyToken = tokenIn((await mailsTo(pending)).at(-1)!, '/inscription/confirmer');
    const pages = [
      { name: 'confirmer son adresse', html: (await visitor.get(`/inscription/confirmer?jeton=${verifyToken}`)).body },
      { name: 'adresse confirmée', html: (await visitor.post('/inscription/confirmer', { jeton: verifyToken })).body },
      { name: 'connexion', html: (await visitor.get('/connexion')).body },
      { name: 'connexion en erreur', html: (await signIn(visitor, email, 'mauvais mot de passe')).body },
      { name: 'inscription', html: (await visitor.get('/inscription')).body },
      { name: 'inscription en erreur', html: (await visitor.post('/inscription', { email: 'x' })).body },
      { name: 'inscription envoyée', html: (await visitor.post('/inscription', signUpForm(newEmail()))).body },
      { name: 'mot de passe oublié', html: (await visitor.get('/mot-de-passe-oublie')).body },
      { name: 'nouveau mot de passe', html: (await visitor.get(`/mot-de-passe/nouveau?jeton=${token}`)).body },
      { name: 'lien expiré', html: (await visitor.get('/mot-de-passe/nouveau?jeton=x')).body },
      { name: 'confirmation expirée', html: (await visitor.get('/inscription/confirmer?jeton=x')).body },
      { name: 'connexions', html: (await here.get('/mon-compte/connexions')).body },
      { name: 'changer de mot de passe', html: (await here.get('/mon-compte/mot-de-passe')).body },
      { name: 'sans mot de passe', html: (await app.inject({ method: 'GET', url: '/mon-compte/mot-de-passe', headers: { cookie: fcOnly.cookie } })).body },
    ];
    const errors = await validateHtml(pages);
    expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});

describe('accessibility in Chromium', () => {
  it.skipIf(!browserAvailable)('has no axe violation on the sign-in and sign-up pages, nor on the sign-up errors', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const chromium = await launchBrowser();
    try {
      const page = await chromium.newPage();
      for (const path of ['/connexion', '/inscription', '/mot-de-passe-oublie']) {
        await page.goto(`${base}${path}`);
        expect(await axeViolations(page), path).toEqual([]);
      }
      // The enhancement: the password can be shown, then hidden again.
      await page.goto(`${base}/inscription`);
      const reveal = page.locator('button.password-reveal');
      await reveal.click();
      expect(await page.locator('#password').getAttribute('type')).toBe('text');
      await reveal.click();
      expect(await page.locator('#password').getAttribute('type')).toBe('password');
      // Submitting the empty form gives the error state.
      await page.locator('form.account-form button[type=submit]').click();
      await page.locator('.error-summary').waitFor();
      expect(await page.title()).toContain('Erreur — Créer un compte');
      expect(await page.locator('.error-summary li').count()).toBe(5);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await chromium.close();
    }
  }, 60_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
