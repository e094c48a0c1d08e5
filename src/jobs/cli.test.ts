import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { jobsCommand } from './cli.js';
import { jobRepository } from './repository.js';

/**
 * `guichet jobs` and `guichet serve --role`, on a database on disk that child processes can open
 * too (a SQLite file, or a PostgreSQL schema when TEST_DATABASE_URL is set).
 */
const root = path.resolve(import.meta.dirname, '../..');
const pgUrl = process.env.TEST_DATABASE_URL;
const schema = `jobs_cli_${randomBytes(5).toString('hex')}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-jobs-cli-'));
const databaseUrl = pgUrl ? `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : '';
const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' };
let db: Db;

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(statement);
  await client.end();
}

beforeAll(async () => {
  if (pgUrl) await admin(`create schema ${schema}`);
  db = pgUrl ? openDatabase({ url: pgUrl, schema }) : openDatabase({ url: '', sqliteFile: path.join(dataDir, 'guichet.db') });
  await migrateToLatest(db);
});
afterAll(async () => {
  await db.close();
  if (pgUrl) await admin(`drop schema ${schema} cascade`);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

/** Runs `guichet jobs …` in-process and returns its exit code and what it printed. */
async function jobs(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...m: unknown[]) => void out.push(m.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...m: unknown[]) => void err.push(m.join(' ')));
  const code = await jobsCommand(db, loadConfig(env), args, () => pino({ level: 'silent' }));
  vi.restoreAllMocks();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('guichet jobs', { timeout: 120_000 }, () => {
  it('lists counts and dead jobs, retries one or all, and refuses bad arguments', async () => {
    const now = new Date().toISOString();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await jobRepository.enqueue(db.kysely, { type: 'webhook.call', payload: { i }, runAt: now }, now))!);
    await jobRepository.claim(db, 'w', 3, now, 60_000);
    await jobRepository.complete(db.kysely, ids[0]!, 'w', now);
    await jobRepository.fail(db.kysely, ids[1]!, 'w', 'Le webhook https://sig.example/hook a répondu 503.', now, null);
    await jobRepository.fail(db.kysely, ids[2]!, 'w', 'fetch failed\n  (délai dépassé)', now, null);

    const listed = await jobs();
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/Tâches : 0 en attente, 0 en cours, 1 terminée\(s\), 2 en échec\./);
    expect(listed.stdout).toMatch(new RegExp(`${ids[1]}\\s+webhook\\.call\\s+1\\s+\\S+\\s+Le webhook https://sig\\.example/hook a répondu 503\\.`));
    expect(listed.stdout).toMatch(/fetch failed \(délai dépassé\)/);
    expect((await jobs('--limit', '1')).stdout).toMatch(/les 1 plus récentes sur 2/);

    expect(await jobs('retry', String(ids[1]))).toMatchObject({ code: 0, stdout: `Tâche n° ${ids[1]} remise en file.` });
    expect(await jobs('retry', String(ids[1]))).toMatchObject({ code: 1, stderr: `La tâche n° ${ids[1]} n’est pas en échec (état : en attente).` });
    expect(await jobs('retry', '999999')).toMatchObject({ code: 1, stderr: 'Aucune tâche n° 999999.' });
    expect(await jobs('retry', '--all-dead')).toMatchObject({ code: 0, stdout: '1 tâche(s) remise(s) en file.' });
    expect(await jobs('retry', '--all-dead')).toMatchObject({ code: 0, stdout: 'Aucune tâche en échec.' });
    expect((await jobs('retry')).code).toBe(2);
    expect((await jobs('--limit', 'x')).code).toBe(2);
    expect(await jobs('purge')).toMatchObject({ code: 2, stderr: expect.stringMatching(/Sous-commande inconnue : purge/) });
    await db.kysely.deleteFrom('jobs').execute();
  });

  it('runs due jobs once, refusing while a pending job has no handler', async () => {
    const now = new Date().toISOString();
    const unknown = (await jobRepository.enqueue(db.kysely, { type: 'test.nobody', payload: {}, runAt: now }, now))!;
    await expect(jobs('run')).rejects.toThrow(/type sans gestionnaire déclaré : test\.nobody/);
    await db.kysely.deleteFrom('jobs').where('id', '=', unknown).execute();

    // A message that no longer exists: the send handler has nothing to do and the job is done.
    const id = (await jobRepository.enqueue(db.kysely, { type: 'message.send', payload: { messageId: 987_654 }, runAt: now }, now))!;
    const run = await jobs('run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1 tâche\(s\) exécutée\(s\) en [\d.]+ s\. Restent 0 en attente/);
    expect((await jobRepository.findById(db.kysely, id))!.state).toBe('done');
    await db.kysely.deleteFrom('jobs').execute();
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `guichet serve --role ROLE` as a child process; resolves once it has run for `ms` (or exited). */
function serve(role: string, port: number) {
  const child = spawn(process.execPath, ['bin/guichet.js', 'serve', '--role', role], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/readyz`).then(
    (r) => r.ok,
    () => false,
  );

describe('guichet serve --role', { timeout: 120_000 }, () => {
  it('runs jobs without HTTP as a worker, and HTTP without jobs as web', async () => {
    const now = new Date().toISOString();
    const id = (await jobRepository.enqueue(db.kysely, { type: 'message.send', payload: { messageId: 987_655 }, runAt: now }, now))!;

    const webPort = await freePort();
    const web = serve('web', webPort);
    const deadline = Date.now() + 30_000;
    while (!(await answers(webPort))) {
      if (Date.now() > deadline || web.child.exitCode !== null) throw new Error(`web did not start: ${web.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await jobRepository.findById(db.kysely, id))!.state).toBe('pending');
    web.child.kill('SIGTERM');
    expect(await web.exited).toBe(0);

    const workerPort = await freePort();
    const worker = serve('worker', workerPort);
    while ((await jobRepository.findById(db.kysely, id))!.state !== 'done') {
      if (Date.now() > deadline + 30_000 || worker.child.exitCode !== null) throw new Error(`the worker did not run the job: ${worker.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await answers(workerPort)).toBe(false);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const bad = serve('chef', workerPort);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/Rôle inconnu : chef/);
  }, 90_000);
});
