import pino from 'pino';
import { buildApp } from './app.js';
import { AttachmentStorage } from './attachments/storage.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { openDatabase } from './db/database.js';
import path from 'node:path';
import type { App } from './http/context.js';

/** Opens the configured database (SQLite in DATA_DIR unless DATABASE_URL says PostgreSQL). */
export function openConfiguredDatabase(config: Config): Db {
  return openDatabase({ url: config.DATABASE_URL, sqliteFile: path.join(config.DATA_DIR, 'guichet.db'), poolSize: config.DATABASE_POOL_SIZE });
}

/** Builds the app with its logger and file store, listens, and closes cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config, db: Db): Promise<App> {
  const logger = pino({ level: config.LOG_LEVEL, ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {}) });
  const storage = new AttachmentStorage(path.join(config.DATA_DIR, 'attachments'));
  const app = await buildApp({ db, config, storage }, { loggerInstance: logger });
  await app.listen({ port: config.PORT, host: config.HOST });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return app;
}
