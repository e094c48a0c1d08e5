/**
 * Without SMTP_URL, messages are recorded and the demo shows them on /dev/boite-mail; the page
 * exists only when DEV_MAILBOX=true, no mail server is configured and the listener is loopback.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import type { App } from '../src/http/context.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { devMailboxDecision, isLoopbackHost } from '../src/messages/dev-mailbox.js';
import { createToken } from '../src/tokens/service.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';

let db: Db;
let app: App;
let token: string;

beforeAll(async () => {
  db = await freshDb();
  const demo = await seedDemoCommune(db);
  token = (await createToken(db.kysely, demo.organisationId, 'tests', ['cases:read', 'cases:write'])).token;
  app = await testApp(db, { DEV_MAILBOX: 'true' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers,
    payload: { procedure: 'contact', citizen: { civility: 'M', firstNames: 'Paul', lastName: 'Roux', email: 'paul.roux@example.fr' }, data: { sujet: 'information', objet: 'Horaires', message: 'Quels sont les horaires de la mairie ?', reponse: 'courriel' } },
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  const reference = created.json().reference;
  const available = (await app.inject({ method: 'GET', url: `/api/v1/cases/${reference}/transitions`, headers })).json().transitions as { name: string; inputs: { name: string }[] }[];
  const answer = available.find((t) => t.inputs.some((i) => i.name === 'reponse'))!;
  const answered = await app.inject({ method: 'POST', url: `/api/v1/cases/${reference}/transitions/${answer.name}`, headers, payload: { inputs: { reponse: 'La mairie est ouverte de 8 h 30 à 17 h 30.' } } });
  if (answered.statusCode !== 200) throw new Error(answered.body);
  await runDueJobs({ db, config: app.ctx.config, log: pino({ level: 'silent' }) }, new JobRegistry(applicationJobTypes()));
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('development mailbox', () => {
  it('shows the recorded messages, marked as recorded rather than sent', async () => {
    const res = await app.inject({ method: 'GET', url: '/dev/boite-mail' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('La mairie est ouverte de 8 h 30 à 17 h 30.');
    expect(res.body).toContain('paul.roux@example.fr');
    const statuses = await db.kysely.selectFrom('messages').select('status').execute();
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((m) => m.status === 'recorded')).toBe(true);
  });

  it('does not exist without DEV_MAILBOX=true, nor when a mail server is configured', async () => {
    for (const env of [{}, { DEV_MAILBOX: 'true', SMTP_URL: 'smtp://127.0.0.1:2525' }] as Record<string, string>[]) {
      const other = await testApp(db, env);
      expect((await other.inject({ method: 'GET', url: '/dev/boite-mail' })).statusCode).toBe(404);
      await other.close();
    }
  });

  // The app of this file listens on the default HOST, 127.0.0.1: the tests above show the page there.
  it('is not served when the listener is reachable from the network, and is on ::1', { timeout: 90_000 }, async () => {
    // The attack: the demo started on a public interface (or behind a proxy), a stranger reads the reset links.
    for (const env of [{ HOST: '0.0.0.0' }, { HOST: '127.0.0.1', TRUST_PROXY: '10.0.0.0/8' }] as Record<string, string>[]) {
      const other = await testApp(db, { DEV_MAILBOX: 'true', ...env });
      const res = await other.inject({ method: 'GET', url: '/dev/boite-mail' });
      expect(res.statusCode, JSON.stringify(env)).toBe(404);
      expect(res.body).not.toContain('La mairie est ouverte');
      await other.close();
    }
    const local = await testApp(db, { DEV_MAILBOX: 'true', HOST: '::1' });
    expect((await local.inject({ method: 'GET', url: '/dev/boite-mail' })).statusCode).toBe(200);
    await local.close();
  });

  it('says why it is off when DEV_MAILBOX asked for it', () => {
    const base = { DEV_MAILBOX: 'true' as const, SMTP_URL: '', TRUST_PROXY: [] as string[] };
    expect(devMailboxDecision({ ...base, HOST: '0.0.0.0' })).toEqual({ served: false, refusal: expect.stringMatching(/écoute sur 0\.0\.0\.0/) });
    for (const host of ['::', '192.168.1.20', 'guichet.example.fr']) expect(devMailboxDecision({ ...base, HOST: host }).served, host).toBe(false);
    expect(devMailboxDecision({ ...base, HOST: '127.0.0.1', TRUST_PROXY: ['10.0.0.1'] }).refusal).toMatch(/proxy inverse/);
    expect(devMailboxDecision({ ...base, HOST: '127.0.0.1' })).toEqual({ served: true, refusal: null });
    expect(devMailboxDecision({ ...base, DEV_MAILBOX: 'false', HOST: '0.0.0.0' })).toEqual({ served: false, refusal: null });
    expect(['127.0.0.1', '127.8.9.1', '::1', '[::1]', '::ffff:127.0.0.1', 'LOCALHOST'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.example.fr', ''].some(isLoopbackHost)).toBe(false);
  });

  it('lists account mails too, newest first, so the demo’s sign-up works without a mail server', async () => {
    const form = await app.inject({ method: 'GET', url: '/inscription' });
    const visitor = form.cookies.find((c) => c.name === 'guichet_visiteur')!.value;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const signUp = await app.inject({
      method: 'POST',
      url: '/inscription',
      headers: { cookie: `guichet_visiteur=${visitor}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, email: 'lea.petit@example.fr', password: 'une phrase de passe assez longue', firstNames: 'Léa', lastName: 'Petit', consent: 'oui' }).toString(),
    });
    expect(signUp.statusCode).toBe(200);
    await runDueJobs({ db, config: app.ctx.config, log: pino({ level: 'silent' }) }, new JobRegistry(applicationJobTypes()));
    const mail = await db.kysely.selectFrom('outgoing_mails').selectAll().where('recipient', '=', 'lea.petit@example.fr').executeTakeFirstOrThrow();
    expect(mail.status).toBe('queued');

    const res = await app.inject({ method: 'GET', url: '/dev/boite-mail' });
    expect(res.statusCode).toBe(200);
    const account = res.body.indexOf('Confirmez votre adresse électronique');
    const caseMessage = res.body.indexOf('paul.roux@example.fr');
    expect(account).toBeGreaterThan(0);
    expect(account).toBeLessThan(caseMessage);
    expect(res.body).toContain('Courriel de compte usager');
    expect(res.body).toContain('aucun (compte usager)');
    const link = /http:\/\/[^/\s]+(\/inscription\/confirmer\?jeton=[A-Za-z0-9_-]+)/.exec(res.body);
    expect(link).not.toBeNull();
    // The link opens a confirmation button; its POST confirms the address (and signs no one in).
    const opened = await app.inject({ method: 'GET', url: link![1]!, headers: { cookie: `guichet_visiteur=${visitor}` } });
    expect(opened.statusCode).toBe(200);
    const confirmed = await app.inject({
      method: 'POST',
      url: '/inscription/confirmer',
      headers: { cookie: `guichet_visiteur=${visitor}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, jeton: new URL(link![1]!, 'http://x').searchParams.get('jeton')! }).toString(),
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Votre adresse est confirmée');
  });

  it.skipIf(!browserAvailable)('passes axe-core (WCAG 2.1 A/AA)', async () => {
    const browser = await launchBrowser();
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const page = await browser.newPage();
      await page.goto(`${base}/dev/boite-mail`);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
