import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseImapUrl } from '../src/channels/email/imap/account.js';
import type { ImapPoller } from '../src/channels/email/imap/poller.js';
import { imapCheckpointRepository } from '../src/channels/email/imap/repository.js';
import { startImapPoller } from '../src/channels/email/imap/service.js';
import { imapSetting } from '../src/channels/email/imap/status.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { freshDb } from './db.js';
import { DOVECOT_CAPABILITIES, dovecotBinary, startDovecot, type Dovecot } from './dovecot.js';

/**
 * The IMAP poller against a real Dovecot started by the test: new mail becomes a durable receipt,
 * is moved to the processed folder, and the checkpoint follows; IDLE, polling without IDLE, MOVE
 * emulated by COPY, UIDVALIDITY changes, a server restart and a wrong password.
 */
const binary = dovecotBinary();
const log = pino({ level: process.env.IMAP_TEST_LOG ?? 'silent' });
const PROCESSED = 'Guichet/Traités';

let db: Db;
let organisationId: number;
let dataDir: string;
const pollers: ImapPoller[] = [];
const servers: Dovecot[] = [];

beforeAll(async () => {
  if (!binary) return;
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-imap-'));
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  await Promise.all(servers.splice(0).map((s) => s.destroy()));
});
afterAll(async () => {
  await db?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function server(capabilities?: string[]): Promise<Dovecot> {
  const started = await startDovecot(binary!, capabilities ? { capabilities } : {});
  servers.push(started);
  return started;
}

function configFor(url: string) {
  return loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', IMAP_URL: url, IMAP_PROCESSED_FOLDER: PROCESSED });
}

function poller(url: string, options: { pollSeconds?: number } = {}): ImapPoller {
  const config = configFor(url);
  const started = startImapPoller({ db, config, log }, { pollSeconds: options.pollSeconds ?? 3600, backoff: { initialMs: 100, maxMs: 1_000 }, leaseMs: 3_000 })!;
  pollers.push(started);
  return started;
}

let counter = 0;
function mail(subject: string, messageId = `<imap-${Date.now()}-${++counter}@exemple.fr>`): { raw: string; messageId: string } {
  const raw = [
    'From: Jeanne Martin <jeanne.martin@exemple.fr>',
    'To: mairie@ville-de-demo.fr',
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Bonjour, le lampadaire de la rue des Lilas est éteint depuis trois jours.',
    '',
  ].join('\r\n');
  return { raw, messageId };
}

async function receipts(messageId: string) {
  return db.kysely.selectFrom('channel_inbound').selectAll().where('channel', '=', 'email').where('external_id', '=', messageId).execute();
}

async function jobsFor(inboundId: number) {
  const jobs = await db.kysely.selectFrom('jobs').select(['type', 'payload']).where('type', '=', 'channel.email.process').execute();
  return jobs.filter((j) => (JSON.parse(String(j.payload)) as { inboundId: number }).inboundId === Number(inboundId));
}

/** The processed folder's path as the server spells it (Dovecot's Maildir separator is « . »). */
async function processedPath(imap: Dovecot): Promise<string> {
  const client = await imap.client();
  try {
    const box = (await client.list()).find((b) => b.name === 'Traités');
    if (!box) throw new Error('processed folder missing');
    return box.path;
  } finally {
    await client.logout();
  }
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

describe.skipIf(!binary)('IMAP mailbox poller (real Dovecot)', { timeout: 60_000 }, () => {
  it('receives a new message durably, moves it to the processed folder, then advances the checkpoint', async () => {
    const imap = await server();
    const first = mail('Lampadaire éteint');
    const second = mail('Trottoir abîmé');
    await imap.append(first.raw);
    await imap.append(second.raw);
    const p = poller(imap.url());
    await until(async () => (await receipts(second.messageId)).length === 1 && (await imap.uids('INBOX')).length === 0, 'both messages processed');

    for (const { messageId } of [first, second]) {
      const [receipt] = await receipts(messageId);
      expect(receipt).toMatchObject({ organisation_id: organisationId, source: 'imap', sender: 'jeanne.martin@exemple.fr', status: 'pending' });
      expect(JSON.parse(String(receipt!.payload))).toMatchObject({ source: { kind: 'imap', mailbox: `mairie@127.0.0.1:${imap.port}/INBOX` } });
      // The receipt and its processing job committed together before the message left the mailbox.
      expect(await jobsFor(receipt!.id)).toHaveLength(1);
    }
    expect(await imap.uids('INBOX')).toEqual([]);
    expect(await imap.uids(await processedPath(imap))).toHaveLength(2);
    const checkpoint = await imapCheckpointRepository.find(db.kysely, organisationId, `mairie@127.0.0.1:${imap.port}/INBOX`);
    expect(checkpoint).toMatchObject({ lastUid: 2, lastError: null });
    expect(checkpoint!.uidValidity).toBeGreaterThan(0);
    expect(checkpoint!.lastSuccessAt).not.toBeNull();
    expect(p.status()).toMatchObject({ connected: true, mode: 'idle', sessions: 1, processed: 2 });
    // The health page (another process) reads the same state from the checkpoint row.
    const setting = await imapSetting({ db: db.kysely, config: configFor(imap.url()), organisationId });
    expect(setting).toMatchObject({ label: 'Relève IMAP', state: 'active' });
    expect(setting.detail).toMatch(/Dernière relève réussie le .* dernier message traité : UID 2\./);
    expect(setting.detail).not.toContain(imap.password);

    // The processing job makes a case of each, on channel « email », as for mail received by SMTP.
    await runDueJobs({ db, config: configFor(imap.url()), log }, new JobRegistry(applicationJobTypes()));
    for (const { messageId } of [first, second]) {
      const [receipt] = await receipts(messageId);
      expect(receipt).toMatchObject({ status: 'created' });
      const created = await db.kysely.selectFrom('cases').select(['channel']).where('id', '=', receipt!.case_id!).executeTakeFirstOrThrow();
      expect(created.channel).toBe('email');
    }
  });

  it('picks up a message arriving while it IDLEs, without waiting for the next poll', async () => {
    const imap = await server();
    const p = poller(imap.url(), { pollSeconds: 3600 });
    await until(() => p.status().connected, 'the session to open');
    await new Promise((r) => setTimeout(r, 1_500)); // well into IDLE
    const arriving = mail('Arrivé pendant IDLE');
    await imap.append(arriving.raw);
    const waited = await until(async () => (await receipts(arriving.messageId)).length === 1, 'the IDLE notification', 10_000);
    expect(waited).toBeLessThan(10_000); // the poll interval is an hour
    await until(async () => (await imap.uids('INBOX')).length === 0, 'the move');
    expect(p.status().mode).toBe('idle');
  });

  it('polls a server without IDLE and moves by COPY and delete on a server without MOVE', async () => {
    const imap = await server(DOVECOT_CAPABILITIES.filter((c) => c !== 'IDLE' && c !== 'MOVE'));
    const p = poller(imap.url(), { pollSeconds: 1 });
    await until(() => p.status().connected, 'the session to open');
    expect(p.status().mode).toBe('poll');
    const polled = mail('Relevé sans IDLE');
    await imap.append(polled.raw);
    await until(async () => (await receipts(polled.messageId)).length === 1 && (await imap.uids('INBOX')).length === 0, 'the poll');
    expect(await imap.uids(await processedPath(imap))).toHaveLength(1);
  });

  it('receives the same Message-ID twice as one receipt, and moves both copies', async () => {
    const imap = await server();
    const twice = mail('Envoyé deux fois');
    await imap.append(twice.raw);
    await imap.append(twice.raw);
    poller(imap.url());
    await until(async () => (await imap.uids('INBOX')).length === 0, 'both copies moved');
    expect(await receipts(twice.messageId)).toHaveLength(1);
    expect(await imap.uids(await processedPath(imap))).toHaveLength(2);
  });

  it('starts over when the folder’s UIDVALIDITY changes, without duplicating what it already received', async () => {
    const imap = await server();
    const mailbox = `mairie@127.0.0.1:${imap.port}/Accueil`;
    const before = mail('Avant la recréation');
    await imap.append(before.raw, 'Accueil');
    let p = poller(imap.url('Accueil'));
    await until(async () => (await imap.uids('Accueil')).length === 0, 'the first message moved');
    const old = await imapCheckpointRepository.find(db.kysely, organisationId, mailbox);
    expect(old).toMatchObject({ lastUid: 1 });
    await p.stop();

    // The folder is deleted and re-created (a server migration does the same): UIDs start at 1 again.
    const client = await imap.client();
    await client.mailboxDelete('Accueil');
    await client.mailboxCreate('Accueil');
    await client.logout();
    const after = mail('Après la recréation');
    await imap.append(before.raw, 'Accueil'); // restored from a backup: already received
    await imap.append(after.raw, 'Accueil');
    p = poller(imap.url('Accueil'));
    await until(async () => (await receipts(after.messageId)).length === 1 && (await imap.uids('Accueil')).length === 0, 'the new folder read');

    const current = await imapCheckpointRepository.find(db.kysely, organisationId, mailbox);
    expect(current!.uidValidity).not.toBe(old!.uidValidity);
    expect(current!.lastUid).toBe(2);
    expect(await receipts(before.messageId)).toHaveLength(1);
  });

  it('reconnects with a fresh client after the server restarts, and records the outage', async () => {
    const imap = await server();
    const mailbox = `mairie@127.0.0.1:${imap.port}/INBOX`;
    const p = poller(imap.url());
    await until(() => p.status().connected, 'the session to open');
    // The whole server goes, its IMAP processes with it (test/dovecot.ts): the session drops at once.
    await imap.stop();
    await until(async () => (await imapCheckpointRepository.find(db.kysely, organisationId, mailbox))?.lastError != null, 'the error recorded');
    expect(p.status().connected).toBe(false);
    await imap.start();
    const later = mail('Après le redémarrage');
    await imap.append(later.raw);
    await until(async () => (await receipts(later.messageId)).length === 1 && (await imap.uids('INBOX')).length === 0, 'the message after the restart');
    expect(p.status().sessions).toBeGreaterThanOrEqual(2);
    const checkpoint = await imapCheckpointRepository.find(db.kysely, organisationId, mailbox);
    expect(Date.parse(checkpoint!.lastSuccessAt!)).toBeGreaterThan(Date.parse(checkpoint!.lastErrorAt!));
  });

  it('lets one worker process read the mailbox while another stands by, and hands over when it stops', async () => {
    const imap = await server();
    const mailbox = `mairie@127.0.0.1:${imap.port}/INBOX`;
    const active = poller(imap.url());
    await until(() => active.status().connected, 'the first poller to connect');
    const standby = poller(imap.url());
    await until(() => standby.status().standby, 'the second poller to stand by');
    expect(standby.status()).toMatchObject({ connected: false, sessions: 0 });
    const checkpoint = await imapCheckpointRepository.find(db.kysely, organisationId, mailbox);
    expect(checkpoint!.leasedBy).toMatch(new RegExp(`:${process.pid}:`));

    await active.stop();
    await until(() => standby.status().connected, 'the standby poller to take over');
    const handedOver = mail('Après la relève');
    await imap.append(handedOver.raw);
    await until(async () => (await receipts(handedOver.messageId)).length === 1 && (await imap.uids('INBOX')).length === 0, 'the message read by the second poller');
    expect(standby.status()).toMatchObject({ standby: false, sessions: 1, processed: 1 });
    expect(active.status().processed).toBe(0);
  });

  it('records a refused login as the mailbox’s last error and keeps retrying, without crashing', async () => {
    const imap = await server();
    const wrong = `imap://mairie:mauvais@127.0.0.1:${imap.port}/INBOX`;
    const p = poller(wrong);
    const mailbox = `mairie@127.0.0.1:${imap.port}/INBOX`;
    await until(async () => (await imapCheckpointRepository.find(db.kysely, organisationId, mailbox))?.lastError != null, 'the error recorded');
    const checkpoint = await imapCheckpointRepository.find(db.kysely, organisationId, mailbox);
    expect(checkpoint!.lastError).toMatch(/Authentication failed|AUTHENTICATIONFAILED/i);
    expect(checkpoint!.lastSuccessAt).toBeNull();
    const setting = await imapSetting({ db: db.kysely, config: configFor(wrong), organisationId });
    expect(setting).toMatchObject({ state: 'misconfigured', detail: expect.stringMatching(/En échec depuis le .*aucune relève réussie.*Authentication failed/) });
    expect(setting.detail).not.toContain('mauvais');
    expect(await imapSetting({ db: db.kysely, config: loadConfig({ DATA_DIR: dataDir }), organisationId })).toEqual({ label: 'Relève IMAP', state: 'off', detail: 'Arrêtée (IMAP_URL vide).' });
    await until(() => p.status().sessions >= 2, 'a retry after the back-off');
    expect(p.status().connected).toBe(false);
  });
});

describe('IMAP_URL', () => {
  it('reads the account, the folder and the default ports; the key never holds the password', () => {
    expect(parseImapUrl('imaps://mairie%40ville.fr:s%C3%A9cret@imap.ville.fr/Courrier%20entrant')).toEqual({
      host: 'imap.ville.fr',
      port: 993,
      secure: true,
      user: 'mairie@ville.fr',
      password: 'sécret',
      folder: 'Courrier entrant',
      key: 'mairie@ville.fr@imap.ville.fr:993/Courrier entrant',
    });
    expect(parseImapUrl('imap://u:p@127.0.0.1:1143')).toMatchObject({ port: 1143, secure: false, folder: 'INBOX' });
  });

  it('refuses a URL without a user or with another protocol', () => {
    expect(() => parseImapUrl('imap://imap.ville.fr/INBOX')).toThrow(/utilisateur/);
    expect(() => parseImapUrl('https://u:p@imap.ville.fr/')).toThrow(/protocole/);
    expect(() => loadConfig({ IMAP_URL: 'pop3://u:p@h/' })).toThrow(/IMAP_URL/);
  });
});
