/**
 * FranceConnect v2 sign-in against a real OpenID provider (test/oidc-provider.ts) over HTTP on
 * 127.0.0.1: the app side through app.inject, the provider side through fetch, with a cookie jar
 * per browser. Refusals (state, nonce, unsigned userinfo, another person's address) are tested
 * as much as the happy path, and so are key rotation and the logout round trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { FranceConnectClient, FranceConnectRefusal } from '../src/franceconnect/client.js';
import { certifiedAttributes } from '../src/franceconnect/service.js';
import type { App } from '../src/http/context.js';
import { OutboundClient } from '../src/http/outbound.js';
import { SESSION_COOKIE } from '../src/portal/session.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeOrganisation } from './factories.js';
import { OTHER_TEST_IDENTITY, TEST_IDENTITY, startFranceConnectProvider, type FranceConnectProvider, type FranceConnectTestIdentity } from './oidc-provider.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { signedInCitizen } from './portal-session.js';

const PUBLIC_URL = 'http://guichet.test';
const SIGN_IN_COOKIE = 'guichet_fc_connexion';

let db: Db;
let organisationId: number;
let provider: FranceConnectProvider;
let app: App;
/** A provider answering plain JSON userinfo, and the app configured against it. */
let unsignedProvider: FranceConnectProvider;
let unsignedApp: App;

const providerOptions = { publicUrl: PUBLIC_URL };

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  provider = await startFranceConnectProvider(providerOptions);
  app = await testApp(db, { PUBLIC_URL, ...provider.env });
  unsignedProvider = await startFranceConnectProvider({ ...providerOptions, signedUserinfo: false });
  unsignedApp = await testApp(db, { PUBLIC_URL, ...unsignedProvider.env });
});
afterAll(async () => {
  await app?.close();
  await unsignedApp?.close();
  await provider?.close();
  await unsignedProvider?.close();
  await db?.close();
});

interface Visit {
  url: string;
  status: number;
  location: string | null;
  body: string;
  setCookies: string[];
}

/**
 * A browser: app URLs go through app.inject, the provider's through fetch; each origin has its
 * cookie jar. Redirects are followed by hand so tests can look at (or tamper with) each step.
 */
class Browser {
  readonly jars = new Map<string, Map<string, string>>();

  constructor(readonly target: App) {}

  jar(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }

  cookie(origin: string): string {
    return [...this.jar(origin)].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(url: string, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}): Promise<Visit> {
    const absolute = new URL(url, PUBLIC_URL);
    const origin = absolute.origin;
    let visit: Visit;
    if (origin === PUBLIC_URL) {
      const res = await this.target.inject({
        method: init.method ?? 'GET',
        url: absolute.pathname + absolute.search,
        headers: { cookie: this.cookie(origin), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(init.form ? { payload: new URLSearchParams(init.form).toString() } : {}),
      });
      const raw = res.headers['set-cookie'];
      visit = { url: absolute.href, status: res.statusCode, location: (res.headers.location as string | undefined) ?? null, body: res.body, setCookies: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw] };
    } else {
      const res = await fetch(absolute, {
        method: init.method ?? 'GET',
        redirect: 'manual',
        headers: { cookie: this.cookie(origin), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
      });
      visit = { url: absolute.href, status: res.status, location: res.headers.get('location'), body: await res.text(), setCookies: res.headers.getSetCookie() };
    }
    for (const header of visit.setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (expired || value === '') this.jar(origin).delete(name);
      else this.jar(origin).set(name, value);
    }
    if (visit.location) visit.location = new URL(visit.location, absolute).href;
    return visit;
  }

  /**
   * Follows redirects from `url` until a page that is not a redirect, or until `stop` says so;
   * `rewrite` may change any URL before it is requested (a tampering attacker).
   */
  async follow(url: string, options: { stop?: (url: string) => boolean; rewrite?: (url: URL) => void } = {}): Promise<{ visits: Visit[]; last: Visit }> {
    const visits: Visit[] = [];
    let next: string | null = url;
    for (let hops = 0; next && hops < 20; hops++) {
      const target: URL = new URL(next, PUBLIC_URL);
      options.rewrite?.(target);
      const visit = await this.request(target.href);
      visits.push(visit);
      next = visit.status >= 300 && visit.status < 400 ? visit.location : null;
      if (next && options.stop?.(next)) break;
    }
    return { visits, last: visits.at(-1)! };
  }

  get session(): string | undefined {
    return this.jar(PUBLIC_URL).get(SESSION_COOKIE);
  }
}

/** Leaving FranceConnect's round trip: back on one of the app's own pages. */
const backOnTheApp = (url: string) => url.startsWith(PUBLIC_URL) && !new URL(url).pathname.startsWith('/franceconnect/');

/** A whole sign-in from the FranceConnect button to the redirection to the return path (not followed). */
async function signIn(browser: Browser, options: { returnTo?: string; rewrite?: (url: URL) => void; stop?: (url: string) => boolean } = {}) {
  return browser.follow(`/franceconnect/connexion?retour=${encodeURIComponent(options.returnTo ?? '/mes-demandes')}`, { stop: backOnTheApp, ...options });
}

const citizenOf = (sub: string) =>
  db.kysely
    .selectFrom('citizen_identities as i')
    .innerJoin('citizens as c', 'c.id', 'i.citizen_id')
    .selectAll('c')
    .where('i.provider', '=', 'franceconnect')
    .where('i.subject', '=', sub)
    .executeTakeFirst();

const countCitizens = async () => Number((await db.kysely.selectFrom('citizens').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

const latestFranceConnectSession = () =>
  db.kysely.selectFrom('portal_sessions').selectAll().where('method', '=', 'franceconnect').orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();

const jwtHeader = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string; alg: string };

describe('FranceConnect sign-in', () => {
  it('sends the browser to the provider with the scopes, eidas1, and long random state and nonce kept in a signed Lax cookie', async () => {
    const browser = new Browser(app);
    const start = await browser.request('/franceconnect/connexion?retour=/mes-demandes');
    expect(start.status).toBe(303);
    const url = new URL(start.location!);
    expect(url.origin).toBe(provider.issuer);
    expect(url.pathname).toBe('/auth');
    expect(url.searchParams.get('client_id')).toBe(provider.clientId);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/franceconnect/retour`);
    expect(url.searchParams.get('scope')).toBe('openid given_name family_name birthdate birthplace birthcountry gender email');
    expect(url.searchParams.get('acr_values')).toBe('eidas1');
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get('state')).not.toBe(url.searchParams.get('nonce'));
    const cookie = start.setCookies.find((c) => c.startsWith(`${SIGN_IN_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/franceconnect/);
    expect(cookie).toMatch(/Max-Age=600/);
    // The cookie is signed: the state does not appear in it as such, and nothing else is readable.
    expect(cookie).not.toContain(url.searchParams.get('state')!);

    const again = await new Browser(app).request('/franceconnect/connexion');
    expect(new URL(again.location!).searchParams.get('state')).not.toBe(url.searchParams.get('state'));
  });

  it('creates a verified citizen with the certified attributes, an account without password, and a FranceConnect session', async () => {
    const before = await countCitizens();
    const browser = new Browser(app);
    const { last } = await signIn(browser);
    expect(last.status).toBe(303);
    expect(last.url).toMatch(/\/franceconnect\/retour\?code=/);
    expect(last.location).toBe(`${PUBLIC_URL}/mes-demandes`);
    expect(browser.session).toBeTruthy();
    expect(browser.jar(PUBLIC_URL).has(SIGN_IN_COOKIE)).toBe(false);
    expect(await countCitizens()).toBe(before + 1);

    const citizen = (await citizenOf(TEST_IDENTITY.sub))!;
    expect(citizen).toMatchObject({
      organisation_id: organisationId,
      identity_assurance: 'franceconnect',
      first_names: 'Angela Claire Louise',
      birth_name: 'DUBOIS',
      gender: 'female',
      birth_date: '1962-08-24',
      birth_place: '75107',
      birth_country: '99100',
    });
    const account = await db.kysely.selectFrom('citizen_accounts').selectAll().where('citizen_id', '=', citizen.id).executeTakeFirstOrThrow();
    expect(account.email).toBe(TEST_IDENTITY.email);
    expect(account.password_hash).toBeNull();
    expect(account.email_verified_at).not.toBeNull();
    const email = await db.kysely.selectFrom('citizen_emails').selectAll().where('citizen_id', '=', citizen.id).executeTakeFirstOrThrow();
    expect(email).toMatchObject({ email: TEST_IDENTITY.email });
    expect(email.verified_at).not.toBeNull();

    const session = await latestFranceConnectSession();
    expect(session.citizen_id).toBe(citizen.id);
    expect(session.id_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(jwtHeader(session.id_token!).alg).toBe('ES256');

    const home = await browser.request('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Se déconnecter');
  });

  it('finds the same citizen on the next sign-in and refreshes the certified attributes', async () => {
    const citizen = (await citizenOf(TEST_IDENTITY.sub))!;
    await db.kysely.updateTable('citizens').set({ first_names: 'Modifié', birth_place: null }).where('id', '=', citizen.id).execute();
    const before = await countCitizens();
    const browser = new Browser(app);
    const { last } = await signIn(browser, { returnTo: '/mon-espace' });
    expect(last.location).toBe(`${PUBLIC_URL}/mon-espace`);
    expect(await countCitizens()).toBe(before);
    expect(await citizenOf(TEST_IDENTITY.sub)).toMatchObject({ id: citizen.id, first_names: 'Angela Claire Louise', birth_place: '75107' });
    expect((await latestFranceConnectSession()).citizen_id).toBe(citizen.id);
    const accounts = await db.kysely.selectFrom('citizen_accounts').select('citizen_id').where('citizen_id', '=', citizen.id).execute();
    expect(accounts).toHaveLength(1);
  });

  it('attaches the identity to the account opened with the same verified address when the names agree', async () => {
    const existing = await signedInCitizen(db, organisationId, { email: OTHER_TEST_IDENTITY.email, firstNames: 'Pierre', lastName: 'Mercier' });
    const before = await countCitizens();
    provider.signInAs(OTHER_TEST_IDENTITY);
    try {
      const browser = new Browser(app);
      const { last } = await signIn(browser);
      expect(last.location).toBe(`${PUBLIC_URL}/mes-demandes`);
      expect(await countCitizens()).toBe(before);
      expect(await citizenOf(OTHER_TEST_IDENTITY.sub)).toMatchObject({
        id: existing.citizenId,
        identity_assurance: 'franceconnect',
        birth_name: 'MERCIER',
        birth_place: null,
        birth_country: '99134',
      });
    } finally {
      provider.signInAs(TEST_IDENTITY);
    }
  });

  it('refuses to merge with the verified account of another person using the same address', async () => {
    const owner = await signedInCitizen(db, organisationId, { email: 'famille.roux@exemple.fr', firstNames: 'Jeanne', lastName: 'Roux' });
    const relative: FranceConnectTestIdentity = { ...OTHER_TEST_IDENTITY, sub: 'relative-of-jeanne', given_name: 'Paul', family_name: 'LEFEBVRE', email: 'famille.roux@exemple.fr' };
    provider.signInAs(relative);
    try {
      const browser = new Browser(app);
      const { last } = await signIn(browser);
      expect(last.status).toBe(409);
      expect(last.body).toContain('Cette adresse électronique est déjà celle d’un autre compte');
      expect(last.body).toContain('href="/connexion"');
      expect(browser.session).toBeUndefined();
      expect(await citizenOf(relative.sub)).toBeUndefined();
      const ownerRow = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', owner.citizenId).executeTakeFirstOrThrow();
      expect(ownerRow).toMatchObject({ first_names: 'Jeanne', birth_name: 'Roux', identity_assurance: 'declared' });
    } finally {
      provider.signInAs(TEST_IDENTITY);
    }
  });

  it('takes over an account whose address was never verified, dropping its unproven password', async () => {
    const relative: FranceConnectTestIdentity = { ...OTHER_TEST_IDENTITY, sub: 'unverified-owner', email: 'jamais.verifiee@exemple.fr' };
    const squatter = await signedInCitizen(db, organisationId, { email: relative.email, firstNames: 'Quelqu’un', lastName: 'Dautre' });
    await db.kysely.updateTable('citizen_accounts').set({ email_verified_at: null, password_hash: 'scrypt$dummy' }).where('citizen_id', '=', squatter.citizenId).execute();
    provider.signInAs(relative);
    try {
      const { last } = await signIn(new Browser(app));
      expect(last.status).toBe(303);
      expect((await citizenOf(relative.sub))!.id).toBe(squatter.citizenId);
      const account = await db.kysely.selectFrom('citizen_accounts').selectAll().where('citizen_id', '=', squatter.citizenId).executeTakeFirstOrThrow();
      expect(account.password_hash).toBeNull();
      expect(account.email_verified_at).not.toBeNull();
    } finally {
      provider.signInAs(TEST_IDENTITY);
    }
  });

  it('never returns to another site after sign-in', async () => {
    const { last } = await signIn(new Browser(app), { returnTo: '//evil.example/steal' });
    expect(last.status).toBe(303);
    expect(last.location).toBe(`${PUBLIC_URL}/`);
  });
});

describe('FranceConnect refusals', () => {
  it('refuses a return whose state differs from the one sent, and opens no session', async () => {
    const browser = new Browser(app);
    const { last } = await signIn(browser, {
      rewrite: (url) => {
        if (url.pathname === '/franceconnect/retour') url.searchParams.set('state', 'x'.repeat(43));
      },
    });
    expect(last.status).toBe(400);
    expect(last.body).toContain('La connexion avec FranceConnect n’a pas pu être vérifiée');
    expect(last.body).toContain('href="/connexion"');
    expect(browser.session).toBeUndefined();
  });

  it('refuses a return without the pending sign-in cookie, or with a forged one', async () => {
    const browser = new Browser(app);
    const { last } = await signIn(browser, { stop: (url) => url.includes('/franceconnect/retour') });
    const callback = last.location!;
    const stranger = new Browser(app);
    const noCookie = await stranger.request(callback);
    expect(noCookie.status).toBe(400);
    expect(stranger.session).toBeUndefined();

    const state = new URL(callback).searchParams.get('state')!;
    const forged = Buffer.from(JSON.stringify({ state, nonce: 'n'.repeat(43), returnTo: '/', expiresAt: Date.now() + 60_000 })).toString('base64url');
    stranger.jar(PUBLIC_URL).set(SIGN_IN_COOKIE, forged);
    const forgedVisit = await stranger.request(callback);
    expect(forgedVisit.status).toBe(400);
    expect(stranger.session).toBeUndefined();

    // The genuine browser still completes: the code was not spent by the refused attempts.
    const genuine = await browser.request(callback);
    expect(genuine.status).toBe(303);
    expect(browser.session).toBeTruthy();
    // And a replay of the same return is refused: the pending sign-in is read once.
    const replay = await browser.request(callback);
    expect(replay.status).toBe(400);
  });

  it('refuses an ID token whose nonce is not the one sent (tampered authorization request)', async () => {
    const before = await countCitizens();
    const browser = new Browser(app);
    const { last } = await signIn(browser, {
      rewrite: (url) => {
        if (url.origin === provider.issuer && url.pathname === '/auth' && url.searchParams.has('nonce')) url.searchParams.set('nonce', 'attacker-chosen-nonce-attacker-chosen-nonce');
      },
    });
    expect(last.url).toMatch(/\/franceconnect\/retour\?code=/);
    expect(last.status).toBe(400);
    expect(browser.session).toBeUndefined();
    expect(await countCitizens()).toBe(before);
  });

  it('refuses an assurance level below eidas1, and accepts a higher one', async () => {
    provider.useAcr('eidas0');
    try {
      const low = new Browser(app);
      expect((await signIn(low)).last.status).toBe(400);
      expect(low.session).toBeUndefined();
      provider.useAcr('eidas2');
      const high = new Browser(app);
      expect((await signIn(high)).last.status).toBe(303);
      expect(high.session).toBeTruthy();
    } finally {
      provider.useAcr('eidas1');
    }
  });

  it('shows a clear page when the citizen cancels on FranceConnect', async () => {
    provider.refuseNextSignIn();
    const browser = new Browser(app);
    const { last } = await signIn(browser, { returnTo: '/demarches/acte-naissance' });
    expect(last.url).toMatch(/\/franceconnect\/retour\?error=access_denied/);
    expect(last.status).toBe(200);
    expect(last.body).toContain('<h1>Connexion avec FranceConnect annulée</h1>');
    expect(last.body).toContain('href="/connexion?retour=%2Fdemarches%2Facte-naissance"');
    expect(last.body).toContain('<title>Connexion avec FranceConnect annulée');
    expect(browser.session).toBeUndefined();
    const other = await new Browser(app).request('/franceconnect/retour?error=server_error&error_description=%3Cscript%3E');
    expect(other.status).toBe(200);
    expect(other.body).toContain('FranceConnect n’a pas pu vous identifier');
    expect(other.body).not.toContain('<script>');
  });

  it('refuses a userinfo answered as plain JSON instead of a signed JWT', async () => {
    const before = await countCitizens();
    const browser = new Browser(unsignedApp);
    const { last } = await signIn(browser);
    expect(last.url).toMatch(/\/franceconnect\/retour\?code=/);
    expect(last.status).toBe(400);
    expect(browser.session).toBeUndefined();
    expect(await countCitizens()).toBe(before);
  });

  it('still accepts tokens after the provider rotates its signing key (the JWKS is fetched again)', async () => {
    const first = new Browser(app);
    expect((await signIn(first)).last.status).toBe(303);
    const oldKid = jwtHeader((await latestFranceConnectSession()).id_token!).kid;
    const newKid = provider.rotateKeys();
    expect(newKid).not.toBe(oldKid);

    const second = new Browser(app);
    const { last } = await signIn(second);
    expect(last.status).toBe(303);
    expect(last.location).toBe(`${PUBLIC_URL}/mes-demandes`);
    expect(second.session).toBeTruthy();
    expect(jwtHeader((await latestFranceConnectSession()).id_token!).kid).toBe(newKid);
  });

  it('refuses a return after the 10 minutes of the pending sign-in', async () => {
    const browser = new Browser(app);
    const { last } = await signIn(browser, { stop: (url) => url.includes('/franceconnect/retour') });
    const callback = new URL(last.location!);
    const pending = browser.jar(PUBLIC_URL).get(SIGN_IN_COOKIE)!;
    const flow = JSON.parse(Buffer.from(app.unsignCookie(decodeURIComponent(pending)).value!, 'base64url').toString()) as { expiresAt: number };
    expect(flow.expiresAt - Date.now()).toBeGreaterThan(9 * 60_000);
    const expired = { ...flow, expiresAt: Date.now() - 1 };
    browser.jar(PUBLIC_URL).set(SIGN_IN_COOKIE, app.signCookie(Buffer.from(JSON.stringify(expired)).toString('base64url')));
    const visit = await browser.request(callback.href);
    expect(visit.status).toBe(400);
    expect(browser.session).toBeUndefined();
  });

  it('says FranceConnect is unavailable (503) when the provider cannot be reached', async () => {
    const gone = await startFranceConnectProvider(providerOptions);
    await gone.close();
    const orphan = await testApp(db, { PUBLIC_URL, ...gone.env });
    try {
      const res = await orphan.inject({ method: 'GET', url: '/franceconnect/connexion', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('FranceConnect ne répond pas pour le moment');
    } finally {
      await orphan.close();
    }
  });

  it('answers 404 when FranceConnect is not configured', async () => {
    const bare = await testApp(db, { PUBLIC_URL });
    try {
      for (const path of ['/franceconnect/connexion', '/franceconnect/retour?code=x&state=y', '/franceconnect/deconnexion', '/franceconnect/deconnecte']) {
        expect((await bare.inject({ method: 'GET', url: path })).statusCode).toBe(404);
      }
    } finally {
      await bare.close();
    }
  });
});

describe('FranceConnect logout', () => {
  it('ends the local session and sends the browser to the end-session endpoint with id_token_hint and state, then confirms', async () => {
    const browser = new Browser(app);
    await signIn(browser);
    const session = await latestFranceConnectSession();
    const out = await browser.request('/franceconnect/deconnexion');
    expect(out.status).toBe(303);
    const url = new URL(out.location!);
    expect(url.origin + url.pathname).toBe(`${provider.issuer}/session/end`);
    expect(url.searchParams.get('id_token_hint')).toBe(session.id_token);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC_URL}/franceconnect/deconnecte`);
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(browser.session).toBeUndefined();
    const revoked = await db.kysely.selectFrom('portal_sessions').select('revoked_at').where('id', '=', session.id).executeTakeFirstOrThrow();
    expect(revoked.revoked_at).not.toBeNull();

    // On the provider: its confirmation form, posted.
    const confirm = await browser.request(out.location!);
    expect(confirm.status).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const posted = await browser.request(new URL(action, provider.issuer).href, { method: 'POST', form: { xsrf, logout: 'yes' } });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`${PUBLIC_URL}/franceconnect/deconnecte?state=${state}`);
    const done = await browser.request(posted.location!);
    expect(done.status).toBe(200);
    expect(done.body).toContain('Vous êtes déconnecté(e) de ce site et de FranceConnect');
    // Read once: the same return again is not a verified logout.
    const again = await browser.request(posted.location!);
    expect(again.status).toBe(400);
    expect(again.body).toContain('Déconnexion non vérifiée');
  });

  it('refuses a logout return whose state is not the one sent', async () => {
    const browser = new Browser(app);
    await signIn(browser);
    const out = await browser.request('/franceconnect/deconnexion');
    expect(out.status).toBe(303);
    const wrong = await browser.request('/franceconnect/deconnecte?state=not-the-state-not-the-state-not-the-state');
    expect(wrong.status).toBe(400);
    expect(wrong.body).not.toContain('Vous êtes déconnecté(e) de ce site et de FranceConnect');
  });

  it('signs a password session out locally and goes home', async () => {
    const citizen = await signedInCitizen(db, organisationId);
    const res = await app.inject({ method: 'GET', url: '/franceconnect/deconnexion', headers: { cookie: citizen.cookie } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const home = await app.inject({ method: 'GET', url: '/', headers: { cookie: citizen.cookie } });
    expect(home.body).not.toContain('Se déconnecter');
    const anonymous = await app.inject({ method: 'GET', url: '/franceconnect/deconnexion' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/');
  });

  it('does not sign out on a request coming from another site', async () => {
    const browser = new Browser(app);
    await signIn(browser);
    const res = await app.inject({ method: 'GET', url: '/franceconnect/deconnexion', headers: { cookie: browser.cookie(PUBLIC_URL), 'sec-fetch-site': 'cross-site' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const home = await browser.request('/');
    expect(home.body).toContain('Se déconnecter');
  });
});

describe('FranceConnect client refusals name their reason (for the logs)', () => {
  const clientFor = (target: FranceConnectProvider) =>
    new FranceConnectClient({
      issuer: target.issuer,
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      redirectUri: `${PUBLIC_URL}/franceconnect/retour`,
      postLogoutRedirectUri: `${PUBLIC_URL}/franceconnect/deconnecte`,
      // The test provider listens on 127.0.0.1: allowlisted, as an on-premises provider would be.
      outbound: new OutboundClient(['127.0.0.1/32']),
    });
  const checks = { state: 's'.repeat(43), nonce: 'n'.repeat(43) };

  /** The URL the provider sends the browser back to, for an authorization URL possibly tampered with. */
  async function callback(client: FranceConnectClient, tamper: (url: URL) => void = () => undefined): Promise<URL> {
    const start = await client.authorizationUrl(checks);
    tamper(start);
    const { last } = await new Browser(app).follow(start.href, { stop: (url) => url.startsWith(PUBLIC_URL) });
    return new URL(last.location!);
  }

  const reasonOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FranceConnectRefusal);
    return (error as FranceConnectRefusal).reason;
  };

  it('signs in at an app whose address the provider learnt after starting (setPublicUrl)', async () => {
    const late = await startFranceConnectProvider({});
    try {
      const client = clientFor(late);
      await expect(client.authorizationUrl(checks).then((url) => fetch(url, { redirect: 'manual' })).then((r) => r.status)).resolves.toBe(400);
      late.setPublicUrl(PUBLIC_URL);
      const signedIn = await client.completeSignIn(await callback(client), checks);
      expect(signedIn.identity.sub).toBe(TEST_IDENTITY.sub);
    } finally {
      await late.close();
    }
  });

  it('says why: nonce, state, unsigned userinfo, assurance level', async () => {
    const client = clientFor(provider);
    const nonceTampered = await callback(client, (url) => url.searchParams.set('nonce', 'x'.repeat(43)));
    expect(await reasonOf(client.completeSignIn(nonceTampered, checks))).toMatch(/nonce/);
    const stateTampered = await callback(client);
    stateTampered.searchParams.set('state', 'y'.repeat(43));
    expect(await reasonOf(client.completeSignIn(stateTampered, checks))).toMatch(/state/);
    const unsigned = clientFor(unsignedProvider);
    expect(await reasonOf(unsigned.completeSignIn(await callback(unsigned), checks))).toMatch(/not a signed JWT \(application\/json/);
    provider.useAcr('eidas0');
    try {
      expect(await reasonOf(client.completeSignIn(await callback(client), checks))).toMatch(/assurance level "eidas0"/);
    } finally {
      provider.useAcr('eidas1');
    }
    const genuine = await client.completeSignIn(await callback(client), checks);
    expect(genuine.identity).toMatchObject({ sub: TEST_IDENTITY.sub, acr: 'eidas1', email: TEST_IDENTITY.email });
  });
});

describe('FranceConnect pages', () => {
  it('are valid HTML with one h1, a title and a way back', async () => {
    const pages: { name: string; html: string }[] = [];
    provider.refuseNextSignIn();
    pages.push({ name: 'annulée', html: (await signIn(new Browser(app))).last.body });
    pages.push({ name: 'erreur du fournisseur', html: (await new Browser(app).request('/franceconnect/retour?error=server_error')).body });
    pages.push({ name: 'non vérifiée', html: (await new Browser(app).request('/franceconnect/retour?code=abc&state=def')).body });
    const taken: FranceConnectTestIdentity = { ...OTHER_TEST_IDENTITY, sub: 'pages-taken', given_name: 'Luc', family_name: 'BERNARD', email: 'pages.pris@exemple.fr' };
    await signedInCitizen(db, organisationId, { email: taken.email, firstNames: 'Anne', lastName: 'Petit' });
    provider.signInAs(taken);
    try {
      pages.push({ name: 'adresse prise', html: (await signIn(new Browser(app))).last.body });
    } finally {
      provider.signInAs(TEST_IDENTITY);
    }
    const signedOut = new Browser(app);
    const state = 'p'.repeat(43);
    signedOut.jar(PUBLIC_URL).set('guichet_fc_deconnexion', app.signCookie(Buffer.from(JSON.stringify({ state, expiresAt: Date.now() + 60_000 })).toString('base64url')));
    const done = await signedOut.request(`/franceconnect/deconnecte?state=${state}`);
    expect(done.status).toBe(200);
    pages.push({ name: 'déconnecté', html: done.body });
    pages.push({ name: 'déconnexion non vérifiée', html: (await new Browser(app).request('/franceconnect/deconnecte')).body });

    for (const page of pages) {
      expect(page.html.match(/<h1[ >]/g), page.name).toHaveLength(1);
      expect(page.html, page.name).toMatch(/<title>[^<]+<\/title>/);
      expect(page.html, page.name).toMatch(/href="\/(connexion[^"]*)?"/);
    }
    const errors = await validateHtml(pages);
    if (!validatorAvailable) expect(errors).toBeNull();
    else expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});

describe('certified attributes', () => {
  it('keeps a partial birth date out of the date column and empty claims as null', () => {
    const attributes = certifiedAttributes({ ...TEST_IDENTITY, birthdate: '1950-00-00', birthplace: '', gender: '', acr: 'eidas1' });
    expect(attributes).toEqual({ firstNames: 'Angela Claire Louise', birthName: 'DUBOIS', birthDate: null, gender: null, birthPlace: null, birthCountry: '99100' });
    expect(certifiedAttributes({ ...TEST_IDENTITY, acr: 'eidas1' }).birthDate).toBe('1962-08-24');
  });
});
