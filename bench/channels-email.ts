/**
 * `npx tsx bench/channels-email.ts`: e-mails per second through the built-in SMTP receiver, each
 * with two small attachments (a PNG and a PDF), sent by a pooled nodemailer client over
 * BENCH_CONNECTIONS connections for BENCH_DURATION seconds; then the time until every received
 * mail is processed into a case (processEmail, BENCH_CONCURRENCY at a time, as the job worker
 * would run it). The floor is measured in the same run: a bare smtp-server that discards the
 * message, with the same client and load. Prints throughput and p50/p99 of the SMTP transaction.
 *
 * A file-backed SQLite database in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is
 * set. DNS for SPF/DKIM/DMARC answers « no record » locally (no network in the bench): the cost
 * measured is mailauth's parsing and checks, not a resolver's latency.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 10), BENCH_CONCURRENCY (default 8).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { inboundRepository } from '../src/channels/inbound-repository.js';
import { processEmail } from '../src/channels/email/process.js';
import { startSmtpReceiver } from '../src/channels/email/smtp-receiver.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { intEnv } from './lib/env.js';

const DURATION_S = intEnv('BENCH_DURATION', 10, 1);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 8, 1);
const PG_URL = process.env['BENCH_DATABASE_URL'] ?? '';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

const noDns = async (name: string): Promise<unknown> => {
  throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

async function openBenchDb(dataDir: string): Promise<Db> {
  if (!PG_URL) {
    const db = openDatabase({ url: '', sqliteFile: path.join(dataDir, 'guichet.db') });
    await migrateToLatest(db);
    return db;
  }
  const schema = `bench_email_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = openDatabase({ url: PG_URL, schema, poolSize: 20 });
  await migrateToLatest(db);
  return {
    ...db,
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: PG_URL });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sends for DURATION_S over CONNECTIONS pooled connections; returns each transaction's time (ms) and the failures. */
async function load(port: number, label: string): Promise<{ times: number[]; failures: number; seconds: number }> {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
  const times: number[] = [];
  let failures = 0;
  let n = 0;
  const started = performance.now();
  const deadline = started + DURATION_S * 1000;
  const sender = async (lane: number) => {
    while (performance.now() < deadline) {
      const i = n++;
      const t0 = performance.now();
      try {
        await client.sendMail({
          from: `"Usager ${lane}" <usager${i % 500}@example.org>`,
          to: 'mairie@ville-bench.fr',
          subject: `Demande ${label} ${i}`,
          messageId: `<bench-${label}-${i}-${randomBytes(4).toString('hex')}@example.org>`,
          text: `Bonjour,\n\nVoici ma demande numéro ${i}, avec une photo et un plan.\n\nCordialement`,
          attachments: [
            { filename: 'photo.png', content: PNG, contentType: 'image/png' },
            { filename: 'plan.pdf', content: PDF, contentType: 'application/pdf' },
          ],
        });
        times.push(performance.now() - t0);
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, lane) => sender(lane)));
  const seconds = (performance.now() - started) / 1000;
  client.close();
  return { times: times.sort((a, b) => a - b), failures, seconds };
}

function report(label: string, r: { times: number[]; failures: number; seconds: number }): void {
  console.log(
    `${label.padEnd(22)} ${String(r.times.length).padStart(6)} mails in ${r.seconds.toFixed(1)} s = ${(r.times.length / r.seconds).toFixed(1).padStart(7)} mails/s` +
      `  p50 ${percentile(r.times, 50).toFixed(1)} ms  p99 ${percentile(r.times, 99).toFixed(1)} ms  failures ${r.failures}`,
  );
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-email-'));
  const db = await openBenchDb(dataDir);
  const organisationId = (await seedDemoCommune(db)).organisationId;
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://guichet.ville-bench.fr', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret', INBOUND_EMAIL_DOMAINS: 'ville-bench.fr' });
  const log = pino({ level: 'silent' });
  console.log(`E-mail channel bench: ${PG_URL ? 'PostgreSQL' : 'SQLite'}, ${CONNECTIONS} connections, ${DURATION_S} s, processing concurrency ${CONCURRENCY}`);

  // Floor: the same client and messages to an SMTP server that only drains and discards.
  const floor = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.once('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', resolve));
  const floorPort = (floor.server.address() as { port: number }).port;
  const floorResult = await load(floorPort, 'floor');
  await new Promise<void>((resolve) => floor.close(() => resolve()));

  const receiver = await startSmtpReceiver({ db, config, log }, { port: 0, host: '127.0.0.1' });
  const received = await load(receiver.port, 'guichet');
  await receiver.close();
  report('floor (discard)', floorResult);
  report('guichet (durable)', received);

  // Processing into cases, as the job worker would run it.
  const t0 = performance.now();
  let processed = 0;
  for (;;) {
    const pending = await inboundRepository.listPending(db.kysely, organisationId, 'email', 500);
    if (pending.length === 0) break;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < pending.length) {
          const item = pending[next++]!;
          await processEmail({ db, config, log, resolver: noDns }, item.id);
          processed++;
        }
      }),
    );
  }
  const processingSeconds = (performance.now() - t0) / 1000;
  const cases = await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('channel', '=', 'email').executeTakeFirstOrThrow();
  console.log(`processing: ${processed} mails → ${Number(cases.n)} cases in ${processingSeconds.toFixed(1)} s = ${(processed / processingSeconds).toFixed(1)} mails/s`);
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
