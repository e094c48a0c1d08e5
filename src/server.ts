import cluster from 'node:cluster';
import path from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { buildApp } from './app.js';
import { AttachmentStorage } from './attachments/storage.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { openDatabase } from './db/database.js';
import type { App } from './http/context.js';
import { requestLogSerializer } from './http/log-redaction.js';
import type { Worker } from './jobs/worker.js';

/** What a process serves: HTTP, background jobs, or both (one machine runs everything). */
export const ROLES = ['web', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

/** Opens the configured database (SQLite in DATA_DIR unless DATABASE_URL says PostgreSQL). */
export function openConfiguredDatabase(config: Config): Db {
  return openDatabase({
    url: config.DATABASE_URL,
    sqliteFile: path.join(config.DATA_DIR, 'guichet.db'),
    poolSize: config.DATABASE_POOL_SIZE,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS === 'true',
  });
}

/**
 * The process logger: JSON lines, pretty-printed when a person watches the terminal. Request logs
 * go through requestLogSerializer: no headers, no secret or searched-for value from the URL.
 * `destination` is for tests that read what would have been logged.
 */
export function createLogger(config: Config, destination?: DestinationStream): Logger {
  const options = { level: config.LOG_LEVEL, serializers: { req: requestLogSerializer } };
  if (destination) return pino(options, destination);
  return pino({ ...options, ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {}) });
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
 *
 * With WEB_PROCESSES above 1, HTTP is served by that many child processes sharing the port
 * (node:cluster), so that pages are rendered on every core; this process then runs the background
 * part of the role, if any, and looks after the children.
 */
export async function startServer(config: Config, db: Db, role: Role = 'all'): Promise<Started> {
  if (cluster.isWorker) role = 'web';
  else if (role !== 'worker' && config.WEB_PROCESSES > 1) return startWebProcesses(config, db, role);
  const logger = createLogger(config);
  // The background first: a worker that cannot handle the waiting jobs stops before HTTP opens.
  const background = role === 'web' ? null : await startBackground(config, db, logger);
  const app = role === 'worker' ? null : await listen(config, db, logger);
  const shutdown = async (signal: string) => {
    logger.info({ signal, role }, 'shutting down');
    await app?.close();
    await background?.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return { app, worker: background?.worker ?? null };
}

interface Background {
  worker: Worker;
  stop(): Promise<void>;
}

/** The job worker, and the inbound mail it processes (the SMTP receiver, the IMAP poller). */
async function startBackground(config: Config, db: Db, logger: Logger): Promise<Background> {
  // Loaded on demand: a web-only process never needs the job handlers' dependencies.
  const { applicationJobTypes } = await import('./jobs/catalogue.js');
  const { JobRegistry } = await import('./jobs/registry.js');
  const { assertKnownJobTypes, startWorker } = await import('./jobs/worker.js');
  const registry = new JobRegistry(applicationJobTypes());
  await assertKnownJobTypes(db, registry);
  const worker = startWorker({ db, config, log: logger.child({ role: 'worker' }) }, registry, { concurrency: config.JOB_CONCURRENCY });
  let smtp: { host: string; port: number; close(): Promise<void> } | null = null;
  let imap: { stop(): Promise<void> } | null = null;
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
  return {
    worker,
    async stop() {
      await smtp?.close();
      await imap?.stop();
      await worker.stop();
    },
  };
}

/** A child that dies on its own is replaced after this pause (a crash loop then costs little). */
const RESTART_DELAY_MS = 1_000;
/** How long children are given to finish their requests on shutdown before they are killed. */
const CHILDREN_STOP_MS = 30_000;

/**
 * WEB_PROCESSES children serving HTTP on the shared port; each opens its own database connection
 * and runs the `web` role. Everything they share goes through the database (sessions, live lists
 * that poll it, configuration read again after a few seconds), so any child may answer any request.
 */
async function startWebProcesses(config: Config, db: Db, role: Role): Promise<Started> {
  const logger = createLogger(config);
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (child, code, signal) => {
    if (stopping) return;
    logger.error({ pid: child.process.pid, code, signal }, 'web process exited; starting another');
    setTimeout(() => !stopping && fork(), RESTART_DELAY_MS).unref();
  });
  const background = role === 'all' ? await startBackground(config, db, logger) : null;
  const listening = Array.from({ length: config.WEB_PROCESSES }, () => new Promise<void>((resolve) => fork().once('listening', () => resolve())));
  await Promise.all(listening);
  logger.info({ processes: config.WEB_PROCESSES, port: config.PORT }, 'web processes listening');
  const shutdown = async (signal: string) => {
    stopping = true;
    logger.info({ signal, role }, 'shutting down');
    const children = Object.values(cluster.workers ?? {}).filter((c) => c !== undefined);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.isDead()) return resolve();
            const kill = setTimeout(() => child.process.kill('SIGKILL'), CHILDREN_STOP_MS);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.process.kill('SIGTERM');
          }),
      ),
    );
    await background?.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return { app: null, worker: background?.worker ?? null };
}

/** Builds the app with its logger and file store, and listens. */
async function listen(config: Config, db: Db, logger: Logger): Promise<App> {
  const storage = new AttachmentStorage(path.join(config.DATA_DIR, 'attachments'));
  const app = await buildApp({ db, config, storage }, { loggerInstance: logger });
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
}
