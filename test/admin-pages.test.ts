/**
 * The workflow pages of the back-office (`/backoffice/admin/circuits`, formerly `/admin`): who gets
 * in — admins whose session gave a TOTP code, nobody else — the old `/admin` addresses and cookie
 * (redirected, and opening nothing), the diagram, publishing with its validation errors shown and
 * nothing written, and accessibility (axe-core in Chromium, keyboard only, the real sign-in).
 */
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/accounts/password.js';
import { currentCode } from '../src/backoffice/auth/totp.js';
import type { Db } from '../src/db/database.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_TOTP_SECRET, DEMO_AGENT_PASSWORD } from '../src/demo/agent-accounts.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import type { App } from '../src/http/context.js';
import { createToken } from '../src/tokens/service.js';
import { testApp } from './app.js';
import { createAgent, signInAgent } from './backoffice-session.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';

let db: Db;
let app: App;
let organisationId: number;
let departmentId: number;
let apiToken: string;
let apiTokenId: number;
/** Signed-in browsers: `admin` gave its TOTP code; the others are refused, each for its own reason. */
const who: Record<'admin' | 'agent' | 'manager' | 'adminWithoutTotp' | 'adminByProConnect' | 'adminAwaitingCode', { cookie: string; csrf: string }> = {} as never;
let adminId: number;

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PASSWORD = 'mot-de-passe-de-test-assez-long';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const sign = () => app.signCookie.bind(app);

const withTotp = (agentId: number) => db.kysely.updateTable('agents').set({ totp_secret: SECRET, totp_enabled_at: new Date().toISOString() }).where('id', '=', agentId).execute();

/** A browser of a new agent with this role (and TOTP on, when asked). */
async function browserOf(role: 'agent' | 'manager' | 'admin', totp: boolean) {
  const { agentId } = await createAgent(db, organisationId, { roles: [{ departmentId, role }] });
  if (totp) await withTotp(agentId);
  return { agentId, ...(await signInAgent(db, agentId, sign())) };
}

const sessionRow = (cookie: string) =>
  db.kysely
    .selectFrom('agent_sessions')
    .selectAll()
    .where('id', '=', createHashOf(cookie.split('=')[1]!))
    .executeTakeFirstOrThrow();
const createHashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

const versionsOf = async (slug: string) =>
  (
    await db.kysely
      .selectFrom('workflows as w')
      .innerJoin('procedures as p', 'p.id', 'w.procedure_id')
      .select(['w.version', 'w.published_by'])
      .where('p.slug', '=', slug)
      .where('p.organisation_id', '=', organisationId)
      .orderBy('w.version')
      .execute()
  ).map((r) => ({ version: r.version, publishedBy: r.published_by }));

/** The definition in force, as the workflow page shows it in its textarea. */
async function currentDefinition(cookie: string, slug = 'contact'): Promise<string> {
  const page = await app.inject({ method: 'GET', url: `/backoffice/admin/circuits/${slug}`, headers: { cookie } });
  return page.body
    .match(/<textarea[^>]*>([\s\S]*?)<\/textarea>/)![1]!
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  departmentId = (await db.kysely.selectFrom('departments').select('id').where('organisation_id', '=', organisationId).orderBy('id').executeTakeFirstOrThrow()).id;
  const token = await createToken(db.kysely, organisationId, 'informatique', ['workflows:write', 'cases:read']);
  apiToken = token.token;
  apiTokenId = token.id;
  app = await testApp(db);
  const admin = await browserOf('admin', true);
  adminId = admin.agentId;
  who.admin = admin;
  who.agent = await browserOf('agent', true);
  who.manager = await browserOf('manager', true);
  // An agent without TOTP who was made admin while signed in: a session that never gave a code.
  who.adminWithoutTotp = await browserOf('admin', false);
  who.adminByProConnect = await browserOf('admin', true);
  await db.kysely.updateTable('agent_sessions').set({ method: 'proconnect' }).where('agent_id', '=', (await sessionRow(who.adminByProConnect.cookie)).agent_id).execute();
  who.adminAwaitingCode = await browserOf('admin', true);
  await db.kysely.updateTable('agent_sessions').set({ stage: 'second_factor' }).where('id', '=', (await sessionRow(who.adminAwaitingCode.cookie)).id).execute();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const ROUTES = [
  { method: 'GET', url: '/backoffice/admin/circuits' },
  { method: 'GET', url: '/backoffice/admin/circuits/contact' },
  { method: 'POST', url: '/backoffice/admin/circuits/contact' },
] as const;

/** Requests a workflow route as this browser; a POST carries its CSRF value and a valid definition. */
async function requestAs(route: (typeof ROUTES)[number], browser: { cookie: string; csrf: string } | null, definition = '{}') {
  return app.inject({
    method: route.method,
    url: route.url,
    headers: { ...(browser ? { cookie: browser.cookie } : {}), ...(route.method === 'POST' ? FORM : {}) },
    ...(route.method === 'POST' ? { payload: form({ _csrf: browser?.csrf ?? '', definition }) } : {}),
  });
}

describe('who may open the workflow pages', () => {
  it('sends a visitor without session, and an admin still owing their code, to the sign-in page', async () => {
    const definition = await currentDefinition(who.admin.cookie);
    for (const browser of [null, who.adminAwaitingCode]) {
      for (const route of ROUTES) {
        const res = await requestAs(route, browser, definition);
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(303);
        expect(res.headers.location).toMatch(/^\/backoffice\/connexion\?retour=%2Fbackoffice%2Fadmin%2Fcircuits/);
      }
    }
    expect(await versionsOf('contact')).toHaveLength(1);
  });

  it('refuses agents and managers (403), with a valid CSRF value and a valid definition', async () => {
    const definition = await currentDefinition(who.admin.cookie);
    for (const browser of [who.agent, who.manager]) {
      for (const route of ROUTES) {
        const res = await requestAs(route, browser, definition);
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.body).toContain('réservée aux administrateurs');
        expect(res.body).not.toContain('<textarea');
      }
    }
    expect(await versionsOf('contact')).toHaveLength(1);
  });

  it('refuses an admin whose session gave no TOTP code: no TOTP on the account, or signed in by ProConnect', async () => {
    const definition = await currentDefinition(who.admin.cookie);
    for (const browser of [who.adminWithoutTotp, who.adminByProConnect]) {
      // These sessions do open the other admin pages: only the workflows ask for the code.
      expect((await app.inject({ method: 'GET', url: '/backoffice/admin', headers: { cookie: browser.cookie } })).statusCode).toBe(200);
      for (const route of ROUTES) {
        const res = await requestAs(route, browser, definition);
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.body).toContain('code de double authentification');
        expect(res.body).not.toContain('<textarea');
      }
    }
    expect(await versionsOf('contact')).toHaveLength(1);
  });

  it('opens the pages to an admin whose session gave its code', async () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET')) expect((await requestAs(route, who.admin)).statusCode).toBe(200);
  });

  it('lets an admin publish only after giving the code, through the real sign-in pages, and names them in the versions', async () => {
    const { agentId, email } = await createAgent(db, organisationId, { roles: [{ departmentId, role: 'admin' }], passwordHash: await hashPassword(PASSWORD) });
    await withTotp(agentId);
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const go = async (method: 'GET' | 'POST', url: string, fields?: Record<string, string>) => {
      const res = await app.inject({ method, url, headers: { cookie: cookie(), ...(fields ? FORM : {}) }, ...(fields ? { payload: form(fields) } : {}) });
      for (const c of res.cookies) jar.set(c.name, c.value);
      return res;
    };
    const signInPage = await go('GET', '/backoffice/connexion?retour=%2Fbackoffice%2Fadmin%2Fcircuits');
    const signedIn = await go('POST', '/backoffice/connexion', { _csrf: csrfIn(signInPage.body), email, password: PASSWORD, retour: '/backoffice/admin/circuits' });
    expect(signedIn.headers.location).toMatch(/^\/backoffice\/connexion\/code/);
    // The password alone opens nothing, and publishes nothing.
    expect((await go('GET', '/backoffice/admin/circuits')).statusCode).toBe(303);
    const definition = await currentDefinition(who.admin.cookie);
    expect((await go('POST', '/backoffice/admin/circuits/contact', { _csrf: csrfIn(signInPage.body), definition })).statusCode).toBe(303);
    expect(await versionsOf('contact')).toHaveLength(1);

    const codePage = await go('GET', '/backoffice/connexion/code?retour=%2Fbackoffice%2Fadmin%2Fcircuits');
    const coded = await go('POST', '/backoffice/connexion/code', { _csrf: csrfIn(codePage.body), code: currentCode(SECRET), retour: '/backoffice/admin/circuits' });
    expect(coded.headers.location).toBe('/backoffice/admin/circuits');
    expect((await go('GET', '/backoffice/admin/circuits')).statusCode).toBe(200);
    const page = await go('GET', '/backoffice/admin/circuits/contact');
    const published = await go('POST', '/backoffice/admin/circuits/contact', { _csrf: csrfIn(page.body), definition });
    expect(published.statusCode, published.body.slice(0, 300)).toBe(303);
    expect(published.headers.location).toBe('/backoffice/admin/circuits/contact?publie=2');
    expect(await versionsOf('contact')).toEqual([
      { version: 1, publishedBy: expect.anything() },
      { version: 2, publishedBy: `agent:${agentId}` },
    ]);
  });

  it('counts an enrolment as the code given, and ends the sessions that were opened before it', async () => {
    // Signed in twice without TOTP, then made admin: neither session gave a code.
    const { agentId } = await createAgent(db, organisationId, { roles: [{ departmentId, role: 'agent' }] });
    const before = await signInAgent(db, agentId, sign());
    const enrolling = await signInAgent(db, agentId, sign());
    await db.kysely.updateTable('agent_roles').set({ role: 'admin' }).where('agent_id', '=', agentId).execute();
    expect((await requestAs(ROUTES[0], enrolling)).statusCode).toBe(403);

    const setUp = await app.inject({ method: 'GET', url: '/backoffice/mon-compte/double-authentification', headers: { cookie: enrolling.cookie } });
    expect(setUp.statusCode).toBe(200);
    const secret = (await db.kysely.selectFrom('agents').select('totp_secret').where('id', '=', agentId).executeTakeFirstOrThrow()).totp_secret!;
    const enrolled = await app.inject({
      method: 'POST',
      url: '/backoffice/mon-compte/double-authentification',
      headers: { cookie: enrolling.cookie, ...FORM },
      payload: form({ _csrf: enrolling.csrf, code: currentCode(secret) }),
    });
    expect(enrolled.statusCode).toBe(303);

    expect((await requestAs(ROUTES[0], enrolling)).statusCode).toBe(200);
    // The other session never gave a code: it is over, not promoted.
    expect((await sessionRow(before.cookie)).revoked_at).not.toBeNull();
    const stale = await requestAs(ROUTES[0], before);
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toMatch(/^\/backoffice\/connexion/);
  });
});

describe('the old /admin addresses and cookie', () => {
  const OLD: { method: 'GET' | 'POST'; url: string; to: string }[] = [
    { method: 'GET', url: '/admin', to: '/backoffice/admin' },
    { method: 'GET', url: '/admin/', to: '/backoffice/admin' },
    { method: 'GET', url: '/admin/connexion', to: '/backoffice/admin' },
    { method: 'POST', url: '/admin/connexion', to: '/backoffice/admin' },
    { method: 'POST', url: '/admin/deconnexion', to: '/backoffice/admin' },
    { method: 'GET', url: '/admin/circuits', to: '/backoffice/admin/circuits' },
    { method: 'GET', url: '/admin/circuits/contact', to: '/backoffice/admin/circuits/contact' },
    { method: 'GET', url: '/admin/circuits/contact?publie=1', to: '/backoffice/admin/circuits/contact' },
    { method: 'POST', url: '/admin/circuits/contact', to: '/backoffice/admin/circuits/contact' },
    { method: 'GET', url: '/admin/circuits/contact/x', to: '/backoffice/admin/circuits' },
    // Nothing of a strange path reaches the Location header.
    { method: 'GET', url: '/admin/circuits/%0d%0aSet-Cookie:%20x=1', to: '/backoffice/admin/circuits' },
    { method: 'GET', url: '/admin/circuits/..%2F..%2Fevil', to: '/backoffice/admin/circuits' },
    { method: 'GET', url: '/admin//evil.example', to: '/backoffice/admin' },
  ];

  /** The old cookies: a forged one, and one of the right format signed with the server's real secret. */
  const oldCookies = () => [
    'guichet_admin=1.99999999999999.forged',
    `guichet_admin=${app.signCookie(`${apiTokenId}.${Date.now() + 8 * 3_600_000}`)}`,
    `guichet_admin=${encodeURIComponent(app.signCookie(`${apiTokenId}.${Date.now() + 8 * 3_600_000}`))}`,
  ];

  it('redirects every old address permanently to its new place, or the administration', async () => {
    for (const old of OLD) {
      const res = await app.inject({ method: old.method, url: old.url, ...(old.method === 'POST' ? { headers: FORM, payload: form({ token: apiToken }) } : {}) });
      expect(res.statusCode, `${old.method} ${old.url}`).toBe(301);
      expect(res.headers.location, `${old.method} ${old.url}`).toBe(old.to);
    }
  });

  it('gives nothing to an old admin cookie, forged or validly signed, nor to the API token, on every old and new address', async () => {
    const definition = await currentDefinition(who.admin.cookie);
    const before = await versionsOf('contact');
    const wrong: string[] = [];
    for (const cookie of oldCookies()) {
      for (const headers of [{ cookie }, { cookie, authorization: `Bearer ${apiToken}` }]) {
        for (const old of OLD) {
          const res = await app.inject({ method: old.method, url: old.url, headers: { ...headers, ...FORM }, payload: form({ csrf: 'x', definition, token: apiToken }) });
          if (res.statusCode !== 301 || res.body.includes('<textarea') || res.cookies.length > 0) wrong.push(`${old.method} ${old.url} → ${res.statusCode}`);
        }
        for (const route of ROUTES) {
          const res = await app.inject({
            method: route.method,
            url: route.url,
            headers: { ...headers, ...(route.method === 'POST' ? FORM : {}) },
            ...(route.method === 'POST' ? { payload: form({ csrf: 'x', _csrf: 'x', definition }) } : {}),
          });
          const toSignIn = res.statusCode === 303 && String(res.headers.location).startsWith('/backoffice/connexion?retour=');
          if (!toSignIn || res.body.includes('<textarea')) wrong.push(`${route.method} ${route.url} → ${res.statusCode}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await versionsOf('contact')).toEqual(before);
  });

  it('keeps the workflow API working with its token', async () => {
    const current = await app.inject({ method: 'GET', url: '/api/v1/procedures/signalement-voirie/workflow', headers: { authorization: `Bearer ${apiToken}` } });
    expect(current.statusCode).toBe(200);
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/signalement-voirie/workflow',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify(current.json().definition),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().publishedBy).toBe(`token:${apiTokenId}`);
  });
});

describe('the workflow pages', () => {
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie: who.admin.cookie } });
  const post = (url: string, fields: Record<string, string>) => app.inject({ method: 'POST', url, headers: { cookie: who.admin.cookie, ...FORM }, payload: form(fields) });

  it('lists every procedure with its workflow version, in the back-office layout', async () => {
    const res = await get('/backoffice/admin/circuits');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/backoffice/admin/circuits/signalement-voirie"');
    expect(res.body).toContain('version 1');
    expect(res.body).toMatch(/href="\/backoffice\/admin" aria-current="page"/);
    expect(res.headers['cache-control']).toContain('no-store');
  });

  it('shows the diagram and the definition; an unknown or malformed procedure is not found', async () => {
    const res = await get('/backoffice/admin/circuits/signalement-voirie');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<svg');
    expect(res.body).toContain('<textarea');
    expect(res.body).toContain(`name="_csrf" value="${who.admin.csrf}"`);
    for (const url of ['/backoffice/admin/circuits/inexistante', '/backoffice/admin/circuits/Contact%20!']) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
    // Fastify refuses a path parameter over 100 characters before any route runs.
    expect((await get(`/backoffice/admin/circuits/${'a'.repeat(101)}`)).statusCode).toBe(414);
  });

  it('refuses a form without its CSRF value, or with another one (403), and publishes nothing', async () => {
    const definition = await currentDefinition(who.admin.cookie);
    const before = await versionsOf('contact');
    const forms: Record<string, string>[] = [{ definition }, { definition, _csrf: 'pas-le-bon' }, { definition, _csrf: who.agent.csrf }, { definition, csrf: who.admin.csrf }];
    for (const fields of forms) {
      expect((await post('/backoffice/admin/circuits/contact', fields)).statusCode).toBe(403);
    }
    expect(await versionsOf('contact')).toEqual(before);
  });

  it('shows empty, too long, JSON and definition errors at the top, keeps the text, publishes nothing', async () => {
    const before = await versionsOf('contact');
    const url = '/backoffice/admin/circuits/contact';
    const _csrf = who.admin.csrf;
    const cases: { definition: string | string[]; text: string }[] = [
      { definition: '  ', text: 'Saisissez la définition' },
      { definition: 'x'.repeat(500_001), text: 'au plus 500' },
      { definition: '{ pas du json', text: 'JSON invalide' },
      {
        definition: JSON.stringify({ version: 1, initial: 'absent', statuses: [{ id: 'recu', label: 'Reçu', citizenLabel: 'Reçue', category: 'new' }], transitions: [] }),
        text: 'initial',
      },
      { definition: ['{}', '{}'], text: 'Saisissez la définition' },
    ];
    for (const c of cases) {
      const payload = typeof c.definition === 'string' ? form({ _csrf, definition: c.definition }) : `_csrf=${encodeURIComponent(_csrf)}&${c.definition.map((d) => `definition=${encodeURIComponent(d)}`).join('&')}`;
      const res = await app.inject({ method: 'POST', url, headers: { cookie: who.admin.cookie, ...FORM }, payload });
      expect(res.statusCode, c.text).toBe(422);
      expect(res.body).toContain('class="error-summary"');
      expect(res.body).toContain('href="#definition"');
      expect(res.body).toContain(c.text);
      expect(res.body).toMatch(/<title>Erreur — /);
    }
    const kept = await post(url, { _csrf, definition: '{ pas du json' });
    expect(kept.body).toContain('{ pas du json');
    expect(await versionsOf('contact')).toEqual(before);
    expect((await post('/backoffice/admin/circuits/inexistante', { _csrf, definition: '{}' })).statusCode).toBe(404);
  });

  it('publishes a valid definition as the next version, in the name of the admin', async () => {
    const definition = await currentDefinition(who.admin.cookie, 'signalement-voirie');
    const before = await versionsOf('signalement-voirie');
    const res = await post('/backoffice/admin/circuits/signalement-voirie', { _csrf: who.admin.csrf, definition });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const next = before.at(-1)!.version + 1;
    expect(res.headers.location).toBe(`/backoffice/admin/circuits/signalement-voirie?publie=${next}`);
    expect((await versionsOf('signalement-voirie')).at(-1)).toEqual({ version: next, publishedBy: `agent:${adminId}` });
    const shown = await get(res.headers.location as string);
    expect(shown.body).toContain(`La version ${next} est publiée`);
    const api = await app.inject({ method: 'GET', url: '/api/v1/procedures/signalement-voirie/workflow', headers: { authorization: `Bearer ${apiToken}` } });
    expect(api.json().version).toBe(next);
  });
});

describe.skipIf(!browserAvailable)('the workflow pages in a browser (axe-core, keyboard, no JavaScript needed)', () => {
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => browser?.close());

  for (const javaScriptEnabled of [true, false]) {
    it(`goes from an old bookmark through the sign-in with password and code to publishing, keyboard only, every page passing axe-core (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      // axe-core is a script: it runs on the pages of the run with JavaScript.
      const expectAxeClean = async () => {
        if (javaScriptEnabled) expect(await axeViolations(page), page.url()).toEqual([]);
      };
      try {
        // An old bookmark of the token-based pages leads to the agents' sign-in.
        await page.goto(`${base}/admin/circuits`);
        expect(new URL(page.url()).pathname).toBe('/backoffice/connexion');
        await expectAxeClean();
        await page.focus('#email');
        await page.keyboard.type(DEMO_ADMIN_EMAIL);
        await page.keyboard.press('Tab');
        await page.keyboard.type(DEMO_AGENT_PASSWORD);
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/backoffice\/connexion\/code/);
        await expectAxeClean();
        await page.focus('#code');
        // A later time step each run: a code is accepted once.
        await page.keyboard.type(currentCode(DEMO_ADMIN_TOTP_SECRET, Date.now() + (javaScriptEnabled ? 0 : 30_000)));
        await page.keyboard.press('Enter');
        await page.waitForURL(`${base}/backoffice/admin/circuits`);
        await expectAxeClean();
        await page.goto(`${base}/backoffice/admin/circuits/signalement-voirie`);
        await expectAxeClean();
        await page.fill('#definition', '{"version": 1}');
        await page.focus('button[type=submit]:has-text("Publier")');
        await page.keyboard.press('Enter');
        await page.waitForSelector('.error-summary');
        await expectAxeClean();
        // Publishing the definition in force again: a new version, and its notice.
        await page.fill('#definition', await currentDefinition(who.admin.cookie, 'signalement-voirie'));
        await page.focus('button[type=submit]:has-text("Publier")');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\?publie=\d+$/);
        expect(await page.textContent('.flash')).toContain('est publiée');
        await expectAxeClean();
      } finally {
        await context.close();
      }
    }, 90_000);
  }
});

if (!browserAvailable) console.warn(browserSkipReason);