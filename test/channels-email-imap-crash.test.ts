import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapCheckpointRepository } from '../src/channels/email/imap/repository.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { dovecotBinary, startDovecot, type Dovecot } from './dovecot.js';

/**
 * A process killed during IMAP processing loses nothing: the poller runs in a child process that
 * is killed with SIGKILL once the message's receipt is durable but before the message is moved.
 * The message is still in the mailbox; a new process fetches it again, the receipt recognises its
 * Message-ID, and the message is moved: one receipt, one case, nothing left behind.
 */
const binary = dovecotBinary();
const root = path.resolve(import.meta.dirname, '..');

let imap: Dovecot;
let db: Db;
let organisationId: number;
let dir: string;
let childEnv: Record<string, string>;
let dropSchema: (() => Promise<void>) | null = null;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  if (!binary) return;
  imap = await startDovecot(binary);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-imap-crash-'));
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const schema = `imap_crash_${randomBytes(5).toString('hex')}`;
    await admin(url, `create schema ${schema}`);
    db = openDatabase({ url, schema });
    childEnv = { IMAP_TEST_PG_URL: url, IMAP_TEST_PG_SCHEMA: schema };
    dropSchema = () => admin(url, `drop schema ${schema} cascade`);
  } else {
    const file = path.join(dir, 'guichet.db');
    db = openDatabase({ url: '', sqliteFile: file });
    childEnv = { IMAP_TEST_SQLITE_FILE: file };
  }
  await migrateToLatest(db);
  organisationId = (await seedDemoCommune(db)).organisationId;
  childEnv = { ...childEnv, DATA_DIR: dir, IMAP_URL: imap.url(), IMAP_PROCESSED_FOLDER: 'Guichet/Traités', LOG_LEVEL: 'warn' };
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await db?.close();
  await dropSchema?.();
  await imap?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function admin(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

interface Child {
  process: ChildProcess;
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnPoller(mode: 'crash-after-stored' | 'normal'): Child {
  const child = spawn(process.execPath, ['bin/run-ts.js', 'test/fixtures/imap-poller.ts', mode], { cwd: root, env: { ...process.env, ...childEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-8_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    exited,
    async line(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = output.split('\n').map((l) => l.match(pattern)).find(Boolean);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the poller exited before printing ${pattern}; stderr:\n${errors}`);
        if (Date.now() > deadline) throw new Error(`no line matching ${pattern}; stderr:\n${errors}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const messageId = '<crash-imap-1@exemple.fr>';
const raw = [
  'From: Paul Durand <paul.durand@exemple.fr>',
  'To: mairie@ville-de-demo.fr',
  'Subject: Encombrants devant le 12 rue Haute',
  `Message-ID: ${messageId}`,
  'Date: Sun, 29 Nov 2026 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Bonjour, des encombrants sont déposés devant le 12 rue Haute depuis lundi. Merci.',
  '',
].join('\r\n');

describe.skipIf(!binary)('IMAP poller across a SIGKILL', { timeout: 120_000 }, () => {
  it('loses nothing and duplicates nothing when killed between the receipt and the move', async () => {
    const mailbox = `mairie@127.0.0.1:${imap.port}/INBOX`;
    await imap.append(raw);

    const first = spawnPoller('crash-after-stored');
    await first.line(/^stored 1$/);
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // The premise: the receipt is durable, the message is still in the mailbox, the checkpoint did not move.
    const receipts = () => db.kysely.selectFrom('channel_inbound').selectAll().where('external_id', '=', messageId).execute();
    expect(await receipts()).toHaveLength(1);
    expect(await imap.uids('INBOX')).toEqual([1]);
    expect((await imapCheckpointRepository.find(db.kysely, organisationId, mailbox))?.lastUid ?? 0).toBe(0);

    const second = spawnPoller('normal');
    await second.line(/^ready$/);
    await until(async () => (await imap.uids('INBOX')).length === 0, 'the message moved by the second process');
    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    expect(await receipts()).toHaveLength(1);
    expect(await imapCheckpointRepository.find(db.kysely, organisationId, mailbox)).toMatchObject({ lastUid: 1 });

    // The processing job makes one case of it.
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
    await runDueJobs({ db, config, log: pino({ level: 'silent' }) }, new JobRegistry(applicationJobTypes()));
    const [receipt] = await receipts();
    expect(receipt).toMatchObject({ status: 'created' });
    const cases = await db.kysely.selectFrom('cases').select(['id', 'channel']).where('id', '=', receipt!.case_id!).execute();
    expect(cases).toEqual([{ id: receipt!.case_id, channel: 'email' }]);
    expect(await db.kysely.selectFrom('cases').select('id').where('channel', '=', 'email').execute()).toHaveLength(1);
  });
});
