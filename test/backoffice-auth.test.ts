/**
 * Agents' sign-in: password (no account enumeration, rate limits, CSRF, return path), the TOTP
 * second factor (good, wrong and replayed codes; enrolment forced on admins and, when the
 * organisation says so, on every agent), ProConnect against a real local OpenID provider
 * (PKCE, binding by e-mail then by subject, unknown agent, cancellation, logout), the account
 * page and sign-out; axe-core and a keyboard-only sign-in in Chromium.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/accounts/password.js';
import { currentCode, matchingCounter } from '../src/backoffice/auth/totp.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_TOTP_SECRET, DEMO_AGENT_PASSWORD } from '../src/demo/agent-accounts.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { AGENT_COOKIE } from '../src/backoffice/session.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { forgetConfiguration } from '../src/configuration/cache.js';
import { testApp } from './app.js';
import { createAgent } from './backoffice-session.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeDepartment, makeOrganisation } from './factories.js';
import { TEST_AGENT, startProConnectProvider, type ProConnectProvider } from './proconnect-provider.js';

const PUBLIC_URL = 'http://guichet.test';
const PASSWORD = 'agent-mot-de-passe-2026';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
let db: Db;
let app: App;
let provider: ProConnectProvider;
let organisationId: number;
let departmentId: number;
let passwordHash: string;
let ipCounter = 0;

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  departmentId = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  forgetConfiguration();
  provider = await startProConnectProvider({ publicUrl: PUBLIC_URL });
  app = await testApp(db, { PUBLIC_URL, ...provider.env });
  passwordHash = await hashPassword(PASSWORD);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await provider?.close();
  await db?.close();
});

interface Visit {
  url: string;
  status: number;
  location: string | null;
  body: string;
}

/** A browser: app URLs through app.inject, the provider's through fetch; one cookie jar per origin and its own IP. */
class Browser {
  readonly jars = new Map<string, Map<string, string>>();
  readonly ip = `198.51.100.${++ipCounter}`;

  constructor(readonly target: App = app) {}

  jar(origin = PUBLIC_URL): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }

  cookie(origin = PUBLIC_URL): string {
    return [...this.jar(origin)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(url: string, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}): Promise<Visit> {
    const absolute = new URL(url, PUBLIC_URL);
    const headers = { cookie: this.cookie(absolute.origin), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) };
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    let visit: Visit;
    let setCookies: string[];
    if (absolute.origin === PUBLIC_URL) {
      const res = await this.target.inject({ method: init.method ?? 'GET', url: absolute.pathname + absolute.search, headers, remoteAddress: this.ip, ...(body ? { payload: body } : {}) });
      const raw = res.headers['set-cookie'];
      setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      visit = { url: absolute.href, status: res.statusCode, location: (res.headers.location as string | undefined) ?? null, body: res.body };
    } else {
      const res = await fetch(absolute, { method: init.method ?? 'GET', redirect: 'manual', headers, ...(body ? { body } : {}) });
      setCookies = res.headers.getSetCookie();
      visit = { url: absolute.href, status: res.status, location: res.headers.get('location'), body: await res.text() };
    }
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (expired || value === '') this.jar(absolute.origin).delete(name);
      else this.jar(absolute.origin).set(name, value);
    }
    if (visit.location) visit.location = new URL(visit.location, absolute).href;
    return visit;
  }

  get(url: string) {
    return this.request(url);
  }

  /** Posts a form with the `_csrf` of the page at `from` (the form's own page). */
  async post(url: string, form: Record<string, string>, from: string | null = url): Promise<Visit> {
    const fields = { ...form };
    if (from) fields['_csrf'] = csrfIn((await this.get(from)).body);
    return this.request(url, { method: 'POST', form: fields });
  }

  async signIn(email: string, password = PASSWORD, returnTo?: string): Promise<Visit> {
    return this.post('/backoffice/connexion', { email, password, ...(returnTo ? { retour: returnTo } : {}) }, '/backoffice/connexion');
  }

  /** Follows redirects until a page that is not one, or one `stop` accepts. */
  async follow(url: string, stop: (url: string) => boolean = () => false): Promise<Visit[]> {
    const visits: Visit[] = [];
    let next: string | null = url;
    for (let hops = 0; next && hops < 20; hops++) {
      const visit = await this.request(next);
      visits.push(visit);
      next = visit.status >= 300 && visit.status < 400 ? visit.location : null;
      if (next && stop(next)) break;
    }
    return visits;
  }
}

const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const path = (location: string | null) => (location ? new URL(location).pathname + new URL(location).search : null);

async function agent(options: { email?: string; role?: 'agent' | 'manager' | 'admin'; totp?: boolean; active?: boolean; password?: boolean } = {}) {
  const created = await createAgent(db, organisationId, {
    ...(options.email ? { email: options.email } : {}),
    name: 'Agent Test',
    roles: [{ departmentId, role: options.role ?? 'agent' }],
    passwordHash: options.password === false ? null : passwordHash,
  });
  if (options.totp) await db.kysely.updateTable('agents').set({ totp_secret: SECRET, totp_enabled_at: new Date().toISOString() }).where('id', '=', created.agentId).execute();
  if (options.active === false) await db.kysely.updateTable('agents').set({ is_active: 0 }).where('id', '=', created.agentId).execute();
  return created;
}

const agentRow = (id: number) => db.kysely.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** A code of the next time step: valid now (±1 step) and never used before in this window. */
const nextCode = (secret = SECRET, steps = 1) => currentCode(secret, Date.now() + steps * 30_000);

describe('password sign-in', () => {
  it('shows the form with a CSRF value and the ProConnect button, and refuses a post without CSRF', async () => {
    const browser = new Browser();
    const page = await browser.get('/backoffice/connexion');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Connexion à l’espace agents');
    expect(page.body).toContain('/backoffice/proconnect/connexion');
    expect(csrfIn(page.body)).not.toBe('');
    const forged = await browser.request('/backoffice/connexion', { method: 'POST', form: { email: 'x@ville.test', password: PASSWORD, _csrf: 'faux' } });
    expect(forged.status).toBe(403);
  });

  it('signs an agent in, honours a back-office return path (never another site) and records the sign-in', async () => {
    const { agentId, email } = await agent();
    const browser = new Browser();
    const signed = await browser.signIn(email, PASSWORD, '/backoffice/mon-compte');
    expect(signed.status).toBe(303);
    expect(path(signed.location)).toBe('/backoffice/mon-compte');
    expect(browser.jar().get(AGENT_COOKIE)).toBeTruthy();
    const account = await browser.get('/backoffice/mon-compte');
    expect(account.status).toBe(200);
    expect(account.body).toContain('Mes rôles');
    expect((await agentRow(agentId)).last_sign_in_at).not.toBeNull();

    const other = new Browser();
    expect(path((await other.signIn(email, PASSWORD, 'https://evil.example/backoffice/x')).location)).toBe('/backoffice');
    expect(path((await new Browser().signIn(email, PASSWORD, '/backoffice//evil.example')).location)).toBe('/backoffice');
  });

  it('answers the same for a wrong password, an unknown address, an agent without password and a deactivated agent', async () => {
    const { email } = await agent();
    const { email: inactive } = await agent({ active: false });
    const { email: noPassword } = await agent({ password: false });
    const pages = await Promise.all([
      new Browser().signIn(email, 'mauvais-mot-de-passe'),
      new Browser().signIn('personne@ville.test', PASSWORD),
      new Browser().signIn(noPassword, PASSWORD),
      new Browser().signIn(inactive, PASSWORD),
    ]);
    for (const page of pages) {
      expect(page.status).toBe(422);
      expect(page.body).toContain('Adresse électronique ou mot de passe incorrect');
      expect(page.body).toContain('class="error-summary"');
    }
    const empty = await new Browser().post('/backoffice/connexion', { email: '', password: '' }, '/backoffice/connexion');
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('href="#password"');
  });

  it('limits attempts per address and IP', async () => {
    const { email } = await agent();
    const browser = new Browser();
    for (let i = 0; i < 10; i++) expect((await browser.signIn(email, `faux-${i}-mot-de-passe`)).status).toBe(422);
    const limited = await browser.signIn(email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body).toContain('Trop de tentatives');
    // Another IP is not concerned.
    expect((await new Browser().signIn(email, PASSWORD)).status).toBe(303);
  });
});

describe('second factor', () => {
  it('asks the code of an agent who has TOTP; the session is signed out until then; wrong, then right code', async () => {
    const { email, agentId } = await agent({ totp: true });
    const browser = new Browser();
    const signed = await browser.signIn(email, PASSWORD, '/backoffice/mon-compte');
    expect(path(signed.location)).toBe('/backoffice/connexion/code?retour=%2Fbackoffice%2Fmon-compte');
    // A session waiting for its code does not open the back-office.
    const early = await browser.get('/backoffice/mon-compte');
    expect(early.status).toBe(303);
    expect(path(early.location)).toMatch(/^\/backoffice\/connexion\?retour=/);

    const page = await browser.get('/backoffice/connexion/code?retour=%2Fbackoffice%2Fmon-compte');
    expect(page.status).toBe(200);
    expect(page.body).toContain('autocomplete="one-time-code"');
    const wrong = await browser.post('/backoffice/connexion/code', { code: '000000', retour: '/backoffice/mon-compte' }, '/backoffice/connexion/code');
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('Code incorrect');
    expect((await agentRow(agentId)).last_sign_in_at).toBeNull();
    const code = nextCode();
    const right = await browser.post('/backoffice/connexion/code', { code: `${code.slice(0, 3)} ${code.slice(3)}`, retour: '/backoffice/mon-compte' }, '/backoffice/connexion/code');
    expect(right.status).toBe(303);
    expect(path(right.location)).toBe('/backoffice/mon-compte');
    expect((await browser.get('/backoffice/mon-compte')).status).toBe(200);
    expect((await agentRow(agentId)).totp_last_counter).toBe(matchingCounter(SECRET, code));
    expect((await agentRow(agentId)).last_sign_in_at).not.toBeNull();

    // The same code, replayed by someone who knows the password, is refused.
    const attacker = new Browser();
    await attacker.signIn(email);
    const replayed = await attacker.post('/backoffice/connexion/code', { code }, '/backoffice/connexion/code');
    expect(replayed.status).toBe(422);
    // An older code of the window too.
    const older = await attacker.post('/backoffice/connexion/code', { code: currentCode(SECRET) }, '/backoffice/connexion/code');
    expect(older.status).toBe(422);
  });

  it('limits code attempts per agent', async () => {
    const { email } = await agent({ totp: true });
    const browser = new Browser();
    await browser.signIn(email);
    for (let i = 0; i < 5; i++) expect((await browser.post('/backoffice/connexion/code', { code: '000000' }, '/backoffice/connexion/code')).status).toBe(422);
    expect((await browser.post('/backoffice/connexion/code', { code: nextCode() }, '/backoffice/connexion/code')).status).toBe(429);
  });

  it('makes an admin without TOTP enrol before anything else: secret as text, QR code, confirmation code', async () => {
    const { email, agentId } = await agent({ role: 'admin' });
    const browser = new Browser();
    const signed = await browser.signIn(email, PASSWORD, '/backoffice/admin');
    expect(path(signed.location)).toBe('/backoffice/connexion/activer-double-authentification?retour=%2Fbackoffice%2Fadmin');
    expect((await browser.get('/backoffice/admin')).status).toBe(303);
    const page = await browser.get('/backoffice/connexion/activer-double-authentification');
    expect(page.status).toBe(200);
    const secret = (await agentRow(agentId)).totp_secret!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(page.body).toContain(secret.replace(/(.{4})(?=.)/g, '$1 '));
    expect(page.body).toContain('otpauth://totp/');
    expect(page.body).toContain('data:image/svg+xml;base64,');
    // Reloading keeps the secret an app may have scanned already.
    await browser.get('/backoffice/connexion/activer-double-authentification');
    expect((await agentRow(agentId)).totp_secret).toBe(secret);

    const wrong = await browser.post('/backoffice/connexion/activer-double-authentification', { code: '123456' }, '/backoffice/connexion/activer-double-authentification');
    expect(wrong.status).toBe(422);
    expect((await agentRow(agentId)).totp_enabled_at).toBeNull();
    const done = await browser.post('/backoffice/connexion/activer-double-authentification', { code: nextCode(secret), retour: '/backoffice/admin' }, '/backoffice/connexion/activer-double-authentification');
    expect(done.status).toBe(303);
    expect(path(done.location)).toBe('/backoffice/admin');
    expect((await agentRow(agentId)).totp_enabled_at).not.toBeNull();
    expect((await browser.get('/backoffice/admin')).status).toBe(200);

    // From now on the code is asked.
    expect(path((await new Browser().signIn(email)).location)).toBe('/backoffice/connexion/code');
  });

  it('makes every agent enrol when the organisation requires a second factor', async () => {
    const { email } = await agent();
    await db.kysely.updateTable('organisations').set({ agent_totp_required: 1 }).where('id', '=', organisationId).execute();
    try {
      expect(path((await new Browser().signIn(email)).location)).toBe('/backoffice/connexion/activer-double-authentification');
    } finally {
      await db.kysely.updateTable('organisations').set({ agent_totp_required: 0 }).where('id', '=', organisationId).execute();
    }
    expect(path((await new Browser().signIn(email)).location)).toBe('/backoffice');
  });

  it('lets an agent enable TOTP from their account', async () => {
    const { email, agentId } = await agent();
    const browser = new Browser();
    await browser.signIn(email);
    const page = await browser.get('/backoffice/mon-compte/double-authentification');
    expect(page.status).toBe(200);
    const secret = (await agentRow(agentId)).totp_secret!;
    const done = await browser.post('/backoffice/mon-compte/double-authentification', { code: nextCode(secret) });
    expect(path(done.location)).toBe('/backoffice/mon-compte?avis=double-authentification');
    expect((await browser.get('/backoffice/mon-compte')).body).toContain('Activée');
    expect(path((await new Browser().signIn(email)).location)).toBe('/backoffice/connexion/code');
  });
});

describe('account and sign-out', () => {
  it('changes the password after checking the current one, and closes the other sessions', async () => {
    const { email } = await agent();
    const here = new Browser();
    const elsewhere = new Browser();
    await here.signIn(email);
    await elsewhere.signIn(email);
    const wrong = await here.post('/backoffice/mon-compte/mot-de-passe', { current: 'pas-le-bon-mot-de-passe', password: 'nouveau-mot-de-passe-long' }, '/backoffice/mon-compte');
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('Le mot de passe actuel est incorrect');
    const short = await here.post('/backoffice/mon-compte/mot-de-passe', { current: PASSWORD, password: 'court' }, '/backoffice/mon-compte');
    expect(short.status).toBe(422);
    const done = await here.post('/backoffice/mon-compte/mot-de-passe', { current: PASSWORD, password: 'nouveau-mot-de-passe-long' }, '/backoffice/mon-compte');
    expect(path(done.location)).toBe('/backoffice/mon-compte?avis=mot-de-passe');
    expect((await here.get('/backoffice/mon-compte')).status).toBe(200);
    expect((await elsewhere.get('/backoffice/mon-compte')).status).toBe(303);
    expect((await new Browser().signIn(email, 'nouveau-mot-de-passe-long')).status).toBe(303);
  });

  it('signs out with a CSRF-checked post, back to the sign-in page with a notice', async () => {
    const { email } = await agent();
    const browser = new Browser();
    await browser.signIn(email);
    const forged = await browser.request('/backoffice/deconnexion', { method: 'POST', form: { _csrf: 'faux' } });
    expect(forged.status).toBe(403);
    expect((await browser.get('/backoffice/mon-compte')).status).toBe(200);
    const out = await browser.post('/backoffice/deconnexion', {}, '/backoffice/mon-compte');
    expect(out.status).toBe(303);
    expect(path(out.location)).toBe('/backoffice/connexion?avis=deconnecte');
    expect((await browser.get(out.location!)).body).toContain('Vous êtes déconnecté(e).');
    expect((await browser.get('/backoffice/mon-compte')).status).toBe(303);
  });
});

describe('ProConnect', () => {
  const backOnTheApp = (url: string) => url.startsWith(PUBLIC_URL) && !new URL(url).pathname.startsWith('/backoffice/proconnect/');

  it('signs a known agent in by e-mail with PKCE, binds the subject, then finds them by subject; no TOTP asked', async () => {
    const { agentId } = await agent({ email: TEST_AGENT.email, role: 'admin' });
    const browser = new Browser();
    const visits = await browser.follow('/backoffice/proconnect/connexion?retour=%2Fbackoffice%2Fmon-compte', backOnTheApp);
    const start = new URL(visits[0]!.location!);
    expect(start.origin).toBe(provider.issuer);
    expect(start.searchParams.get('code_challenge_method')).toBe('S256');
    expect(start.searchParams.get('code_challenge')!.length).toBeGreaterThanOrEqual(43);
    expect(start.searchParams.get('scope')).toContain('email');
    const last = visits.at(-1)!;
    expect(last.url).toMatch(/\/backoffice\/proconnect\/retour\?code=/);
    expect(last.status).toBe(200);
    expect(last.body).toContain('url=/backoffice/mon-compte');
    const account = await browser.get('/backoffice/mon-compte');
    expect(account.status).toBe(200);
    expect(account.body).toContain('ProConnect');
    expect((await agentRow(agentId)).proconnect_subject).toBe(TEST_AGENT.sub);
    const session = await db.kysely.selectFrom('agent_sessions').selectAll().where('agent_id', '=', agentId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(session).toMatchObject({ method: 'proconnect', stage: 'ready' });
    expect(session.id_token).toBeTruthy();

    // The address changes at the provider: the bound subject still finds the agent.
    provider.signInAs({ ...TEST_AGENT, email: 'sophie.bernard@nouvelle-adresse.fr' });
    try {
      const again = new Browser();
      expect((await again.follow('/backoffice/proconnect/connexion', backOnTheApp)).at(-1)!.status).toBe(200);
      expect((await again.get('/backoffice/mon-compte')).status).toBe(200);
    } finally {
      provider.signInAs(TEST_AGENT);
    }

    // Sign-out goes through the provider's end-session endpoint and comes back to the sign-in page.
    const out = await browser.post('/backoffice/deconnexion', {}, '/backoffice/mon-compte');
    const end = new URL(out.location!);
    expect(end.origin).toBe(provider.issuer);
    expect(end.searchParams.get('id_token_hint')).toBe(session.id_token);
    expect((await browser.get('/backoffice/mon-compte')).status).toBe(303);
    const state = end.searchParams.get('state')!;
    const back = await browser.get(`/backoffice/proconnect/deconnecte?state=${state}`);
    expect(path(back.location)).toBe('/backoffice/connexion?avis=deconnecte');
  });

  it('refuses an identity with no active agent account, with a clear page', async () => {
    provider.signInAs({ ...TEST_AGENT, sub: 'pc-inconnu', email: 'inconnu@autre-administration.gouv.fr' });
    try {
      const browser = new Browser();
      const last = (await browser.follow('/backoffice/proconnect/connexion', backOnTheApp)).at(-1)!;
      expect(last.status).toBe(403);
      expect(last.body).toContain('Aucun compte agent pour cette identité');
      expect(browser.jar().get(AGENT_COOKIE)).toBeUndefined();
    } finally {
      provider.signInAs(TEST_AGENT);
    }
  });

  it('refuses a return without its pending round trip, and says when the agent cancelled', async () => {
    const tampered = await new Browser().get('/backoffice/proconnect/retour?code=abc&state=xyz');
    expect(tampered.status).toBe(400);
    expect(tampered.body).toContain('Connexion non vérifiée');
    provider.refuseNextSignIn();
    const last = (await new Browser().follow('/backoffice/proconnect/connexion', backOnTheApp)).at(-1)!;
    expect(last.body).toContain('Connexion avec ProConnect annulée');
  });
});

describe('pages', () => {
  it('are valid HTML with one h1 and a title: sign-in, code, enrolment, account, ProConnect refusals', async () => {
    const pages: { name: string; html: string }[] = [];
    const visitor = new Browser();
    pages.push({ name: 'connexion', html: (await visitor.get('/backoffice/connexion')).body });
    pages.push({ name: 'connexion : erreurs', html: (await visitor.post('/backoffice/connexion', { email: '', password: '' }, '/backoffice/connexion')).body });
    const { email: totpEmail } = await agent({ totp: true });
    const coded = new Browser();
    await coded.signIn(totpEmail);
    pages.push({ name: 'code', html: (await coded.get('/backoffice/connexion/code')).body });
    pages.push({ name: 'code : erreur', html: (await coded.post('/backoffice/connexion/code', { code: '12' }, '/backoffice/connexion/code')).body });
    const { email: adminEmail } = await agent({ role: 'admin' });
    const enrolling = new Browser();
    await enrolling.signIn(adminEmail);
    pages.push({ name: 'activation', html: (await enrolling.get('/backoffice/connexion/activer-double-authentification')).body });
    const { email } = await agent();
    const signed = new Browser();
    await signed.signIn(email);
    pages.push({ name: 'mon compte', html: (await signed.get('/backoffice/mon-compte')).body });
    pages.push({ name: 'mon compte : erreur', html: (await signed.post('/backoffice/mon-compte/mot-de-passe', { current: 'x', password: 'court' }, '/backoffice/mon-compte')).body });
    pages.push({ name: 'mon compte : activation', html: (await signed.get('/backoffice/mon-compte/double-authentification')).body });
    pages.push({ name: 'proconnect : retour falsifié', html: (await new Browser().get('/backoffice/proconnect/retour?code=a&state=b')).body });
    for (const page of pages) {
      expect(page.html.match(/<h1[ >]/g), page.name).toHaveLength(1);
      expect(page.html, page.name).toMatch(/<title>[^<]+<\/title>/);
    }
    const errors = await validateHtml(pages);
    if (!validatorAvailable) expect(errors).toBeNull();
    else expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});

describe('the demo commune', () => {
  it('lets every demo agent sign in with the published password, and the admin with the published TOTP secret', async () => {
    const demoDb = await freshDb();
    const demoApp = await testApp(demoDb, { PUBLIC_URL });
    try {
      await seedDemoCommune(demoDb);
      const admin = new Browser(demoApp);
      expect(path((await admin.signIn(DEMO_ADMIN_EMAIL, DEMO_AGENT_PASSWORD)).location)).toBe('/backoffice/connexion/code');
      const done = await admin.post('/backoffice/connexion/code', { code: currentCode(DEMO_ADMIN_TOTP_SECRET) }, '/backoffice/connexion/code');
      expect(path(done.location)).toBe('/backoffice');
      expect((await admin.get('/backoffice/admin')).status).toBe(200);
      const agentBrowser = new Browser(demoApp);
      expect(path((await agentBrowser.signIn('julien.moreau@ville-de-demo.fr', DEMO_AGENT_PASSWORD)).location)).toBe('/backoffice');
    } finally {
      await demoApp.close();
      await demoDb.close();
    }
  }, 60_000);
});

/** Presses Tab until the element matching `selector` has the focus (at most 20 times). */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never got the focus by Tab`);
}

describe('in Chromium', () => {
  it.skipIf(!browserAvailable)('has no axe violation on the sign-in, code, enrolment and account pages; signs in with the keyboard alone', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const { email } = await agent({ email: 'clavier@ville.test' });
    const { email: adminEmail, agentId: adminId } = await agent({ email: 'admin-axe@ville.test', role: 'admin' });
    const { email: totpEmail } = await agent({ email: 'totp-axe@ville.test', totp: true });
    const chromium = await launchBrowser();
    try {
      const page = await chromium.newPage();
      await page.goto(`${base}/backoffice/connexion`);
      expect(await axeViolations(page)).toEqual([]);
      // Errors, then the keyboard-only sign-in: Tab to each control, type, Enter.
      await tabTo(page, 'form.auth-form button[type=submit]');
      await page.keyboard.press('Enter');
      await page.locator('.error-summary').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await tabTo(page, '.error-summary a[href="#email"]');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => !url.pathname.startsWith('/backoffice/connexion'));
      await page.goto(`${base}/backoffice/mon-compte`);
      expect(await page.locator('h1').textContent()).toBe('Mon compte');
      expect(await axeViolations(page)).toEqual([]);

      const second = await chromium.newPage();
      await second.goto(`${base}/backoffice/connexion`);
      await second.fill('#email', totpEmail);
      await second.fill('#password', PASSWORD);
      await second.keyboard.press('Enter');
      await second.waitForURL(/\/backoffice\/connexion\/code/);
      expect(await axeViolations(second)).toEqual([]);

      const third = await chromium.newPage();
      await third.goto(`${base}/backoffice/connexion`);
      await third.fill('#email', adminEmail);
      await third.fill('#password', PASSWORD);
      await third.keyboard.press('Enter');
      await third.waitForURL(/activer-double-authentification/);
      expect(await axeViolations(third)).toEqual([]);
      await third.fill('#code', nextCode((await agentRow(adminId)).totp_secret!));
      await third.keyboard.press('Enter');
      await third.waitForURL((url) => !url.pathname.includes('activer'));
    } finally {
      await chromium.close();
    }
  }, 120_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
