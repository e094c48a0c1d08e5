/**
 * `guichet start` as an administrator runs it, twice on the same data directory: the first start
 * creates the demo and prints its secrets, the second prints none; the data directory, the
 * database, its WAL and the attachments are private; the development mailbox is served on
 * 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_TOTP_SECRET, DEMO_AGENT_PASSWORD } from '../src/demo/agent-accounts.js';
import { DEMO_CITIZEN } from '../src/demo/citizen-account.js';
import { freePort } from './net.js';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-start-'));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  stop: () => Promise<number | null>;
}

/** Starts `guichet start` (the shell's usual umask, 022) and waits for its welcome text. */
async function start(host: string): Promise<Running> {
  const port = await freePort();
  const child = spawn('/bin/sh', ['-c', `umask 022 && exec "${process.execPath}" bin/guichet.js start`], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', HOST: host, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'info', WEB_PROCESSES: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 150_000;
  while (!/Guichet est prêt[\s\S]*Jeton d’API de démo[^\n]*\n[^\n]*\n/.test(output)) {
    if (child.exitCode !== null) throw new Error(`start exited with code ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`start did not finish within 150 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  };
  return { child, port, output: () => output, stop };
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('guichet start', { timeout: 240_000 }, () => {
  it('prints the demo secrets once, keeps the data private, and serves the dev mailbox on loopback only', async () => {
    // A data directory others can read, as an older version or a hand-made one left it.
    fs.chmodSync(dataDir, 0o755);

    const first = await start('127.0.0.1');
    let token: string;
    try {
      const out = first.output();
      expect(out).toMatch(/droits 755\) : droits ramenés à 700/);
      expect(out).toContain(DEMO_ADMIN_TOTP_SECRET);
      expect(out).toContain(DEMO_AGENT_PASSWORD);
      expect(out).toContain(DEMO_CITIZEN.password);
      token = /Jeton d’API de démo\s*: (gui_[A-Za-z0-9_-]+)/.exec(out)![1]!;
      expect(fs.readFileSync(path.join(dataDir, 'demo-token.txt'), 'utf8').trim()).toBe(token);

      // Private files, checked while the server holds the database open (WAL and SHM exist).
      expect(modeOf(dataDir)).toBe(0o700);
      for (const file of ['guichet.db', 'guichet.db-wal', 'guichet.db-shm', 'demo-token.txt', 'session-secret']) {
        expect(modeOf(path.join(dataDir, file)), file).toBe(0o600);
      }
      const uploaded = await fetch(`http://127.0.0.1:${first.port}/api/v1/attachments?filename=avis.pdf`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
        body: PDF,
      });
      expect(uploaded.status).toBe(201);
      const sha256 = createHash('sha256').update(PDF).digest('hex');
      const stored = path.join(dataDir, 'attachments', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      expect(modeOf(stored)).toBe(0o600);
      expect(modeOf(path.dirname(stored))).toBe(0o700);

      // On 127.0.0.1 the demo's mailbox is there.
      expect((await fetch(`http://127.0.0.1:${first.port}/dev/boite-mail`)).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // Second start, listening on every interface: no secret, the mailbox is off and it says why.
    const second = await start('0.0.0.0');
    try {
      const read = await fetch(`http://127.0.0.1:${second.port}/api/v1/cases?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${second.port}/dev/boite-mail`)).status).toBe(404);
      const out = second.output();
      expect(out).toContain('Guichet est prêt');
      expect(out).not.toContain(token);
      expect(out).not.toContain(DEMO_ADMIN_TOTP_SECRET);
      expect(out).not.toContain(DEMO_AGENT_PASSWORD);
      expect(out).toContain(path.join(dataDir, 'demo-token.txt'));
      expect(out).toMatch(/Boîte de développement \/dev\/boite-mail désactivée : Guichet écoute sur 0\.0\.0\.0/);
      expect(out).not.toMatch(/droits ramenés/);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(modeOf(dataDir)).toBe(0o700);
  });
});
