/**
 * Admin pages for workflows: who gets in (and who does not), the diagram, publishing with its
 * validation errors shown, and accessibility (axe-core in Chromium, keyboard only).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import type { App } from '../src/http/context.js';
import { createToken } from '../src/tokens/service.js';
import { tokenRepository } from '../src/tokens/repository.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';

let db: Db;
let app: App;
let adminToken: string;
let casesToken: string;
let organisationId: number;

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  adminToken = (await createToken(db.kysely, organisationId, 'informatique', ['workflows:write'])).token;
  casesToken = (await createToken(db.kysely, organisationId, 'logiciel métier', ['cases:read', 'cases:write'])).token;
  app = await testApp(db);
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function signIn(token: string) {
  return app.inject({ method: 'POST', url: '/admin/connexion', headers: FORM, payload: form({ token }) });
}

async function session(token = adminToken): Promise<string> {
  const res = await signIn(token);
  expect(res.statusCode).toBe(303);
  const cookie = res.cookies.find((c) => c.name === 'guichet_admin');
  expect(cookie).toBeDefined();
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
  return `guichet_admin=${cookie!.value}`;
}

const csrfOf = (html: string) => html.match(/name="csrf" value="([^"]+)"/)![1]!;

describe('admin sign-in', () => {
  it('sends visitors without a session to the sign-in page', async () => {
    for (const url of ['/admin/circuits', '/admin/circuits/contact']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/admin/connexion');
    }
    const post = await app.inject({ method: 'POST', url: '/admin/circuits/contact', headers: FORM, payload: form({ definition: '{}' }) });
    expect(post.statusCode).toBe(303);
  });

  it('refuses an unknown token, an empty one and a token without the workflows:write scope, with an error summary', async () => {
    for (const [token, status, text] of [
      ['gui_inconnu', 401, 'inconnu ou révoqué'],
      ['', 401, 'Saisissez votre jeton'],
      [casesToken, 403, 'portée workflows:write'],
    ] as const) {
      const res = await signIn(token);
      expect(res.statusCode).toBe(status);
      expect(res.body).toContain('class="error-summary"');
      expect(res.body).toContain('href="#token"');
      expect(res.body).toContain(text);
      expect(res.cookies).toHaveLength(0);
    }
  });

  it('ends the session when its token is revoked, and on sign-out', async () => {
    const { id, token } = await createToken(db.kysely, organisationId, 'temporaire', ['workflows:write']);
    const cookie = await session(token);
    expect((await app.inject({ method: 'GET', url: '/admin/circuits', headers: { cookie } })).statusCode).toBe(200);
    await tokenRepository.revoke(db.kysely, id, new Date().toISOString());
    expect((await app.inject({ method: 'GET', url: '/admin/circuits', headers: { cookie } })).statusCode).toBe(303);
    const out = await app.inject({ method: 'POST', url: '/admin/deconnexion' });
    expect(out.statusCode).toBe(303);
    expect(out.cookies.find((c) => c.name === 'guichet_admin')?.value).toBe('');
  });

  it('rejects a forged cookie', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/circuits', headers: { cookie: 'guichet_admin=1.99999999999999.forged' } });
    expect(res.statusCode).toBe(303);
  });
});

describe('workflow pages', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await session();
  });

  it('lists every procedure with its workflow version', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/circuits', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/admin/circuits/contact"');
    expect(res.body).toContain('version 1');
  });

  it('shows the diagram and the definition', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/circuits/signalement-voirie', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<svg');
    expect(res.body).toContain('<textarea');
    expect((await app.inject({ method: 'GET', url: '/admin/circuits/inexistante', headers: { cookie } })).statusCode).toBe(404);
  });

  it('refuses a form without its CSRF value', async () => {
    const res = await app.inject({ method: 'POST', url: '/admin/circuits/contact', headers: { ...FORM, cookie }, payload: form({ definition: '{}' }) });
    expect(res.statusCode).toBe(403);
  });

  it('shows JSON and definition errors at the top, keeps the text, publishes nothing', async () => {
    const page = await app.inject({ method: 'GET', url: '/admin/circuits/contact', headers: { cookie } });
    const csrf = csrfOf(page.body);
    const badJson = await app.inject({ method: 'POST', url: '/admin/circuits/contact', headers: { ...FORM, cookie }, payload: form({ csrf, definition: '{ pas du json' }) });
    expect(badJson.statusCode).toBe(422);
    expect(badJson.body).toContain('JSON invalide');
    expect(badJson.body).toContain('{ pas du json');
    const invalid = await app.inject({
      method: 'POST',
      url: '/admin/circuits/contact',
      headers: { ...FORM, cookie },
      payload: form({ csrf, definition: JSON.stringify({ version: 1, initial: 'absent', statuses: [{ id: 'recu', label: 'Reçu', citizenLabel: 'Reçue', category: 'new' }], transitions: [] }) }),
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('class="error-summary"');
    expect(invalid.body).toContain('initial');
    const current = await app.inject({ method: 'GET', url: '/api/v1/procedures/contact/workflow', headers: { authorization: `Bearer ${casesToken}` } });
    expect(current.json().version).toBe(1);
  });

  it('publishes a valid definition as the next version', async () => {
    const page = await app.inject({ method: 'GET', url: '/admin/circuits/contact', headers: { cookie } });
    const definition = page.body.match(/<textarea[^>]*>([\s\S]*?)<\/textarea>/)![1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    const res = await app.inject({ method: 'POST', url: '/admin/circuits/contact', headers: { ...FORM, cookie }, payload: form({ csrf: csrfOf(page.body), definition }) });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe('/admin/circuits/contact?publie=2');
  });
});

describe.skipIf(!browserAvailable)('admin pages in a browser (axe-core, keyboard)', () => {
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => browser?.close());

  it('signs in with the keyboard alone, and every page passes axe-core (WCAG 2.1 A/AA)', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/admin/connexion`);
    expect(await axeViolations(page)).toEqual([]);
    // Wrong token first: the error summary must pass too.
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    await page.keyboard.type('gui_faux');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.error-summary');
    expect(await axeViolations(page)).toEqual([]);
    await page.focus('#token');
    await page.keyboard.type(adminToken);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/admin/circuits`);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${base}/admin/circuits/signalement-voirie`);
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#definition', '{"version": 1}');
    await page.click('button[type=submit]:has-text("Publier")');
    await page.waitForSelector('.error-summary');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
