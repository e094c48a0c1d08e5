/**
 * Audit (issue 13, finding 5): `/connexion?retour=%2F%09%2Fevil.example` sent a signed-in user to
 * another site and a newline gave a 500. Every `retour` of the portal and the back-office is now
 * checked by one helper (src/http/return-path.ts): these attacks stay on the site, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation } from './factories.js';
import { signedInCitizen, type TestCitizen } from './portal-session.js';

let db: Db;
let app: App;
let citizen: TestCitizen;
let agent: TestAgent;

/** As they appear in the query string (already percent-encoded where a browser would encode). */
const ATTACKS: [string, string][] = [
  ['tab between slashes', '%2F%09%2Fevil.example'],
  ['protocol-relative', '//evil.example'],
  ['protocol-relative, encoded', '%2F%2Fevil.example'],
  ['backslash', '/%5C%5Cevil.example'],
  ['backslash, raw', '/\\evil.example'],
  ['absolute URL', 'https://evil.example'],
  ['absolute URL, encoded', 'https%3A%2F%2Fevil.example'],
  ['header injection', '/%0d%0aSet-Cookie:x=y'],
  ['header injection, double-encoded', '/%250d%250aSet-Cookie:x=y'],
  ['javascript: URL', 'javascript:alert(1)'],
  ['newline', '%0A'],
  ['newline after the slash', '/%0A'],
  ['newline inside a path', '/mes-demandes%0A/evil'],
];

beforeAll(async () => {
  db = await freshDb();
  const organisationId = await makeOrganisation(db);
  const departmentId = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  app = await testApp(db);
  citizen = await signedInCitizen(db, organisationId);
  agent = await signedInAgent(db, organisationId, app.signCookie.bind(app), { roles: [{ departmentId, role: 'agent' }] });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

/** The Location resolves to this very site (any origin will do as the base). */
function expectOnSite(location: unknown, label: string): void {
  expect(typeof location, label).toBe('string');
  const url = new URL(String(location), 'https://guichet.test');
  expect(url.origin, label).toBe('https://guichet.test');
  expect(String(location), label).toMatch(/^\/(?![/\\])/);
}

describe('return paths (retour)', () => {
  it('takes a signed-in citizen back to the page they wanted', async () => {
    const res = await app.inject({ method: 'GET', url: '/connexion?retour=%2Fmes-demandes', headers: { cookie: citizen.cookie } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mes-demandes');
  });

  it.each(ATTACKS)('keeps a signed-in citizen on the site: %s', async (label, value) => {
    const res = await app.inject({ method: 'GET', url: `/connexion?retour=${value}`, headers: { cookie: citizen.cookie } });
    expect(res.statusCode, label).toBe(303);
    expect(res.headers.location, label).toBe('/');
    expect(res.headers['set-cookie'] ?? '', label).not.toContain('x=y');
  });

  it.each(ATTACKS)('puts only a safe path in the portal sign-in form: %s', async (label, value) => {
    const res = await app.inject({ method: 'GET', url: `/connexion?retour=${value}` });
    expect(res.statusCode, label).toBe(200);
    expect(res.body, label).toContain('name="retour" value="/"');
    expect(res.body, label).not.toContain('evil.example');
  });

  it('takes a signed-in agent back to the back-office page they wanted', async () => {
    const res = await app.inject({ method: 'GET', url: '/backoffice/connexion?retour=%2Fbackoffice%2Fmon-compte', headers: { cookie: agent.cookie } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/backoffice/mon-compte');
  });

  it.each([...ATTACKS, ['a portal page', '%2Fmes-demandes'], ['out of the back-office by dot segments', '%2Fbackoffice%2F..%2Fadmin']] as [string, string][])(
    'keeps a signed-in agent in the back-office: %s',
    async (label, value) => {
      const res = await app.inject({ method: 'GET', url: `/backoffice/connexion?retour=${value}`, headers: { cookie: agent.cookie } });
      expect(res.statusCode, label).toBe(303);
      expect(res.headers.location, label).toBe('/backoffice');
    },
  );

  it.each(ATTACKS)('never answers 500 on the back-office sign-in steps: %s', async (label, value) => {
    for (const url of ['/backoffice/connexion', '/backoffice/connexion/code', '/backoffice/connexion/activer-double-authentification']) {
      const res = await app.inject({ method: 'GET', url: `${url}?retour=${value}` });
      expect(res.statusCode, `${url} ${label}`).toBeLessThan(500);
      if (res.headers.location) expectOnSite(res.headers.location, `${url} ${label}`);
      expect(res.body, `${url} ${label}`).not.toContain('evil.example');
    }
  });

  it('sends a signed-out visitor to sign in with a safe return path, even from a crafted URL', async () => {
    const res = await app.inject({ method: 'GET', url: '/mes-demandes?x=%0d%0aSet-Cookie:x=y' });
    expect(res.statusCode).toBe(303);
    expectOnSite(res.headers.location, 'portal');
    const agentSide = await app.inject({ method: 'GET', url: '/backoffice/dossiers?x=%0d%0a' });
    expect(agentSide.statusCode).toBe(303);
    expectOnSite(agentSide.headers.location, 'back-office');
  });
});
