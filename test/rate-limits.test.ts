/**
 * Rate limits kept in the database (issue 13, finding 14): two applications on one database count
 * the same attempts; the per-account limit holds when the attacker rotates addresses behind a
 * trusted proxy, and ends with its window; an X-Forwarded-For from a peer that is not a listed
 * proxy is ignored; TRUST_PROXY=true is refused; counters are atomic and purged once expired.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../src/accounts/password.js';
import { ACCOUNT_RATES, RateLimiter } from '../src/accounts/rate-limit.js';
import { rateLimitRepository } from '../src/accounts/rate-limit-repository.js';
import { loadConfig } from '../src/config.js';
import { forgetConfiguration } from '../src/configuration/cache.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { VISITOR_COOKIE } from '../src/portal/session.js';
import { testApp } from './app.js';
import { createAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation } from './factories.js';
import { csrfOf } from './portal-session.js';

const PASSWORD = 'agent-mot-de-passe-2026';
const WRONG = 'pas le bon mot de passe';
const PROXY = '10.1.2.3';

let db: Db;
let appA: App;
let appB: App;
let behindProxy: App;
let organisationId: number;
let departmentId: number;
let passwordHash: string;

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  departmentId = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  forgetConfiguration();
  appA = await testApp(db);
  appB = await testApp(db);
  behindProxy = await testApp(db, { TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
  passwordHash = await hashPassword(PASSWORD);
}, 60_000);
afterAll(async () => {
  await appA?.close();
  await appB?.close();
  await behindProxy?.close();
  await db?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Visitor {
  cookie: string;
  csrf: string;
}

/** A browser's visitor cookie and the CSRF value its sign-in forms carry. */
async function visitor(target: App, page: string): Promise<Visitor> {
  const res = await target.inject({ method: 'GET', url: page, remoteAddress: '192.0.2.250' });
  const cookie = res.cookies.find((c) => c.name === VISITOR_COOKIE);
  if (!cookie) throw new Error('no visitor cookie');
  return { cookie: `${VISITOR_COOKIE}=${cookie.value}`, csrf: csrfOf(res.body) };
}

/** One password sign-in, from `from` (the TCP peer), with an X-Forwarded-For when given. */
async function attempt(target: App, form: string, who: Visitor, email: string, password: string, from: string, forwardedFor?: string) {
  const res = await target.inject({
    method: 'POST',
    url: form,
    remoteAddress: from,
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    payload: new URLSearchParams({ _csrf: who.csrf, email, password }).toString(),
  });
  return res.statusCode;
}

let counter = 0;
const newAgent = async () => (await createAgent(db, organisationId, { email: `agent-rl-${++counter}@ville.test`, roles: [{ departmentId, role: 'agent' }], passwordHash })).email;

describe('counters shared through the database', () => {
  it('counts an attempt made on one application against the limit of another on the same database', async () => {
    const email = `personne-${++counter}@exemple.fr`;
    const onA = await visitor(appA, '/connexion');
    const onB = await visitor(appB, '/connexion');
    const statuses: number[] = [];
    // Ten failures spread over both: five each, which an in-memory counter would have let through.
    for (let i = 0; i < 10; i++) statuses.push(i % 2 === 0 ? await attempt(appA, '/connexion', onA, email, WRONG, '198.51.100.10') : await attempt(appB, '/connexion', onB, email, WRONG, '198.51.100.10'));
    expect(statuses).toEqual(Array(10).fill(422));
    expect(await attempt(appA, '/connexion', onA, email, WRONG, '198.51.100.10')).toBe(429);
    expect(await attempt(appB, '/connexion', onB, email, WRONG, '198.51.100.10')).toBe(429);
  }, 60_000);

  it('counts concurrent attempts on one key exactly once each (atomic upsert)', async () => {
    const now = new Date().toISOString();
    const resetAt = new Date(Date.now() + 60_000).toISOString();
    const counts = await Promise.all(Array.from({ length: 25 }, () => rateLimitRepository.hit(db.kysely, 'concurrent-key', now, resetAt)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('stores keys hashed, starts a new window once one ends, and purges expired counters', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const limiter = new RateLimiter(db, () => now);
    const rule = { limit: 1, windowMs: 60_000 };
    expect((await limiter.hit([{ key: 'purge:old@exemple.fr', rule }])).allowed).toBe(true);
    expect(await limiter.hit([{ key: 'purge:old@exemple.fr', rule }])).toEqual({ allowed: false, retryAfterSeconds: 60 });
    const stored = createHash('sha256').update('purge:old@exemple.fr').digest('base64url');
    const keys = async () => (await db.kysely.selectFrom('rate_limit_counters').select('key').execute()).map((r) => r.key);
    expect((await keys()).some((k) => k.includes('exemple.fr'))).toBe(false);
    expect(await keys()).toContain(stored);
    now += 61_000;
    expect((await limiter.hit([{ key: 'purge:old@exemple.fr', rule }])).allowed).toBe(true);
    now += 120_000;
    await limiter.hit([{ key: 'purge:new', rule }]);
    expect(await keys()).not.toContain(stored);
    const rows = await db.kysely.selectFrom('rate_limit_counters').select('reset_at').execute();
    expect(rows.every((r) => Date.parse(r.reset_at) > now)).toBe(true);
  });
});

describe('the per-account limit', () => {
  it('holds on an agent account when the attacker changes address at every try, and ends with its window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T10:00:00Z'));
    const email = await newAgent();
    const who = await visitor(behindProxy, '/backoffice/connexion');
    const statuses: number[] = [];
    // Each try from another visitor address, as the trusted proxy reports it.
    for (let i = 0; i < ACCOUNT_RATES.signInPerAccount.limit; i++) statuses.push(await attempt(behindProxy, '/backoffice/connexion', who, email, WRONG, PROXY, `203.0.113.${i + 1}`));
    expect(statuses).toEqual(Array(ACCOUNT_RATES.signInPerAccount.limit).fill(422));
    // A fresh address, even with the right password: the account is limited, whatever the IP.
    expect(await attempt(behindProxy, '/backoffice/connexion', who, email, PASSWORD, PROXY, '203.0.113.200')).toBe(429);
    // Another account from those same addresses is not.
    expect(await attempt(behindProxy, '/backoffice/connexion', who, await newAgent(), WRONG, PROXY, '203.0.113.1')).toBe(422);
    // Bounded: the window ends, and the holder signs in.
    vi.setSystemTime(new Date(Date.now() + ACCOUNT_RATES.signInPerAccount.windowMs + 1_000));
    expect(await attempt(behindProxy, '/backoffice/connexion', who, email, PASSWORD, PROXY, '203.0.113.201')).toBe(303);
  }, 60_000);

  it('holds on a citizen address the same way, whether it has an account or not', async () => {
    const email = `inconnu-${++counter}@exemple.fr`;
    const who = await visitor(behindProxy, '/connexion');
    const statuses: number[] = [];
    for (let i = 0; i <= ACCOUNT_RATES.signInPerAccount.limit; i++) statuses.push(await attempt(behindProxy, '/connexion', who, email, WRONG, PROXY, `2001:db8::${(i + 1).toString(16)}`));
    expect(statuses).toEqual([...Array(ACCOUNT_RATES.signInPerAccount.limit).fill(422), 429]);
  }, 60_000);
});

describe('TRUST_PROXY', () => {
  it('ignores X-Forwarded-For from a peer that is not a listed proxy: forging it does not change the key', async () => {
    const email = await newAgent();
    const who = await visitor(behindProxy, '/backoffice/connexion');
    const statuses: number[] = [];
    // 198.51.100.66 is no listed proxy: its made-up addresses are ignored, it is counted as itself.
    for (let i = 0; i <= ACCOUNT_RATES.signInPerAddress.limit; i++) statuses.push(await attempt(behindProxy, '/backoffice/connexion', who, email, WRONG, '198.51.100.66', `203.0.113.${i + 50}`));
    expect(statuses).toEqual([...Array(ACCOUNT_RATES.signInPerAddress.limit).fill(422), 429]);
    // Without TRUST_PROXY at all, the header is ignored too.
    const other = await newAgent();
    const direct = await visitor(appA, '/backoffice/connexion');
    const plain: number[] = [];
    for (let i = 0; i <= ACCOUNT_RATES.signInPerAddress.limit; i++) plain.push(await attempt(appA, '/backoffice/connexion', direct, other, WRONG, '198.51.100.67', `203.0.113.${i + 80}`));
    expect(plain).toEqual([...Array(ACCOUNT_RATES.signInPerAddress.limit).fill(422), 429]);
  }, 60_000);

  it('reads the visitor address from a listed proxy only (the session records it)', async () => {
    const email = await newAgent();
    const who = await visitor(behindProxy, '/backoffice/connexion');
    expect(await attempt(behindProxy, '/backoffice/connexion', who, email, PASSWORD, PROXY, '203.0.113.99')).toBe(303);
    expect(await attempt(behindProxy, '/backoffice/connexion', who, email, PASSWORD, '198.51.100.68', '203.0.113.98')).toBe(303);
    const ips = await db.kysely
      .selectFrom('agent_sessions as s')
      .innerJoin('agents as a', 'a.id', 's.agent_id')
      .select('s.ip')
      .where('a.email', '=', email)
      .orderBy('s.created_at')
      .execute();
    expect(ips.map((r) => r.ip)).toEqual(['203.0.113.99', '198.51.100.68']);
  }, 30_000);

  it('refuses true, a hop count, a /0 range or a name at boot, with a message that says what to write', () => {
    for (const raw of ['true', '1', '2', '0.0.0.0/0', '::/0', 'proxy.example', '10.0.0.0/33', '127.0.0.1,true']) {
      expect(() => loadConfig({ TRUST_PROXY: raw }), raw).toThrow(/TRUST_PROXY=.*listez les adresses de vos proxies inverses/);
    }
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,2001:db8::/32' }).TRUST_PROXY).toEqual(['127.0.0.1', '10.0.0.0/8', '2001:db8::/32']);
    expect(loadConfig({ TRUST_PROXY: '' }).TRUST_PROXY).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toEqual([]);
  });
});
