/**
 * Session rotation and lifetimes (issue 13, finding 15): the token an agent held before the TOTP
 * code is worthless once the code is given; an agent session ends 12 hours after it opened however
 * active, a citizen session after 2 hours idle or 30 days in any case. Time moves through the
 * clock the session code reads (Date), faked here.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../src/accounts/password.js';
import { currentCode } from '../src/backoffice/auth/totp.js';
import { AGENT_COOKIE, AGENT_IDLE_LIMIT_MS, AGENT_SESSION_MAX_AGE_MS } from '../src/backoffice/session.js';
import { forgetConfiguration } from '../src/configuration/cache.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { CITIZEN_SESSION_MAX_AGE_MS, IDLE_LIMIT_MS } from '../src/portal/session.js';
import { testApp } from './app.js';
import { createAgent, signInAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation } from './factories.js';
import { csrfOf, signedInCitizen } from './portal-session.js';

const PASSWORD = 'agent-mot-de-passe-2026';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const MINUTE = 60_000;

let db: Db;
let app: App;
let organisationId: number;
let departmentId: number;

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  departmentId = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  forgetConfiguration();
  app = await testApp(db);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the faked clock forward. */
const advance = (ms: number) => vi.setSystemTime(new Date(Date.now() + ms));

const get = (url: string, cookie: string) => app.inject({ method: 'GET', url, headers: { cookie }, remoteAddress: '198.51.100.20' });

/** A cookie header with the value the response set for `name`. */
function cookieSet(res: Awaited<ReturnType<App['inject']>>, name: string): string {
  const set = res.cookies.find((c) => c.name === name);
  if (!set) throw new Error(`no ${name} cookie set`);
  return `${name}=${set.value}`;
}

describe('agent session rotation at the second factor', () => {
  it('issues a new token once the TOTP code is given, and refuses the pre-TOTP one from then on', async () => {
    const { agentId, email } = await createAgent(db, organisationId, { roles: [{ departmentId, role: 'agent' }], passwordHash: await hashPassword(PASSWORD) });
    await db.kysely.updateTable('agents').set({ totp_secret: SECRET, totp_enabled_at: new Date().toISOString() }).where('id', '=', agentId).execute();

    const form = await get('/backoffice/connexion', '');
    const visitor = cookieSet(form, 'guichet_visiteur');
    const signedIn = await app.inject({
      method: 'POST',
      url: '/backoffice/connexion',
      remoteAddress: '198.51.100.20',
      headers: { cookie: visitor, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(form.body), email, password: PASSWORD }).toString(),
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/backoffice/connexion/code');
    const preTotp = cookieSet(signedIn, AGENT_COOKIE);

    const codePage = await get('/backoffice/connexion/code', `${visitor}; ${preTotp}`);
    expect(codePage.statusCode).toBe(200);
    const coded = await app.inject({
      method: 'POST',
      url: '/backoffice/connexion/code',
      remoteAddress: '198.51.100.20',
      headers: { cookie: `${visitor}; ${preTotp}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(codePage.body), code: currentCode(SECRET, Date.now()) }).toString(),
    });
    expect(coded.statusCode).toBe(303);
    const ready = cookieSet(coded, AGENT_COOKIE);
    expect(ready).not.toBe(preTotp);

    // The new token opens the back-office; the old one opens nothing, not even the code page.
    expect((await get('/backoffice/mon-compte', ready)).statusCode).toBe(200);
    const replayed = await get('/backoffice/mon-compte', preTotp);
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toMatch(/^\/backoffice\/connexion\?retour=/);
    const codeAgain = await get('/backoffice/connexion/code', preTotp);
    expect(codeAgain.statusCode).toBe(303);
    expect(codeAgain.headers.location).toBe('/backoffice/connexion');
    const sessions = await db.kysely.selectFrom('agent_sessions').select(['stage', 'revoked_at']).where('agent_id', '=', agentId).orderBy('created_at').execute();
    expect(sessions.map((s) => [s.stage, s.revoked_at !== null])).toEqual([
      ['second_factor', true],
      ['ready', false],
    ]);
  }, 30_000);
});

describe('agent session lifetime', () => {
  it('ends an agent session 12 hours after it opened, even when used all along', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T07:00:00Z'));
    expect(AGENT_SESSION_MAX_AGE_MS).toBe(12 * 3_600_000);
    const { agentId } = await createAgent(db, organisationId, { roles: [{ departmentId, role: 'agent' }] });
    const { cookie } = await signInAgent(db, agentId, app.signCookie.bind(app));
    // Used every 50 minutes, so the idle limit never strikes.
    for (let elapsed = 0; elapsed + 50 * MINUTE < AGENT_SESSION_MAX_AGE_MS; elapsed += 50 * MINUTE) {
      advance(50 * MINUTE);
      expect((await get('/backoffice/mon-compte', cookie)).statusCode).toBe(200);
    }
    vi.setSystemTime(new Date(Date.parse('2026-03-02T07:00:00Z') + AGENT_SESSION_MAX_AGE_MS + MINUTE));
    const expired = await get('/backoffice/mon-compte', cookie);
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/backoffice/connexion?retour=%2Fbackoffice%2Fmon-compte');
  }, 60_000);

  it('keeps the 2-hour idle limit of agents', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-03T07:00:00Z'));
    const { agentId } = await createAgent(db, organisationId, { roles: [{ departmentId, role: 'agent' }] });
    const { cookie } = await signInAgent(db, agentId, app.signCookie.bind(app));
    advance(2 * MINUTE);
    expect((await get('/backoffice/mon-compte', cookie)).statusCode).toBe(200);
    advance(AGENT_IDLE_LIMIT_MS + MINUTE);
    expect((await get('/backoffice/mon-compte', cookie)).statusCode).toBe(303);
  });
});

describe('citizen session lifetime', () => {
  it('ends a citizen session idle for more than 2 hours', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-04T07:00:00Z'));
    const citizen = await signedInCitizen(db, organisationId);
    advance(2 * MINUTE);
    expect((await get('/mon-compte/connexions', citizen.cookie)).statusCode).toBe(200);
    advance(IDLE_LIMIT_MS - MINUTE);
    expect((await get('/mon-compte/connexions', citizen.cookie)).statusCode).toBe(200);
    advance(IDLE_LIMIT_MS + MINUTE);
    const expired = await get('/mon-compte/connexions', citizen.cookie);
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/connexion?retour=%2Fmon-compte%2Fconnexions');
  });

  it('ends a citizen session 30 days after it opened, even when used all along', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const opened = Date.parse('2026-04-01T07:00:00Z');
    vi.setSystemTime(new Date(opened));
    expect(CITIZEN_SESSION_MAX_AGE_MS).toBe(30 * 86_400_000);
    const citizen = await signedInCitizen(db, organisationId);
    // Visited every 110 minutes for 30 days (the sign-in page sends a signed-in visitor on).
    advance(2 * MINUTE);
    expect((await get('/connexion', citizen.cookie)).statusCode).toBe(303);
    for (let at = opened + 112 * MINUTE; at < opened + CITIZEN_SESSION_MAX_AGE_MS; at += 110 * MINUTE) {
      vi.setSystemTime(new Date(at));
      const res = await get('/connexion', citizen.cookie);
      if (res.statusCode !== 303) throw new Error(`signed out after ${(at - opened) / 3_600_000} h`);
    }
    vi.setSystemTime(new Date(opened + CITIZEN_SESSION_MAX_AGE_MS - MINUTE));
    expect((await get('/mon-compte/connexions', citizen.cookie)).statusCode).toBe(200);
    vi.setSystemTime(new Date(opened + CITIZEN_SESSION_MAX_AGE_MS + MINUTE));
    const expired = await get('/mon-compte/connexions', citizen.cookie);
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/connexion?retour=%2Fmon-compte%2Fconnexions');
  }, 120_000);
});
