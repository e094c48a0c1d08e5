import path from 'node:path';
import pino, { type Logger } from 'pino';
import { buildApp } from './app.js';
import { AttachmentStorage } from './attachments/storage.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { openDatabase } from './db/database.js';
import type { App } from './http/context.js';
import type { Worker } from './jobs/worker.js';

/** What a process serves: HTTP, background jobs, or both (one machine runs everything). */
export const ROLES = ['web', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

/** Opens the configured database (SQLite in DATA_DIR unless DATABASE_URL says PostgreSQL). */
export function openConfiguredDatabase(config: Config): Db {
  return openDatabase({ url: config.DATABASE_URL, sqliteFile: path.join(config.DATA_DIR, 'guichet.db'), poolSize: config.DATABASE_POOL_SIZE });
}

/** The process logger: JSON lines, pretty-printed when a person watches the terminal. */
export function createLogger(config: Config): Logger {
  return pino({ level: config.LOG_LEVEL, ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {}) });
}

export interface Started {
  app: App | null;
  worker: Worker | null;
}

/**
 * Starts what the role asks for — the HTTP app (`web`), the job worker (`worker`) or both
 * (`all`) — and stops them cleanly on SIGINT/SIGTERM: HTTP stops accepting requests, the worker
 * finishes its running jobs, then the database closes. A worker refuses to start while jobs wait
 * whose type it has no handler for.
 */
export async function startServer(config: Config, db: Db, role: Role = 'all'): Promise<Started> {
  const logger = createLogger(config);
  let app: App | null = null;
  let worker: Worker | null = null;
  let smtp: { host: string; port: number; close(): Promise<void> } | null = null;
  let imap: { stop(): Promise<void> } | null = null;
  if (role !== 'web') {
    // Loaded on demand: a web-only process never needs the job handlers' dependencies.
    const { applicationJobTypes } = await import('./jobs/catalogue.js');
    const { JobRegistry } = await import('./jobs/registry.js');
    const { assertKnownJobTypes, startWorker } = await import('./jobs/worker.js');
    const registry = new JobRegistry(applicationJobTypes());
    await assertKnownJobTypes(db, registry);
    if (role === 'all') app = await listen(config, db, logger);
    worker = startWorker({ db, config, log: logger.child({ role: 'worker' }) }, registry, { concurrency: config.JOB_CONCURRENCY });
    // The SMTP receiver (an MX for the town's domain or alias) runs where the jobs that process its mail run.
    if (config.INBOUND_SMTP_PORT !== null) {
      const { startSmtpReceiver } = await import('./channels/email/smtp-receiver.js');
      smtp = await startSmtpReceiver({ db, config, log: logger.child({ role: 'smtp' }) });
      logger.info({ host: smtp.host, port: smtp.port }, 'SMTP receiver listening');
    }
    // The IMAP mailbox is read by the worker processes only (a web process never polls it).
    if (config.IMAP_URL) {
      const { startImapPoller } = await import('./channels/email/imap/service.js');
      imap = startImapPoller({ db, config, log: logger.child({ role: 'worker' }) });
    }
  } else {
    app = await listen(config, db, logger);
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal, role }, 'shutting down');
    await app?.close();
    await smtp?.close();
    await imap?.stop();
    await worker?.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return { app, worker };
}

/** Builds the app with its logger and file store, and listens. */
async function listen(config: Config, db: Db, logger: Logger): Promise<App> {
  const storage = new AttachmentStorage(path.join(config.DATA_DIR, 'attachments'));
  const app = await buildApp({ db, config, storage }, { loggerInstance: logger });
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
}
