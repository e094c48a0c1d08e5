/**
 * DATA_DIR, the SQLite database with its WAL and SHM, and stored attachments are readable by the
 * account running Guichet only, even when created under a permissive umask (explicit modes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AttachmentStorage } from '../src/attachments/storage.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { preparePrivateDataDir } from '../src/db/private-files.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-modes-'));
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const previousUmask = process.umask(0o022);

afterAll(() => {
  process.umask(previousUmask);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('private files', () => {
  it('creates DATA_DIR 0700, and narrows an existing one others could read, with a warning', () => {
    const created = path.join(root, 'new', 'data');
    expect(preparePrivateDataDir(created)).toBeNull();
    expect(modeOf(created)).toBe(0o700);

    const open = path.join(root, 'open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    expect(preparePrivateDataDir(open)).toMatch(/droits 755\) : droits ramenés à 700/);
    expect(modeOf(open)).toBe(0o700);
    expect(preparePrivateDataDir(open)).toBeNull();
  });

  it('keeps guichet.db, its WAL and SHM 0600, and narrows a database an older version left 0644', async () => {
    const dir = path.join(root, 'db');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'guichet.db');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o644);
    const db = openDatabase({ url: '', sqliteFile: file });
    try {
      await migrateToLatest(db);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
    } finally {
      await db.close();
    }
  });

  it('stores attachments 0600 in folders 0700', async () => {
    const storage = new AttachmentStorage(path.join(root, 'attachments'));
    const sha256 = await storage.put(Buffer.from('pièce justificative'));
    const stored = storage.pathOf(sha256);
    expect(modeOf(stored)).toBe(0o600);
    expect(modeOf(path.dirname(stored))).toBe(0o700);
    expect(modeOf(path.join(root, 'attachments'))).toBe(0o700);
  });
});
