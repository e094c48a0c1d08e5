import { spawn } from 'node:child_process';
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
 * WEB_PROCESSES: `guichet serve` with two HTTP processes sharing one port. Both answer, requests
 * spread between them write to the same database without losing or duplicating anything, and
 * SIGTERM stops the children with their parent.
 */
const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-web-processes-'));
const pgUrl = process.env.TEST_DATABASE_URL;
const schema = `webproc_${randomBytes(5).toString('hex')}`;
const databaseUrl = pgUrl ? `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : '';
let token: string;

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
  token = (await makeCommune(db)).tokens.all;
  await db.close();
});

afterAll(async () => {
  if (pgUrl) await withAdmin(`drop schema ${schema} cascade`);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('several HTTP processes', { timeout: 90_000 }, () => {
  it('serves one port from two processes, keeps every case once, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/guichet.js', 'serve', '--role', 'web'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', WEB_PROCESSES: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const lines = () => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { pid: number; msg: string });
    try {
      const deadline = Date.now() + 60_000;
      while (!lines().some((l) => l.msg === 'web processes listening')) {
        if (child.exitCode !== null) throw new Error(`serve exited with code ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`serve did not start within 60 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const servers = [...new Set(lines().filter((l) => l.msg.startsWith('Server listening')).map((l) => l.pid))];
      expect(servers).toHaveLength(2);
      expect(servers).not.toContain(child.pid);

      // Forty submissions, ten at a time on fresh connections, each retried once with its key.
      const markers = Array.from({ length: 40 }, (_, i) => `proc${i}`);
      const submit = (marker: string) =>
        fetch(`http://127.0.0.1:${port}/api/v1/cases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': marker, connection: 'close' },
          body: JSON.stringify({
            procedure: 'signalement-voirie',
            citizen: { firstNames: 'Anne', lastName: 'Partage', email: `${marker}@example.fr` },
            data: { categorie: 'nid_de_poule', description: marker },
          }),
        });
      const references: string[] = [];
      for (let i = 0; i < markers.length; i += 10) {
        const batch = markers.slice(i, i + 10);
        const first = await Promise.all(batch.map(submit));
        const again = await Promise.all(batch.map(submit));
        for (const [n, res] of first.entries()) {
          expect(res.status).toBe(201);
          const reference = ((await res.json()) as { reference: string }).reference;
          references.push(reference);
          expect(((await again[n]!.json()) as { reference: string }).reference).toBe(reference);
        }
      }
      expect(new Set(references).size).toBe(40);
      const answeredBy = new Set(lines().filter((l) => l.msg === 'request completed').map((l) => l.pid));
      expect([...answeredBy].sort()).toEqual([...servers].sort());

      const db = openTestDb();
      try {
        const rows = await db.kysely.selectFrom('cases').select('reference').execute();
        expect(rows.map((r) => r.reference).sort()).toEqual([...references].sort());
      } finally {
        await db.close();
      }

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const pid of servers) expect(isAlive(pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
