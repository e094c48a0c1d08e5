import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { makeCommune } from './factories.js';
import { freePort } from './net.js';

/**
 * "Nothing is lost": a real server process takes concurrent submissions and is killed with
 * SIGKILL mid-flight. After a restart, every submission that was answered 201 is there exactly
 * once, and retrying the unanswered ones with their idempotency keys never duplicates anything.
 */
const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-crash-'));
const pgUrl = process.env.TEST_DATABASE_URL;
const schema = `crash_${randomBytes(5).toString('hex')}`;
const databaseUrl = pgUrl ? `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : '';

let token: string;
let server: ChildProcess | null = null;

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/guichet.js', 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not become ready within 30 s');
}

function openTestDb(): Db {
  return pgUrl ? openDatabase({ url: pgUrl, schema }) : openDatabase({ url: '', sqliteFile: path.join(dataDir, 'guichet.db') });
}

beforeAll(async () => {
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
  }
  const db = openTestDb();
  await migrateToLatest(db);
  token = (await makeCommune(db)).tokens.all;
  await db.close();
});

afterAll(async () => {
  server?.kill('SIGKILL');
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Attempt {
  key: string;
  marker: string;
  status: number | 'no answer';
  reference?: string;
}

function submit(port: number, attempt: Pick<Attempt, 'key' | 'marker'>): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/api/v1/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': attempt.key },
    body: JSON.stringify({
      procedure: 'signalement-voirie',
      citizen: { firstNames: 'Paul', lastName: 'Crash', email: `${attempt.marker}@example.fr` },
      data: { categorie: 'nid_de_poule', description: attempt.marker },
    }),
  });
}

describe('crash safety', { timeout: 120_000 }, () => {
  it('keeps every acknowledged case exactly once across a SIGKILL', async () => {
    const port = await freePort();
    server = await startServer(port);
    const attempts: Attempt[] = [];
    let acknowledged = 0;
    const killAfter = 60;
    const child = server;

    // Eight clients submit in a loop; the server is killed once enough submissions were answered.
    const client = async (n: number) => {
      for (let i = 0; i < 200 && child.exitCode === null && child.signalCode === null; i++) {
        const attempt: Attempt = { key: `crash-${n}-${i}`, marker: `crash${n}x${i}`, status: 'no answer' };
        attempts.push(attempt);
        try {
          const res = await submit(port, attempt);
          attempt.status = res.status;
          if (res.status === 201) {
            attempt.reference = ((await res.json()) as { reference: string }).reference;
            acknowledged += 1;
            if (acknowledged === killAfter) child.kill('SIGKILL');
          }
        } catch {
          attempt.status = 'no answer';
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, n) => client(n)));
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    expect(child.signalCode).toBe('SIGKILL');

    const answered = attempts.filter((a) => a.status === 201);
    expect(answered.length).toBeGreaterThanOrEqual(killAfter);
    expect(attempts.every((a) => a.status === 201 || a.status === 'no answer')).toBe(true);

    server = await startServer(port);
    const db = openTestDb();
    try {
      const countByMarker = async () => {
        const rows = await db.kysely.selectFrom('cases').select(['reference', 'data']).execute();
        const counts = new Map<string, string[]>();
        for (const row of rows) {
          const marker = (JSON.parse(row.data) as { description: string }).description;
          counts.set(marker, [...(counts.get(marker) ?? []), row.reference]);
        }
        return counts;
      };
      const afterCrash = await countByMarker();
      for (const a of answered) expect(afterCrash.get(a.marker), a.marker).toEqual([a.reference]);

      // A client that got no answer retries with the same key: at most one case, whatever happened before.
      const unanswered = attempts.filter((a) => a.status === 'no answer');
      for (const a of unanswered) expect((await submit(port, a)).status).toBe(201);
      const afterRetry = await countByMarker();
      for (const a of [...answered, ...unanswered]) expect(afterRetry.get(a.marker)?.length, a.marker).toBe(1);
      expect([...afterRetry.values()].every((refs) => refs.length === 1)).toBe(true);

      const journals = await db.kysely.selectFrom('case_journal').select(['case_id']).where('type', '=', 'case.created').execute();
      expect(journals.length).toBe(afterRetry.size);
    } finally {
      await db.close();
    }
  }, 120_000);
});
