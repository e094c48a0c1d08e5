import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { AttachmentStorage } from '../src/attachments/storage.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';

/** The real application on a test database, with attachments in a temporary folder; use app.inject(). */
export async function testApp(db: Db, env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const app = await buildApp({ db, config, storage: new AttachmentStorage(path.join(dataDir, 'attachments')) }, { logger: false });
  await app.ready();
  return app;
}
