/**
 * `npm run bench:jobs`: how fast one worker process drains a backlog of durable jobs, and proof
 * that it runs each exactly once.
 *
 * For each database — a temporary SQLite file, and PostgreSQL in a schema of its own when
 * BENCH_DATABASE_URL is set — seed BENCH_JOBS due jobs (default 100,000) of a bench type whose
 * handler does one small idempotent write (insert its job id into `bench_job_effects`, `on
 * conflict do nothing`, in a transaction), start ONE worker as a child process on the same machine
 * (`node bin/run-ts.js bench/jobs-sweep.ts --worker`), and time it from its "ready" line until no
 * job is pending or running. Then check: every job done, none dead, one effect per job.
 *
 * With BENCH_SWEEP=timers the backlog is made of real workflow timers instead: BENCH_JOBS cases
 * sit in a status whose timer fell due, and the worker runs the application's own job types (the
 * timer takes the workflow transition for each case, in its transaction, with its journal event).
 * The check is then: every case moved exactly once (one status change in its journal).
 *
 * Environment: BENCH_SWEEP (jobs | timers), BENCH_JOBS, BENCH_DATABASE_URL, BENCH_DIALECTS (e.g. "sqlite"), JOB_CONCURRENCY
 * (the worker's, default 8 as in production), BENCH_JOBS_TIMEOUT (s, default 300). See bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Db, type Dialect } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { transaction } from '../src/db/transaction.js';
import { defineJobType, JobRegistry } from '../src/jobs/registry.js';
import { jobRepository, type NewJob } from '../src/jobs/repository.js';
import { startWorker } from '../src/jobs/worker.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { seedDueTimers, timerEffects, timerJobCounts } from './lib/timers.js';
import { intEnv } from './lib/env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_JOBS = 100_000;
const TARGET_SECONDS = 60;
const BENCH_TYPE = 'bench.sweep';
/** What the backlog is made of: a minimal bench job, or real workflow timers. */
const MODE: 'jobs' | 'timers' = process.env.BENCH_SWEEP === 'timers' ? 'timers' : 'jobs';


/** Where the worker child finds the database: the parent's env, plus these. */
interface Target {
  dialect: Dialect;
  env: Record<string, string>;
  open(): Db;
  describe(): Promise<{ engine: string; version: string; location: string }>;
  cleanup(): Promise<void>;
}

function openTarget(env: NodeJS.ProcessEnv): Db {
  return env.BENCH_JOBS_PG_URL
    ? openDatabase({ url: env.BENCH_JOBS_PG_URL, schema: env.BENCH_JOBS_PG_SCHEMA!, poolSize: 20 })
    : openDatabase({ url: '', sqliteFile: env.BENCH_JOBS_SQLITE_FILE! });
}

// ————— the worker child —————

async function workerMain(): Promise<void> {
  const db = openTarget(process.env);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const benchJob = defineJobType<Record<string, never>>({
    type: BENCH_TYPE,
    description: 'Écriture idempotente du banc d’essai',
    async handle(_ctx, _payload, job) {
      await transaction(db, (trx) => sql`insert into bench_job_effects (job_id) values (${job.id}) on conflict (job_id) do nothing`.execute(trx));
    },
  });
  const registry = new JobRegistry(MODE === 'timers' ? applicationJobTypes() : [benchJob]);
  const worker = startWorker({ db, config, log: pino({ level: 'warn' }, pino.destination(2)) }, registry, {
    concurrency: config.JOB_CONCURRENCY,
  });
  process.stdout.write(`ready ${worker.id} concurrency=${config.JOB_CONCURRENCY}\n`);
  process.once('SIGTERM', () => {
    void worker
      .stop()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

// ————— the parent —————

interface SweepReport {
  dialect: Dialect;
  mode: 'jobs' | 'timers';
  ok: boolean;
  generatedAt: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; os: string };
  database: { engine: string; version: string; location: string };
  settings: { jobs: number; concurrency: number; workers: 1 };
  seedSeconds: number;
  elapsedSeconds: number;
  jobsPerSecond: number;
  checks: { done: number; dead: number; pending: number; running: number; effects: number; distinctEffects: number; retried: number };
  target: { seconds: number; met: boolean } | null;
}

async function sqliteTarget(): Promise<Target> {
  // On the repository's disk, like the main benchmark, not in a tmpfs that would skip fsync.
  const dir = path.join(ROOT, 'bench', '.cache', `jobs-sweep-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'guichet.db');
  return {
    dialect: 'sqlite',
    env: { BENCH_JOBS_SQLITE_FILE: file },
    open: () => openDatabase({ url: '', sqliteFile: file }),
    async describe() {
      const db = openDatabase({ url: '', sqliteFile: file });
      const { rows } = await sql<{ v: string }>`select sqlite_version() as v`.execute(db.kysely);
      await db.close();
      return { engine: 'SQLite (better-sqlite3, WAL, synchronous=FULL)', version: rows[0]?.v ?? '?', location: path.relative(ROOT, file) };
    },
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(url: string): Promise<Target> {
  const schema = `bench_jobs_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  return {
    dialect: 'postgres',
    env: { BENCH_JOBS_PG_URL: url, BENCH_JOBS_PG_SCHEMA: schema },
    open: () => openDatabase({ url, schema }),
    async describe() {
      const { rows } = await admin('show server_version');
      return { engine: 'PostgreSQL', version: String(rows[0]?.server_version ?? '?'), location: `schema ${schema} of ${url.replace(/\/\/[^@]*@/, '//')}` };
    },
    cleanup: async () => void (await admin(`drop schema ${schema} cascade`)),
  };
}

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

async function sweep(target: Target, jobs: number, timeoutMs: number): Promise<SweepReport> {
  const db = target.open();
  try {
    await migrateToLatest(db);
    await sql`create table bench_job_effects (job_id bigint primary key)`.execute(db.kysely);

    const seedStart = performance.now();
    const now = new Date().toISOString();
    if (MODE === 'timers') await seedDueTimers(db, jobs);
    else {
      for (let i = 0; i < jobs; i += 10_000) {
        const batch: NewJob[] = Array.from({ length: Math.min(10_000, jobs - i) }, () => ({ type: BENCH_TYPE, payload: {}, runAt: now }));
        await transaction(db, (trx) => jobRepository.enqueueMany(trx, batch, now));
      }
    }
    if (db.dialect === 'postgres') await sql`analyze jobs`.execute(db.kysely);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(`${target.dialect}: ${jobs.toLocaleString('en-US')} jobs seeded in ${seedSeconds.toFixed(1)} s; starting one worker…`);

    const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/jobs-sweep.ts', '--worker'], {
      cwd: ROOT,
      env: { ...process.env, ...target.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('ready '));
        if (line) resolve(line);
      });
      void exited.then((code) => reject(new Error(`the worker exited (code ${code}) before it was ready`)));
    });
    const concurrency = Number(/concurrency=(\d+)/.exec(ready)?.[1] ?? 0);
    const started = performance.now();

    const remaining = async () => {
      const { rows } =
        MODE === 'timers'
          ? await sql<{ n: number }>`select count(*) as n from jobs where state in ('pending', 'running') and type = 'workflow.timer'`.execute(db.kysely)
          : await sql<{ n: number }>`select count(*) as n from jobs where state in ('pending', 'running')`.execute(db.kysely);
      return Number(rows[0]?.n ?? 0);
    };
    let left = jobs;
    let lastPrint = started;
    while ((left = await remaining()) > 0) {
      if (performance.now() - started > timeoutMs) {
        child.kill('SIGKILL');
        throw new Error(`${target.dialect}: ${left} jobs still to run after ${timeoutMs / 1000} s (BENCH_JOBS_TIMEOUT).`);
      }
      if (performance.now() - lastPrint > 5_000) {
        lastPrint = performance.now();
        console.log(`  ${(jobs - left).toLocaleString('en-US')} / ${jobs.toLocaleString('en-US')} done after ${((lastPrint - started) / 1000).toFixed(0)} s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const elapsedSeconds = (performance.now() - started) / 1000;
    child.kill('SIGTERM');
    const code = await exited;
    children.delete(child);
    if (code !== 0) throw new Error(`${target.dialect}: the worker exited with code ${code} on SIGTERM.`);

    const counts = MODE === 'timers' ? await timerJobCounts(db) : await jobRepository.countByState(db.kysely);
    const effects =
      MODE === 'timers'
        ? { rows: [await timerEffects(db)] }
        : await sql<{ n: number; d: number }>`select count(*) as n, count(distinct job_id) as d from bench_job_effects`.execute(db.kysely);
    const retried = await sql<{ n: number }>`select count(*) as n from jobs where attempts <> 1`.execute(db.kysely);
    const checks = {
      ...counts,
      effects: Number(effects.rows[0]?.n ?? 0),
      distinctEffects: Number(effects.rows[0]?.d ?? 0),
      retried: Number(retried.rows[0]?.n ?? 0),
    };
    const ok = checks.done === jobs && checks.dead === 0 && checks.pending === 0 && checks.running === 0 && checks.distinctEffects === jobs && checks.effects === jobs;
    const cpus = os.cpus();
    return {
      dialect: target.dialect,
      mode: MODE,
      ok,
      generatedAt: new Date().toISOString(),
      machine: {
        cpu: cpus[0]?.model.trim() ?? 'unknown',
        cores: cpus.length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        os: `${os.type()} ${os.release()} ${os.arch()}`,
      },
      database: await target.describe(),
      settings: { jobs, concurrency, workers: 1 },
      seedSeconds: round(seedSeconds),
      elapsedSeconds: round(elapsedSeconds),
      jobsPerSecond: Math.round(jobs / elapsedSeconds),
      checks,
      target: target.dialect === 'sqlite' ? { seconds: TARGET_SECONDS, met: elapsedSeconds <= TARGET_SECONDS } : null,
    };
  } finally {
    await db.close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

function renderTable(reports: SweepReport[]): string {
  const header = ['database', 'jobs', 'concurrency', 'seed s', 'elapsed s', 'jobs/s', 'effects (distinct)', 'dead', 'retried', 'check'];
  const rows = reports.map((r) => [
    `${r.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${r.database.version}`,
    r.settings.jobs.toLocaleString('en-US'),
    String(r.settings.concurrency),
    r.seedSeconds.toFixed(1),
    r.elapsedSeconds.toFixed(1),
    r.jobsPerSecond.toLocaleString('en-US'),
    `${r.checks.effects.toLocaleString('en-US')} (${r.checks.distinctEffects.toLocaleString('en-US')})`,
    String(r.checks.dead),
    String(r.checks.retried),
    [r.ok ? 'exactly once' : 'FAIL', r.target ? (r.target.met ? `≤ ${r.target.seconds} s` : `> ${r.target.seconds} s (MISSED)`) : ''].filter(Boolean).join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= 1 && i <= 8;
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const jobs = intEnv('BENCH_JOBS', DEFAULT_JOBS, 1);
  const timeoutMs = intEnv('BENCH_JOBS_TIMEOUT', 300, 1) * 1000;
  const pgUrl = process.env.BENCH_DATABASE_URL ?? '';
  const wanted = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim());
  const targets: (() => Promise<Target>)[] = [];
  if (wanted.includes('sqlite')) targets.push(sqliteTarget);
  if (wanted.includes('postgres') && pgUrl) targets.push(() => postgresTarget(pgUrl));
  if (wanted.includes('postgres') && !pgUrl) console.log('PostgreSQL skipped: set BENCH_DATABASE_URL to run it too.');

  const reports: SweepReport[] = [];
  for (const make of targets) {
    const target = await make();
    try {
      const report = await sweep(target, jobs, timeoutMs);
      reports.push(report);
      const dir = path.join(ROOT, 'bench', 'results');
      fs.mkdirSync(dir, { recursive: true });
      // Quick runs with another size do not overwrite the reference figures.
      const file = path.join(dir, `${MODE === 'timers' ? 'timers' : 'jobs'}-sweep-${report.dialect}${jobs === DEFAULT_JOBS ? '' : `-${jobs}`}.json`);
      fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`  → ${path.relative(ROOT, file)}`);
    } finally {
      await target.cleanup();
    }
  }
  if (reports.length === 0) return 0;
  const m = reports[0]!.machine;
  console.log(`\n${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; one worker process, JOB_CONCURRENCY=${reports[0]!.settings.concurrency}; backlog: ${MODE === 'timers' ? 'workflow timers (one transition each)' : 'bench jobs (one insert each)'}.\n`);
  console.log(renderTable(reports));
  return reports.every((r) => r.ok) ? 0 : 1;
}

if (process.argv.includes('--worker')) {
  await workerMain();
} else {
  process.exitCode = await main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  });
}
