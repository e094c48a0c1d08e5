/**
 * The request log of a real server (the process logger of `guichet serve`, its output captured)
 * keeps no secret: no sign-up or reset `?jeton=`, no tracking code, no agent search term, no
 * Authorization or Cookie header — while still saying which page was asked for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { AttachmentStorage } from '../src/attachments/storage.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { DEMO_CITIZEN } from '../src/demo/citizen-account.js';
import type { App } from '../src/http/context.js';
import { MASK, redactUrl } from '../src/http/log-redaction.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { createLogger } from '../src/server.js';
import { createToken } from '../src/tokens/service.js';
import { signedInAgent } from './backoffice-session.js';
import { csrfOf } from './portal-session.js';
import { freshDb } from './db.js';

let db: Db;
let app: App;
let token: string;
let receptionId: number;
let organisationId: number;
const lines: string[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-logs-'));

beforeAll(async () => {
  db = await freshDb();
  const demo = await seedDemoCommune(db);
  receptionId = demo.departments['accueil']!;
  organisationId = demo.organisationId;
  token = (await createToken(db.kysely, demo.organisationId, 'tests', ['cases:read', 'cases:write'])).token;
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  app = await buildApp({ db, config, storage: new AttachmentStorage(path.join(dataDir, 'attachments')) }, { loggerInstance: createLogger(config, sink) });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const runJobs = () => runDueJobs({ db, config: app.ctx.config, log: pino({ level: 'silent' }) }, new JobRegistry(applicationJobTypes()));

/** The link with `?jeton=` of the last account mail sent to `recipient`. */
async function accountLink(recipient: string): Promise<string> {
  await runJobs();
  const mail = await db.kysely.selectFrom('outgoing_mails').select('body_text').where('recipient', '=', recipient).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return /https?:\/\/[^/\s]+(\/[^\s]*\?jeton=[A-Za-z0-9_-]+)/.exec(mail.body_text)![1]!;
}

async function portalForm(url: string): Promise<{ cookie: string; csrf: string }> {
  const form = await app.inject({ method: 'GET', url });
  const visitor = form.cookies.find((c) => c.name === 'guichet_visiteur')!.value;
  return { cookie: `guichet_visiteur=${visitor}`, csrf: csrfOf(form.body) };
}

describe('request logs', () => {
  it('keep the pages asked for but none of their tokens, tracking codes or search terms', { timeout: 60_000 }, async () => {
    const secrets: string[] = [];

    // Sign-up: the confirmation link opens a session.
    const signUp = await portalForm('/inscription');
    const email = 'lea.petit@example.fr';
    const signedUp = await app.inject({
      method: 'POST',
      url: '/inscription',
      headers: { cookie: signUp.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: signUp.csrf, email, password: 'une phrase de passe assez longue', firstNames: 'Léa', lastName: 'Petit', consent: 'oui' }).toString(),
    });
    expect(signedUp.statusCode).toBe(200);
    const confirm = await accountLink(email);
    secrets.push(new URL(confirm, 'http://x').searchParams.get('jeton')!);
    // Opening the link shows a button; the POST confirms (the token travels in its body).
    const opened = await app.inject({ method: 'GET', url: confirm, headers: { cookie: signUp.cookie } });
    expect(opened.statusCode).toBe(200);
    const jeton = new URL(confirm, 'http://x').searchParams.get('jeton')!;
    const confirmed = await app.inject({
      method: 'POST',
      url: '/inscription/confirmer',
      headers: { cookie: signUp.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(opened.body), jeton }).toString(),
    });
    expect(confirmed.statusCode).toBeLessThan(400);

    // Password reset: the link lets whoever holds it choose the password.
    const forgot = await portalForm('/mot-de-passe-oublie');
    const asked = await app.inject({
      method: 'POST',
      url: '/mot-de-passe-oublie',
      headers: { cookie: forgot.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: forgot.csrf, email: DEMO_CITIZEN.email }).toString(),
    });
    expect(asked.statusCode).toBe(200);
    const reset = await accountLink(DEMO_CITIZEN.email);
    secrets.push(new URL(reset, 'http://x').searchParams.get('jeton')!);
    expect((await app.inject({ method: 'GET', url: reset })).statusCode).toBe(200);

    // Tracking: the code is the key to the case, in the query, the path and the JSON API.
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${token}`, cookie: 'guichet_session=cookie-secret-value' },
      payload: { procedure: 'contact', citizen: { civility: 'M', firstNames: 'Paul', lastName: 'Roux', email: 'paul.roux@example.fr' }, data: { sujet: 'information', objet: 'Horaires', message: 'Quels horaires ?', reponse: 'courriel' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const code = created.json().trackingCode as string;
    secrets.push(code, token, 'cookie-secret-value');
    expect((await app.inject({ method: 'GET', url: `/suivi?code=${code}` })).statusCode).toBe(303);
    expect((await app.inject({ method: 'GET', url: `/suivi/${code}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/suivi/${code}/accuse-reception.pdf` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/v1/tracking/${code}` })).statusCode).toBe(200);

    // An agent's searches: names and phone numbers of the people looked for.
    const agent = await signedInAgent(db, organisationId, app.signCookie.bind(app), { roles: [{ departmentId: receptionId, role: 'agent' }] });
    expect((await app.inject({ method: 'GET', url: '/backoffice/usagers/recherche?q=Lef%C3%A8vre', headers: { cookie: agent.cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/backoffice/dossiers?q=Roux&page=2', headers: { cookie: agent.cookie } })).statusCode).toBe(200);
    secrets.push('Lef%C3%A8vre', 'Lefèvre', 'Roux');

    const log = lines.join('\n');
    // The log did record these requests…
    expect(log).toContain('/inscription/confirmer?jeton=[masqué]');
    expect(log).toContain('/mot-de-passe/nouveau?jeton=[masqué]');
    expect(log).toContain('/suivi/[masqué]/accuse-reception.pdf');
    expect(log).toContain('/api/v1/tracking/[masqué]');
    expect(log).toContain('/backoffice/usagers/recherche?q=[masqué]');
    expect(log).toContain('/backoffice/dossiers?q=[masqué]&page=2');
    // …but none of what they carried.
    for (const secret of secrets) expect(log, secret).not.toContain(secret);
    expect(log).not.toMatch(/authorization|cookie/i);
  });
});

describe('redactUrl', () => {
  it('masks every query value except the harmless ones, and the key segments of paths', () => {
    expect(redactUrl('/inscription/confirmer?jeton=abc')).toBe(`/inscription/confirmer?jeton=${MASK}`);
    expect(redactUrl('/x?q=Dupont&recherche=a&suivi=b&token=c&code=d&page=3&flag')).toBe(`/x?q=${MASK}&recherche=${MASK}&suivi=${MASK}&token=${MASK}&code=${MASK}&page=3&flag`);
    expect(redactUrl('/suivi/ABCD-EFGH-JKMN')).toBe(`/suivi/${MASK}`);
    expect(redactUrl('/open311/v2/tokens/abc123.json?api_key=k')).toBe(`/open311/v2/tokens/${MASK}.json?api_key=${MASK}`);
    expect(redactUrl('/suivi?code=ABCD#frag')).toBe(`/suivi?code=${MASK}`);
    expect(redactUrl('/demarches?%ZZ=1')).toBe(`/demarches?%ZZ=${MASK}`);
  });
});
