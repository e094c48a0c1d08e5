import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_RATES } from '../src/accounts/rate-limit.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { VISITOR_COOKIE } from '../src/portal/session.js';
import { makeCommune } from './factories.js';
import { freePort } from './net.js';
import { csrfOf } from './portal-session.js';

/**
 * The real server with WEB_PROCESSES=2 (node:cluster): sign-in failures answered by one process
 * count on the other, because the counters live in the database. And `serve` refuses to start
 * with TRUST_PROXY=true, saying what to write instead.
 */
const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-rate-processes-'));
const pgUrl = process.env.TEST_DATABASE_URL;
const schema = `rateproc_${randomBytes(5).toString('hex')}`;
const databaseUrl = pgUrl ? `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : '';

function openTestDb(): Db {
  return pgUrl ? openDatabase({ url: pgUrl, schema }) : openDatabase({ url: '', sqliteFile: path.join(dataDir, 'guichet.db') });
}

async function withAdmin(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(statement);
  await admin.end();
}

beforeAll(async () => {
  if (pgUrl) await withAdmin(`create schema ${schema}`);
  const db = openTestDb();
  await migrateToLatest(db);
  await makeCommune(db);
  await db.close();
});

afterAll(async () => {
  if (pgUrl) await withAdmin(`drop schema ${schema} cascade`);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const serve = (env: Record<string, string>) =>
  spawn(process.execPath, ['bin/guichet.js', 'serve', '--role', 'web'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('rate limits across web processes', { timeout: 300_000 }, () => {
  it('counts the failures answered by one process on the other', async () => {
    const port = await freePort();
    const child = serve({ PORT: String(port), WEB_PROCESSES: '2' });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    type Line = { pid: number; msg: string; req?: { method: string; url: string } };
    const lines = () => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    try {
      // Generous: on a loaded machine, two processes compiling the sources take a while.
      const deadline = Date.now() + 180_000;
      while (!lines().some((l) => l.msg === 'web processes listening')) {
        if (child.exitCode !== null) throw new Error(`serve exited with code ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`serve did not start within 180 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const base = `http://127.0.0.1:${port}`;
      const form = await fetch(`${base}/connexion`, { headers: { connection: 'close' } });
      const visitor = form.headers.getSetCookie().find((c) => c.startsWith(`${VISITOR_COOKIE}=`))!.split(';')[0]!;
      const csrf = csrfOf(await form.text());
      const attempt = async () => {
        const res = await fetch(`${base}/connexion`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: visitor, 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
          body: new URLSearchParams({ _csrf: csrf, email: 'cible@exemple.fr', password: 'pas le bon mot de passe' }).toString(),
        });
        await res.arrayBuffer();
        return res.status;
      };
      const statuses: number[] = [];
      for (let i = 0; i < ACCOUNT_RATES.signInPerAddress.limit; i++) statuses.push(await attempt());
      expect(statuses).toEqual(Array(ACCOUNT_RATES.signInPerAddress.limit).fill(422));
      // Both processes answered some of those: each alone saw fewer than the limit.
      const answeredBy = (seen: Line[]) => new Set(seen.filter((l) => l.msg === 'incoming request' && l.req?.method === 'POST' && l.req.url === '/connexion').map((l) => l.pid));
      expect(answeredBy(lines()).size).toBe(2);
      // The next one is refused, whichever process gets it.
      expect(await attempt()).toBe(429);
      expect(await attempt()).toBe(429);

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start with TRUST_PROXY=true, and says what to write instead', async () => {
    const child = serve({ PORT: String(await freePort()), TRUST_PROXY: 'true' });
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout!.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(errors).toContain('Configuration invalide');
    expect(errors).toContain('TRUST_PROXY="true"');
    expect(errors).toContain('listez les adresses de vos proxies inverses');
  });
});
