/**
 * The back-office administration: the list of agents, creating an agent (errors, the password
 * shown once, which then signs in), roles, deactivation that ends sessions, second-factor and
 * password resets, the organisation's second-factor rule, the access log's filters and paging;
 * axe-core in Chromium on every administration page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogRepository } from '../src/backoffice/access-log.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { createAgent, signedInAgent, signInAgent, type TestAgent } from './backoffice-session.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeDepartment, makeOrganisation } from './factories.js';

let db: Db;
let app: App;
let organisationId: number;
let accueil: number;
let voirie: number;
let admin: TestAgent;

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  accueil = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  voirie = await makeDepartment(db, organisationId, 'voirie');
  app = await testApp(db, { PUBLIC_URL: 'http://guichet.test' });
  admin = await signedInAgent(db, organisationId, app.signCookie.bind(app), { email: 'admin@ville.test', name: 'Claire Admin', roles: [{ departmentId: accueil, role: 'admin' }] });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (url: string, who: { cookie: string } = admin) => app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
const post = (url: string, form: Record<string, string>, who: { cookie: string; csrf: string } = admin) =>
  app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: who.csrf, ...form }).toString(),
  });
const rolesOf = (agentId: number) => db.kysely.selectFrom('agent_roles').select(['department_id', 'role']).where('agent_id', '=', agentId).orderBy('department_id').execute();
const agentRow = (id: number) => db.kysely.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Signs in through the real sign-in form (visitor cookie and its CSRF value). */
async function signInWithForm(email: string, password: string) {
  const page = await app.inject({ method: 'GET', url: '/backoffice/connexion' });
  const visitor = page.cookies.find((c) => c.name === 'guichet_visiteur')!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return app.inject({
    method: 'POST',
    url: '/backoffice/connexion',
    headers: { cookie: `guichet_visiteur=${visitor.value}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
}

describe('agents', () => {
  it('lists the agents with their roles, and links to the workflow editor and the access log', async () => {
    await createAgent(db, organisationId, { email: 'karim@ville.test', name: 'Karim Voirie', roles: [{ departmentId: voirie, role: 'manager' }] });
    const page = await get('/backoffice/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Karim Voirie');
    expect(page.body).toContain('Responsable de service — Voirie');
    expect(page.body).toContain('href="/backoffice/admin/circuits"');
    expect(page.body).toContain('href="/backoffice/admin/journal-des-acces"');
    expect(page.body).toContain('aria-current="page"');
  });

  it('refuses a new agent with missing or bad fields, with an error summary and nothing written', async () => {
    const before = (await db.kysely.selectFrom('agents').select('id').execute()).length;
    const empty = await post('/backoffice/admin/agents', { email: '', name: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('class="error-summary"');
    expect(empty.body).toContain('href="#email"');
    expect(empty.body).toContain('href="#name"');
    const bad = await post('/backoffice/admin/agents', { email: 'pas-une-adresse', name: 'X', [`role-${accueil}`]: 'roi' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain(`href="#role-${accueil}"`);
    const taken = await post('/backoffice/admin/agents', { email: 'ADMIN@ville.test', name: 'Doublon' });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).toContain('Un agent a déjà cette adresse électronique');
    expect((await db.kysely.selectFrom('agents').select('id').execute()).length).toBe(before);
  });

  it('creates an agent with roles and shows a password once, which signs them in', async () => {
    const created = await post('/backoffice/admin/agents', { email: 'Nouvel.Agent@ville.test', name: 'Nouvel Agent', [`role-${accueil}`]: 'agent', [`role-${voirie}`]: 'manager' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toContain('no-store');
    const password = /<code>([A-Za-z0-9-]{19})<\/code>/.exec(created.body)![1]!;
    const row = await db.kysely.selectFrom('agents').selectAll().where('email', '=', 'nouvel.agent@ville.test').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(await rolesOf(row.id)).toEqual([
      { department_id: accueil, role: 'agent' },
      { department_id: voirie, role: 'manager' },
    ]);
    const signIn = await signInWithForm('nouvel.agent@ville.test', password);
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/backoffice');
  });

  it('edits roles, but an admin cannot take away their own admin role', async () => {
    const { agentId } = await createAgent(db, organisationId, { roles: [{ departmentId: accueil, role: 'agent' }] });
    const page = await get(`/backoffice/admin/agents/${agentId}`);
    expect(page.statusCode).toBe(200);
    const saved = await post(`/backoffice/admin/agents/${agentId}/roles`, { [`role-${voirie}`]: 'agent' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/backoffice/admin/agents/${agentId}?avis=roles`);
    expect(await rolesOf(agentId)).toEqual([{ department_id: voirie, role: 'agent' }]);
    const invalid = await post(`/backoffice/admin/agents/${agentId}/roles`, { [`role-${voirie}`]: 'chef' });
    expect(invalid.statusCode).toBe(422);
    expect(await rolesOf(agentId)).toEqual([{ department_id: voirie, role: 'agent' }]);

    const self = await post(`/backoffice/admin/agents/${admin.agentId}/roles`, { [`role-${accueil}`]: 'agent' });
    expect(self.statusCode).toBe(403);
    expect((await rolesOf(admin.agentId))[0]!.role).toBe('admin');
  });

  it('deactivates an agent: their sessions end at once and they cannot sign in; reactivation', async () => {
    const target = await signedInAgent(db, organisationId, app.signCookie.bind(app), { roles: [{ departmentId: accueil, role: 'agent' }] });
    expect((await get('/backoffice/mon-compte', target)).statusCode).toBe(200);
    const done = await post(`/backoffice/admin/agents/${target.agentId}/desactiver`, {});
    expect(done.statusCode).toBe(303);
    expect((await agentRow(target.agentId)).is_active).toBe(0);
    expect((await get('/backoffice/mon-compte', target)).statusCode).toBe(303);
    const sessions = await db.kysely.selectFrom('agent_sessions').select('revoked_at').where('agent_id', '=', target.agentId).execute();
    expect(sessions.every((s) => s.revoked_at !== null)).toBe(true);
    expect((await post(`/backoffice/admin/agents/${target.agentId}/reactiver`, {})).statusCode).toBe(303);
    expect((await agentRow(target.agentId)).is_active).toBe(1);
    // Not oneself.
    expect((await post(`/backoffice/admin/agents/${admin.agentId}/desactiver`, {})).statusCode).toBe(403);
  });

  it('resets the second factor and the password, ending sessions; another organisation’s agent is not found', async () => {
    const target = await signedInAgent(db, organisationId, app.signCookie.bind(app), { roles: [{ departmentId: accueil, role: 'agent' }] });
    await db.kysely.updateTable('agents').set({ totp_secret: 'JBSWY3DPEHPK3PXP', totp_enabled_at: new Date().toISOString() }).where('id', '=', target.agentId).execute();
    expect((await post(`/backoffice/admin/agents/${target.agentId}/reinitialiser-double-authentification`, {})).statusCode).toBe(303);
    const row = await agentRow(target.agentId);
    expect(row.totp_secret).toBeNull();
    expect(row.totp_enabled_at).toBeNull();
    expect((await get('/backoffice/mon-compte', target)).statusCode).toBe(303);

    const again = await signInAgent(db, target.agentId, app.signCookie.bind(app));
    const reset = await post(`/backoffice/admin/agents/${target.agentId}/reinitialiser-mot-de-passe`, {});
    expect(reset.statusCode).toBe(200);
    const password = /<code>([A-Za-z0-9-]{19})<\/code>/.exec(reset.body)![1]!;
    expect((await get('/backoffice/mon-compte', again)).statusCode).toBe(303);
    expect((await signInWithForm(target.email, password)).statusCode).toBe(303);

    const elsewhere = await makeOrganisation(db, 'ailleurs');
    const foreign = await createAgent(db, elsewhere, { roles: [] });
    expect((await get(`/backoffice/admin/agents/${foreign.agentId}`)).statusCode).toBe(404);
    expect((await post(`/backoffice/admin/agents/${foreign.agentId}/desactiver`, {})).statusCode).toBe(404);
    expect((await agentRow(foreign.agentId)).is_active).toBe(1);
  });

  it('sets the organisation’s rule: a second factor for every agent', async () => {
    expect((await post('/backoffice/admin/parametres', { totpRequired: 'oui' })).headers.location).toBe('/backoffice/admin?avis=parametres');
    const org = () => db.kysely.selectFrom('organisations').select('agent_totp_required').where('id', '=', organisationId).executeTakeFirstOrThrow();
    expect((await org()).agent_totp_required).toBe(1);
    expect((await get('/backoffice/admin')).body).toMatch(/id="totpRequired"[^>]*checked/);
    await post('/backoffice/admin/parametres', {});
    expect((await org()).agent_totp_required).toBe(0);
  });
});

describe('access log', () => {
  it('shows entries newest first, filters by agent and citizen, and pages with an « older » link', async () => {
    const other = await createAgent(db, organisationId, { name: 'Agent Curieux', roles: [{ departmentId: accueil, role: 'agent' }] });
    const base = Date.parse('2026-11-01T09:00:00Z');
    for (let i = 0; i < 55; i++) {
      await accessLogRepository.insert(db.kysely, {
        organisationId,
        agentId: i % 5 === 0 ? other.agentId : admin.agentId,
        action: i % 2 === 0 ? 'view_citizen' : 'search_citizens',
        citizenId: i % 2 === 0 ? 1000 + (i % 3) : null,
        caseId: null,
        detail: null,
        ip: '203.0.113.9',
        now: new Date(base + i * 60_000).toISOString(),
      });
    }
    const first = await get('/backoffice/admin/journal-des-acces');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Consultation d’une fiche usager');
    expect(first.body.indexOf('2026-11-01T09:54:00.000Z')).toBeLessThan(first.body.indexOf('2026-11-01T09:53:00.000Z'));
    const older = /href="(\/backoffice\/admin\/journal-des-acces\?avant=\d+)"/.exec(first.body)![1]!;
    const second = await get(older.replace(/&amp;/g, '&'));
    expect(second.body).toContain('2026-11-01T09:00:00.000Z');
    expect(second.body).not.toContain('2026-11-01T09:54:00.000Z');
    expect(second.body).not.toContain('Accès plus anciens');

    const byAgent = await get(`/backoffice/admin/journal-des-acces?agent=${other.agentId}`);
    expect((byAgent.body.match(/<tr>/g) ?? []).length - 1).toBe(11);
    const byCitizen = await get('/backoffice/admin/journal-des-acces?usager=1001');
    expect((byCitizen.body.match(/<tr>/g) ?? []).length - 1).toBe(9);
    expect(byCitizen.body).toContain('href="/backoffice/usagers/1001"');

    const bad = await get('/backoffice/admin/journal-des-acces?usager=abc');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('href="#usager"');
  });
});

describe('pages', () => {
  it('are valid HTML with one h1 and a title, errors and the password shown once included', async () => {
    const { agentId } = await createAgent(db, organisationId, { name: 'Agent Html', roles: [{ departmentId: voirie, role: 'agent' }] });
    const pages = [
      { name: 'administration', html: (await get('/backoffice/admin')).body },
      { name: 'nouvel agent', html: (await get('/backoffice/admin/agents/nouveau')).body },
      { name: 'nouvel agent : erreurs', html: (await post('/backoffice/admin/agents', { email: 'x', name: '' })).body },
      { name: 'agent', html: (await get(`/backoffice/admin/agents/${agentId}?avis=roles`)).body },
      { name: 'mot de passe provisoire', html: (await post(`/backoffice/admin/agents/${agentId}/reinitialiser-mot-de-passe`, {})).body },
      { name: 'journal des accès', html: (await get('/backoffice/admin/journal-des-acces')).body },
      { name: 'journal des accès : erreur', html: (await get('/backoffice/admin/journal-des-acces?usager=x')).body },
    ];
    for (const page of pages) {
      expect(page.html.match(/<h1[ >]/g), page.name).toHaveLength(1);
      expect(page.html, page.name).toMatch(/<title>[^<]+<\/title>/);
    }
    const errors = await validateHtml(pages);
    if (!validatorAvailable) expect(errors).toBeNull();
    else expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});

describe('in Chromium', () => {
  it.skipIf(!browserAvailable)('has no axe violation on the administration pages', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const { agentId } = await createAgent(db, organisationId, { name: 'Agent Axe', roles: [{ departmentId: voirie, role: 'agent' }] });
    const chromium = await launchBrowser();
    try {
      const context = await chromium.newContext();
      const [name, value] = admin.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: `${base}/backoffice` }]);
      const page = await context.newPage();
      for (const path of ['/backoffice/admin', '/backoffice/admin/agents/nouveau', `/backoffice/admin/agents/${agentId}`, '/backoffice/admin/journal-des-acces', '/backoffice/mon-compte']) {
        const response = await page.goto(`${base}${path}`);
        expect(response?.status(), path).toBe(200);
        expect(await axeViolations(page), path).toEqual([]);
      }
      // The error state of the creation form.
      await page.goto(`${base}/backoffice/admin/agents/nouveau`);
      await page.locator('form.auth-form button[type=submit]').click();
      await page.locator('.error-summary').waitFor();
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await chromium.close();
    }
  }, 120_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
