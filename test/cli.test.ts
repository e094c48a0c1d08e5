import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';

/** The `guichet` command as an administrator runs it, on an embedded SQLite database. */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };

async function guichet(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/guichet.js', ...args], { cwd: root, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

// Each test starts the CLI several times (a few seconds each on a loaded 2-core machine).
describe('guichet CLI', { timeout: 120_000 }, () => {
  it('prints its usage and refuses unknown commands', async () => {
    expect((await guichet('--help')).stdout).toMatch(/token create --name NOM --scopes/);
    const unknown = await guichet('voler');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Commande inconnue : voler/);
  });

  it('names the bad variable when the configuration is invalid', async () => {
    const { code, stderr } = await run(process.execPath, ['bin/guichet.js', 'migrate'], { cwd: root, env: { ...env, PORT: 'abc' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT="abc"/);
  });

  it('migrates, refuses a token before the commune exists, seeds the demo, then creates a working token once', async () => {
    expect((await guichet('migrate')).stdout).toMatch(/Migrations appliquées : 001_core/);
    expect((await guichet('migrate')).stdout).toMatch(/Schéma à jour/);

    const early = await guichet('token', 'create', '--name', 'SIG', '--scopes', 'cases:read');
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/Aucune collectivité/);

    const seeded = await guichet('seed', '--demo', '--cases', '300');
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/Ville de Démo/);
    expect(seeded.stdout).toMatch(/300 dossiers historiques/);
    expect((await guichet('seed', '--demo')).code).not.toBe(0);

    const badScope = await guichet('token', 'create', '--name', 'SIG', '--scopes', 'cases:delete');
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toMatch(/Portée\(s\) inconnue\(s\) : cases:delete/);

    const created = await guichet('token', 'create', '--name', 'SIG', '--scopes', 'cases:read');
    expect(created.code).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^gui_[A-Za-z0-9_-]{43}$/);

    const db = openDatabase({ url: '', sqliteFile: path.join(dataDir, 'guichet.db') });
    try {
      const rows = await db.kysely.selectFrom('api_tokens').select(['name', 'scopes', 'token_hash']).where('name', '=', 'SIG').execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.scopes).toBe('cases:read');
      expect(rows[0]!.token_hash).not.toContain(token);
      const cases = await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(cases.n)).toBe(300);
    } finally {
      await db.close();
    }

    const verified = await guichet('journal', 'verify');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/300 journaux vérifiés, 0 rompu\(s\)/);
  });
});
