/**
 * The authorization matrix of the back-office: EVERY route registered under /backoffice — found
 * at run time by an `onRoute` hook on the Fastify instance the app is built on, so routes other
 * areas add later are covered without editing this file — is requested:
 *
 * - without a session: a GET page redirects to the sign-in page, a POST answers 303, 401 or 403,
 *   never 2xx;
 * - with a session still waiting for its second factor (or its enrolment): the same;
 * - as an agent (role `agent`): every `/backoffice/admin*` route answers 403;
 * - as an admin, a POST without a valid CSRF value is refused.
 *
 * The public routes (signing in, ProConnect, the redirection of `/backoffice`) are listed below.
 */
import type * as FastifyModule from 'fastify';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { createAgent, signInAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation } from './factories.js';

const registered = vi.hoisted(() => [] as { method: string; url: string }[]);

vi.mock('fastify', async (importOriginal) => {
  const real = await importOriginal<typeof FastifyModule>();
  const wrapped = ((options?: object) => {
    const instance = real.default(options);
    instance.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) registered.push({ method, url: route.url });
    });
    return instance;
  }) as unknown as typeof real.default;
  return { ...real, default: wrapped, fastify: wrapped };
});

/** Routes anyone may reach: they are how one signs in (or the way to the inbox). */
const PUBLIC: { method: string; url: RegExp }[] = [
  { method: 'GET', url: /^\/backoffice$/ },
  { method: 'GET', url: /^\/backoffice\/connexion$/ },
  // The sign-in form is protected by the visitor cookie's CSRF value (tested in backoffice-auth).
  { method: 'POST', url: /^\/backoffice\/connexion$/ },
  { method: 'GET', url: /^\/backoffice\/proconnect\// },
];

/** Steps of signing in that a session waiting for its second factor may use, by design. */
const SIGN_IN_STEPS: { method: string; url: RegExp }[] = [
  { method: 'GET', url: /^\/backoffice\/connexion\/(code|activer-double-authentification)$/ },
  { method: 'POST', url: /^\/backoffice\/connexion\/(code|activer-double-authentification)$/ },
  { method: 'POST', url: /^\/backoffice\/deconnexion$/ },
];

const matches = (list: { method: string; url: RegExp }[], r: { method: string; url: string }) => list.some((p) => p.method === r.method && p.url.test(r.url));

/** A concrete URL for a route: each parameter gets a dummy value of the right shape. */
function concrete(url: string): string {
  return url
    .replace(/:reference/g, '2026-000001')
    .replace(/:([A-Za-z]+)\.pdf/g, '1.pdf')
    .replace(/:[A-Za-z]+/g, '1')
    .replace(/\*/g, 'x');
}

let db: Db;
let app: App;
let routes: { method: string; url: string }[];
let admin: { cookie: string; csrf: string };
let plainAgent: { cookie: string; csrf: string };
/** Cookies of sessions waiting for their code, and for their enrolment. */
let halfSignedIn: Record<'second_factor' | 'enrol', string>;

beforeAll(async () => {
  db = await freshDb();
  const organisationId = await makeOrganisation(db);
  const departmentId = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  app = await testApp(db, { PUBLIC_URL: 'http://guichet.test' });
  const sign = app.signCookie.bind(app);
  const adminId = (await createAgent(db, organisationId, { roles: [{ departmentId, role: 'admin' }] })).agentId;
  admin = await signInAgent(db, adminId, sign);
  plainAgent = await signInAgent(db, (await createAgent(db, organisationId, { roles: [{ departmentId, role: 'agent' }] })).agentId, sign);
  halfSignedIn = { second_factor: '', enrol: '' };
  for (const stage of ['second_factor', 'enrol'] as const) {
    const agentId = (await createAgent(db, organisationId, { roles: [{ departmentId, role: 'admin' }] })).agentId;
    const session = await signInAgent(db, agentId, sign);
    await db.kysely.updateTable('agent_sessions').set({ stage }).where('agent_id', '=', agentId).execute();
    halfSignedIn[stage] = session.cookie;
  }
  const seen = new Set<string>();
  routes = registered
    .filter((r) => r.method !== 'HEAD' && (r.url === '/backoffice' || r.url.startsWith('/backoffice/')))
    .filter((r) => !seen.has(`${r.method} ${r.url}`) && seen.add(`${r.method} ${r.url}`));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const request = (method: string, url: string, cookie?: string, form?: Record<string, string>) =>
  app.inject({
    method: method as 'GET',
    url,
    headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
  });

/** What a request without a (complete) session may get: the sign-in page, or a refusal. */
function refusal(method: string, res: Awaited<ReturnType<typeof request>>): string | null {
  if (method === 'GET') {
    const location = String(res.headers.location ?? '');
    return res.statusCode === 303 && location.startsWith('/backoffice/connexion') ? null : `${res.statusCode} ${location}`;
  }
  return [303, 401, 403].includes(res.statusCode) ? null : `${res.statusCode}`;
}

describe('the back-office routes', () => {
  it('are found at run time, the areas of every helper included', () => {
    const urls = routes.map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /backoffice/connexion');
    expect(urls).toContain('POST /backoffice/deconnexion');
    expect(urls).toContain('GET /backoffice/admin');
    expect(urls).toContain('GET /backoffice/admin/journal-des-acces');
    expect(urls).toContain('GET /backoffice/admin/canaux');
    expect(urls).toContain('GET /backoffice/admin/canaux/quarantaine/:id/brut');
    expect(urls).toContain('POST /backoffice/admin/canaux/quarantaine/:id/retraiter');
    expect(urls).toContain('GET /backoffice/appels');
    expect(urls).toContain('GET /backoffice/appels/evenements');
    expect(routes.length).toBeGreaterThan(15);
  });

  it('send a visitor without session to the sign-in page (GET) or refuse them (POST), never 2xx', async () => {
    const wrong: string[] = [];
    for (const r of routes.filter((r) => !matches(PUBLIC, r))) {
      const res = await request(r.method, concrete(r.url));
      const problem = refusal(r.method, res);
      if (problem) wrong.push(`${r.method} ${r.url} → ${problem}`);
    }
    expect(wrong).toEqual([]);
  });

  it('treat a session waiting for its second factor or its enrolment as signed out', async () => {
    const wrong: string[] = [];
    for (const cookie of Object.values(halfSignedIn)) {
      for (const r of routes.filter((r) => !matches(PUBLIC, r) && !matches(SIGN_IN_STEPS, r))) {
        const res = await request(r.method, concrete(r.url), cookie, r.method === 'POST' ? { _csrf: 'x' } : undefined);
        const problem = refusal(r.method, res);
        if (problem) wrong.push(`${r.method} ${r.url} → ${problem}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answer 403 to an agent without the admin role on every administration route', async () => {
    const adminRoutes = routes.filter((r) => r.url === '/backoffice/admin' || r.url.startsWith('/backoffice/admin/'));
    expect(adminRoutes.length).toBeGreaterThanOrEqual(8);
    const wrong: string[] = [];
    for (const r of adminRoutes) {
      const res = await request(r.method, concrete(r.url), plainAgent.cookie, r.method === 'POST' ? { _csrf: plainAgent.csrf } : undefined);
      if (res.statusCode !== 403) wrong.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuse every POST of a signed-in admin without a valid CSRF value', async () => {
    const posts = routes.filter((r) => r.method !== 'GET' && !matches(PUBLIC, r));
    expect(posts.length).toBeGreaterThan(5);
    const wrong: string[] = [];
    for (const r of posts) {
      for (const form of [undefined, { _csrf: 'pas-le-bon-jeton' }]) {
        // A step of signing in is only reached by a session at that step.
        const cookie = r.url.endsWith('/code') ? halfSignedIn.second_factor : r.url.endsWith('/activer-double-authentification') ? halfSignedIn.enrol : admin.cookie;
        const res = await request(r.method, concrete(r.url), cookie, form);
        // 404: the dummy case or record does not exist (looked up before the CSRF check); never a success.
        if (![403, 404].includes(res.statusCode)) wrong.push(`${r.method} ${r.url} ${form ? 'wrong' : 'no'} CSRF → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
    // The admin's session itself is fine: a GET page opens.
    expect((await request('GET', '/backoffice/admin', admin.cookie)).statusCode).toBe(200);
  });
});
