/**
 * Audit (issue 13, finding 7): no security headers, so a same-site page could frame the signed-in
 * back-office. Every family of response now carries a strict Content-Security-Policy (no inline
 * script or style), anti-framing, nosniff, a referrer policy, a permissions policy and COOP; HSTS
 * only when the public URL is https.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { tileSource } from '../src/http/security-headers.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune, makeToken, submitLightingReport } from './factories.js';
import { signedInCitizen, type TestCitizen } from './portal-session.js';

let db: Db;
let app: App;
let agent: TestAgent;
let citizen: TestCitizen;
let token: string;
let trackingCode: string;

beforeAll(async () => {
  db = await freshDb();
  const commune = await makeCommune(db);
  const organisationId = commune.organisationId;
  const departmentId = commune.departments.reception;
  trackingCode = (await submitLightingReport(db, organisationId, null, 'Lampadaire éteint rue des Lilas.')).trackingCode;
  app = await testApp(db, { MAP_TILE_URL: 'https://{s}.tuiles.example.org/{z}/{x}/{y}.png', FRANCECONNECT_ISSUER: 'https://fc.example.gouv.fr/api/v2' });
  agent = await signedInAgent(db, organisationId, app.signCookie.bind(app), { roles: [{ departmentId, role: 'agent' }] });
  citizen = await signedInCitizen(db, organisationId);
  token = await makeToken(db, organisationId, ['cases:read']);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const html = { accept: 'text/html' };

/** One request of each family of response the application sends. */
const FAMILIES: { name: string; request: () => { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }; status: number }[] = [
  { name: 'portal page', request: () => ({ method: 'GET', url: '/', headers: html }), status: 200 },
  { name: 'portal page, signed in', request: () => ({ method: 'GET', url: '/mes-demandes', headers: { ...html, cookie: citizen.cookie } }), status: 200 },
  { name: 'portal redirect', request: () => ({ method: 'GET', url: '/mes-demandes', headers: html }), status: 303 },
  { name: 'back-office sign-in page', request: () => ({ method: 'GET', url: '/backoffice/connexion', headers: html }), status: 200 },
  { name: 'back-office page', request: () => ({ method: 'GET', url: '/backoffice/dossiers', headers: { ...html, cookie: agent.cookie } }), status: 200 },
  { name: 'API JSON', request: () => ({ method: 'GET', url: '/api/v1/procedures' }), status: 200 },
  { name: 'API JSON, authenticated', request: () => ({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` } }), status: 200 },
  { name: 'problem (401)', request: () => ({ method: 'POST', url: '/api/v1/cases', headers: { 'content-type': 'application/json' }, payload: '{}' }), status: 401 },
  { name: 'problem (404)', request: () => ({ method: 'GET', url: '/api/v1/nulle-part' }), status: 404 },
  { name: 'static stylesheet', request: () => ({ method: 'GET', url: '/assets/guichet.css' }), status: 200 },
  { name: 'static script', request: () => ({ method: 'GET', url: '/assets/portal.js' }), status: 200 },
  { name: 'service worker', request: () => ({ method: 'GET', url: '/sw.js' }), status: 200 },
  { name: 'health check', request: () => ({ method: 'GET', url: '/healthz' }), status: 200 },
  { name: 'OpenAPI document', request: () => ({ method: 'GET', url: '/api/openapi.json' }), status: 200 },
  { name: 'portal error page (404)', request: () => ({ method: 'GET', url: '/page-qui-n-existe-pas', headers: html }), status: 404 },
  { name: 'back-office error page (404)', request: () => ({ method: 'GET', url: '/backoffice/nulle-part', headers: { ...html, cookie: agent.cookie } }), status: 404 },
];

function expectCommonHeaders(headers: Record<string, unknown>, label: string): void {
  expect(headers['x-frame-options'], label).toBe('DENY');
  expect(headers['x-content-type-options'], label).toBe('nosniff');
  expect(headers['referrer-policy'], label).toMatch(/^(strict-origin-when-cross-origin|no-referrer)$/);
  expect(headers['cross-origin-opener-policy'], label).toBe('same-origin');
  expect(headers['permissions-policy'], label).toContain('camera=()');
  expect(headers['permissions-policy'], label).toContain('microphone=()');
  expect(headers['permissions-policy'], label).toContain('geolocation=(self)');
  // The test app's PUBLIC_URL is http: no HSTS.
  expect(headers['strict-transport-security'], label).toBeUndefined();
}

/** The directives of a policy header, by name. */
function directives(policy: unknown): Map<string, string[]> {
  return new Map(
    String(policy)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('security headers', () => {
  it.each(FAMILIES)('are on every response: $name', async ({ name, request, status }) => {
    const res = await app.inject(request());
    expect(res.statusCode, name).toBe(status);
    expectCommonHeaders(res.headers, name);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp.get('default-src'), name).toEqual(["'self'"]);
    expect(csp.get('script-src'), name).toEqual(["'self'"]);
    expect(csp.get('script-src-attr'), name).toEqual(["'none'"]);
    expect(csp.get('style-src'), name).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors'), name).toEqual(["'none'"]);
    expect(csp.get('object-src'), name).toEqual(["'none'"]);
    expect(csp.get('base-uri'), name).toEqual(["'none'"]);
    expect(String(res.headers['content-security-policy'])).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('allows the map tiles’ servers and the identity provider, nothing more', async () => {
    const csp = directives((await app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'https://*.tuiles.example.org']);
    expect(csp.get('form-action')).toEqual(["'self'", 'https://fc.example.gouv.fr']);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });

  it('gives the API documentation its own policy, on /api/docs only, still without inline code', async () => {
    const page = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expectCommonHeaders(page.headers, '/api/docs');
    const csp = directives(page.headers['content-security-policy']);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(String(page.headers['content-security-policy'])).not.toMatch(/unsafe-(inline|eval)/);
    // Swagger UI's page has no inline script (it would be blocked).
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('sends HSTS only when the public address is https', async () => {
    const secure = await testApp(db, { PUBLIC_URL: 'https://guichet.ville.test' });
    try {
      for (const url of ['/', '/api/v1/procedures', '/nulle-part']) {
        const res = await secure.inject({ method: 'GET', url });
        expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000');
        expect(directives(res.headers['content-security-policy']).has('upgrade-insecure-requests'), url).toBe(true);
      }
    } finally {
      await secure.close();
    }
    const plain = await app.inject({ method: 'GET', url: '/' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect(directives(plain.headers['content-security-policy']).has('upgrade-insecure-requests')).toBe(false);
  });

  it('keeps no-referrer on the pages whose address is a key', async () => {
    const tracking = await app.inject({ method: 'GET', url: `/suivi/${trackingCode}`, headers: html });
    expect(tracking.statusCode).toBe(200);
    expect(tracking.headers['referrer-policy']).toBe('no-referrer');
  });

  it('renders pages without inline script, inline style or event-handler attributes', async () => {
    const pages = [
      await app.inject({ method: 'GET', url: '/', headers: html }),
      await app.inject({ method: 'GET', url: '/connexion', headers: html }),
      await app.inject({ method: 'GET', url: '/mes-demandes', headers: { ...html, cookie: citizen.cookie } }),
      await app.inject({ method: 'GET', url: '/backoffice/connexion', headers: html }),
      await app.inject({ method: 'GET', url: '/backoffice/dossiers', headers: { ...html, cookie: agent.cookie } }),
      await app.inject({ method: 'GET', url: '/backoffice/mon-compte', headers: { ...html, cookie: agent.cookie } }),
    ];
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page.body).not.toMatch(/<style[\s>]/);
      expect(page.body).not.toMatch(/\sstyle=/);
      expect(page.body).not.toMatch(/\son[a-z]+=/);
      expect(page.body).not.toContain('javascript:');
    }
  });

  it('configures htmx not to inject styles nor evaluate code', async () => {
    const page = await app.inject({ method: 'GET', url: '/backoffice/dossiers', headers: { ...html, cookie: agent.cookie } });
    const meta = /<meta name="htmx-config" content="([^"]+)"/.exec(page.body);
    expect(meta).not.toBeNull();
    const config = JSON.parse(meta![1]!.replace(/&quot;/g, '"')) as Record<string, unknown>;
    expect(config).toMatchObject({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false });
    expect(page.body.indexOf('name="htmx-config"')).toBeLessThan(page.body.indexOf('htmx.min.js'));
  });
});

describe('tile sources', () => {
  it('turns a tile URL template into a CSP source', () => {
    expect(tileSource('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('https://*.tile.openstreetmap.org');
    expect(tileSource('https://tiles.example.fr:8443/{z}/{x}/{y}.png')).toBe('https://tiles.example.fr:8443');
    expect(tileSource('https://tiles-{s}.example.fr/{z}/{x}/{y}.png')).toBe('https:');
    expect(tileSource('')).toBeNull();
    expect(tileSource('javascript:alert(1)')).toBeNull();
  });
});
