/**
 * The worker: claims due jobs, runs their handlers with bounded concurrency, and records each
 * outcome — done, retried later with exponential back-off, or dead.
 *
 * Delivery is at-least-once. A job is marked done only after its handler returned; a worker
 * killed in between leaves the job running under a lease that expires, and another worker runs
 * it again. Handlers are therefore written to be idempotent (see registry.ts).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Db } from '../db/database.js';
import { transaction } from '../db/transaction.js';
import { DEFAULT_JOB_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS, PermanentJobFailure, type JobContext, type JobRegistry, type JobType } from './registry.js';
import { jobRepository, type Job } from './repository.js';

export interface WorkerOptions {
  /** Handlers running at once in this process. */
  concurrency: number;
  /** Wait between two polls when the last one found nothing, in ms (default 500). */
  pollMs?: number;
  /** Name written in locked_by; unique per process by default. */
  workerId?: string;
  /** How long a claim holds a job before another worker may take it over, in ms (default 60 s). */
  leaseMs?: number;
  /** First retry delay, doubled at each attempt up to one hour, in ms (default 10 s). */
  backoffBaseMs?: number;
  /** The current time as ISO-8601; tests pass a fake one. */
  clock?: () => string;
}

export const DEFAULT_POLL_MS = 500;
export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_BACKOFF_BASE_MS = 10_000;
export const MAX_BACKOFF_MS = 3_600_000;
/** Failed writes of outcomes retried this many times before leaving the jobs to lease expiry. */
const OUTCOME_WRITE_ATTEMPTS = 5;

/**
 * Delay before retrying after the `attempt`-th failure: base × 2^(attempt−1), at most one hour,
 * minus up to 25 % of random jitter so that jobs failing together do not retry together.
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const nominal = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.round(nominal * (1 - 0.25 * random()));
}

/**
 * Refuses to start a worker while jobs wait whose type has no handler here: they would all die.
 * Job types are declared with their handler (src/jobs/catalogue.ts) and checked at start-up.
 */
export async function assertKnownJobTypes(db: Db, registry: JobRegistry): Promise<void> {
  const unknown = (await jobRepository.findPendingTypes(db.kysely)).filter((type) => !registry.get(type));
  if (unknown.length > 0) {
    throw new Error(
      `Des tâches en attente ont un type sans gestionnaire déclaré : ${unknown.join(', ')}. ` +
        'Déclarez-le dans src/jobs/catalogue.ts (ou démarrez la version de Guichet qui les a créées), puis relancez.',
    );
  }
}

/** A running worker; `stop()` stops claiming, gives back unstarted jobs and waits for running handlers. */
export interface Worker {
  readonly id: string;
  stop(): Promise<void>;
}

/**
 * Starts the polling loop. It claims in batches (up to twice the concurrency, so handlers never
 * wait for a poll), polls again at once while it finds work and waits `pollMs` when it does not.
 * A handler's exception fails its job, never the process; a database error is logged and the loop
 * tries again at the next poll.
 */
export function startWorker(ctx: JobContext, registry: JobRegistry, options: WorkerOptions): Worker {
  const runner = new Runner(ctx, registry, options);
  const concurrency = Math.max(1, options.concurrency);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const buffer: Job[] = [];
  const running = new Set<Promise<void>>();
  let stopping = false;
  // True while claims find work: a finishing handler then wakes the loop to claim its successor.
  let busy = false;
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  const startNext = () => {
    while (!stopping && running.size < concurrency && buffer.length > 0) {
      const job = buffer.shift()!;
      const run: Promise<void> = runner.execute(job).then((outcome) => {
        running.delete(run);
        runner.record(outcome);
        startNext();
        if (busy) wake?.();
      });
      running.add(run);
    }
  };

  const loop = async () => {
    while (!stopping) {
      const held = running.size + buffer.length;
      let found = 0;
      if (held <= concurrency) {
        try {
          const jobs = await runner.claim(2 * concurrency - held);
          found = jobs.length;
          buffer.push(...jobs);
          startNext();
        } catch (error) {
          ctx.log.error({ err: error, workerId: runner.workerId }, 'job claim failed');
        }
      }
      busy = found > 0 || held > concurrency;
      if (stopping) break;
      if (found > 0 && running.size + buffer.length <= concurrency) continue;
      await sleep(pollMs);
    }
  };

  const periodic = registry.periodic();
  let enqueueing: Promise<unknown> = Promise.resolve();
  const enqueuePeriodic = () => {
    enqueueing = enqueuePeriodicRuns(ctx, periodic, runner.now()).catch((error: unknown) => ctx.log.error({ err: error }, 'could not enqueue periodic jobs'));
  };
  const clockTimer = periodic.length > 0 ? setInterval(enqueuePeriodic, Math.min(60_000, ...periodic.map((t) => t.every!))) : null;
  clockTimer?.unref();
  enqueuePeriodic();

  ctx.log.info({ workerId: runner.workerId, concurrency, types: registry.types() }, 'job worker started');
  const looping = loop();
  let stopped: Promise<void> | null = null;
  return {
    id: runner.workerId,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (clockTimer) clearInterval(clockTimer);
        wake?.();
        await Promise.all([looping, enqueueing]);
        await runner.release(buffer.splice(0));
        await Promise.all(running);
        await runner.close();
        ctx.log.info({ workerId: runner.workerId }, 'job worker stopped');
      })();
      return stopped;
    },
  };
}

/**
 * Runs every job due now, and those they make due now, then returns how many jobs were taken
 * (run, or failed at once for want of a handler). For tests and `guichet jobs run`; a job that
 * fails is retried after its back-off delay, so it does not run twice in one call.
 */
export async function runDueJobs(ctx: JobContext, registry: JobRegistry, options: Partial<WorkerOptions> = {}): Promise<number> {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const runner = new Runner(ctx, registry, { ...options, concurrency });
  let taken = 0;
  try {
    for (;;) {
      const jobs = await runner.claim(2 * concurrency);
      if (jobs.length === 0) return taken;
      taken += jobs.length;
      let next = 0;
      const lane = async () => {
        while (next < jobs.length) runner.record(await runner.execute(jobs[next++]!));
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
      await runner.settled();
    }
  } finally {
    await runner.close();
  }
}

/**
 * Enqueues the current period's run of each periodic type, keyed by the period's start: every
 * worker may do it, only the first insert of a period counts.
 */
export async function enqueuePeriodicRuns(ctx: JobContext, types: JobType[], now: string): Promise<number> {
  const jobs = types.map((t) => {
    const start = new Date(Math.floor(Date.parse(now) / t.every!) * t.every!).toISOString();
    return { type: t.type, payload: {}, runAt: start, dedupeKey: `every:${t.type}:${start}` };
  });
  if (jobs.length === 0) return 0;
  return transaction(ctx.db, (trx) => jobRepository.enqueueMany(trx, jobs, now));
}

type Outcome = { job: Job; ok: true } | { job: Job; ok: false; error: string; retryAt: string | null };

/**
 * What both the loop and `runDueJobs` do with a job: claim it, run it, and write its outcome.
 * Outcomes are written in batches — one transaction for whatever finished meanwhile — and the
 * leases of held jobs are renewed in the background so that a long handler keeps its job.
 */
class Runner {
  readonly workerId: string;
  private readonly leaseMs: number;
  private readonly backoffBaseMs: number;
  private readonly pollMs: number;
  private readonly clock: () => string;
  /** Jobs claimed and not yet recorded: their leases are renewed. */
  private readonly held = new Set<number>();
  private outcomes: Outcome[] = [];
  private writing: Promise<void> | null = null;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly ctx: JobContext,
    private readonly registry: JobRegistry,
    options: WorkerOptions,
  ) {
    this.workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.clock = options.clock ?? (() => new Date().toISOString());
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  now(): string {
    return this.clock();
  }

  async claim(limit: number): Promise<Job[]> {
    const jobs = await jobRepository.claim(this.ctx.db, this.workerId, limit, this.clock(), this.leaseMs);
    for (const job of jobs) this.held.add(job.id);
    return jobs;
  }

  /** Runs one job's handler; never throws — a failure is an outcome like any other. */
  async execute(job: Job): Promise<Outcome> {
    const jobType = this.registry.get(job.type);
    if (!jobType) {
      this.ctx.log.error({ jobId: job.id, type: job.type }, 'job of unknown type declared dead');
      return { job, ok: false, error: `Type de tâche inconnu : « ${job.type} » (aucun gestionnaire déclaré dans ce processus).`, retryAt: null };
    }
    const maxAttempts = job.maxAttempts ?? jobType.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (job.attempts > maxAttempts) {
      // The last allowed attempt never reported back: the process died or lost the job's lease.
      this.ctx.log.error({ jobId: job.id, type: job.type, attempts: job.attempts }, 'job abandoned after an interrupted last attempt');
      return { job, ok: false, error: `Abandonnée : la tentative ${maxAttempts}/${maxAttempts} a été interrompue (arrêt du processus ou bail expiré).`, retryAt: null };
    }
    const log = this.ctx.log.child({ jobId: job.id, type: job.type, attempt: job.attempts });
    try {
      await withTimeout(jobType.handle({ ...this.ctx, log }, job.payload, { id: job.id, attempt: job.attempts }), jobType.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS);
      return { job, ok: true };
    } catch (error) {
      const last = job.attempts >= maxAttempts || error instanceof PermanentJobFailure;
      log.warn({ err: error, final: last }, last ? 'job failed for the last time' : 'job failed, will retry');
      const retryAt = last ? null : new Date(Date.parse(this.clock()) + backoffDelay(job.attempts, this.backoffBaseMs)).toISOString();
      return { job, ok: false, error: describe(error), retryAt };
    }
  }

  /** Queues an outcome for the next batched write. */
  record(outcome: Outcome): void {
    this.outcomes.push(outcome);
    this.startWriting();
  }

  /** Resolves once every recorded outcome has been written (or given up on). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Gives back claimed jobs that will not be started. */
  async release(jobs: Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const ids = jobs.map((j) => j.id);
    try {
      await transaction(this.ctx.db, (trx) => jobRepository.release(trx, ids, this.workerId, this.clock()));
    } catch (error) {
      this.ctx.log.warn({ err: error, jobIds: ids }, 'could not release jobs; they will be taken over when their lease expires');
    }
    for (const id of ids) this.held.delete(id);
  }

  async close(): Promise<void> {
    await this.settled();
    clearInterval(this.heartbeat);
  }

  private startWriting(): void {
    if (this.writing) return;
    this.writing = this.writeOutcomes().finally(() => {
      this.writing = null;
      // Recorded between the end of the last batch and now: write them too.
      if (this.outcomes.length > 0) this.startWriting();
    });
  }

  private async writeOutcomes(): Promise<void> {
    let failures = 0;
    while (this.outcomes.length > 0) {
      const batch = this.outcomes.splice(0);
      try {
        const lost = await this.write(batch);
        if (lost > 0) this.ctx.log.warn({ workerId: this.workerId, lost }, 'jobs finished after their lease was taken over; their outcome was not recorded');
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures < OUTCOME_WRITE_ATTEMPTS) {
          this.ctx.log.error({ err: error }, 'could not record job outcomes; retrying');
          this.outcomes.unshift(...batch);
          await new Promise((resolve) => setTimeout(resolve, this.pollMs));
          continue;
        }
        // The jobs stay running under this worker's lease: once it expires they run again.
        this.ctx.log.error({ err: error, jobIds: batch.map((o) => o.job.id) }, 'could not record job outcomes; they will run again');
      }
      for (const outcome of batch) this.held.delete(outcome.job.id);
    }
  }

  /** Writes a batch of outcomes in one transaction; returns how many jobs were no longer ours. */
  private async write(batch: Outcome[]): Promise<number> {
    const now = this.clock();
    const done = batch.filter((o) => o.ok).map((o) => o.job.id);
    return transaction(this.ctx.db, async (trx) => {
      let recorded = await jobRepository.completeMany(trx, done, this.workerId, now);
      for (const o of batch) {
        if (!o.ok && (await jobRepository.fail(trx, o.job.id, this.workerId, o.error, now, o.retryAt))) recorded += 1;
      }
      return batch.length - recorded;
    });
  }

  private async renewLeases(): Promise<void> {
    if (this.held.size === 0) return;
    const now = this.clock();
    const until = new Date(Date.parse(now) + this.leaseMs).toISOString();
    try {
      await transaction(this.ctx.db, (trx) => jobRepository.extendLeases(trx, [...this.held], this.workerId, until, now));
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'could not renew job leases');
    }
  }
}

/** The message kept in last_error: the error's own message, with its cause when it has one. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause : ${error.cause.message})` : '';
  return `${error.message || error.name}${cause}`;
}

/**
 * The handler's promise, or a failure once `ms` have passed. The handler itself cannot be
 * cancelled; its job is failed (and retried later), so the worker moves on and can stop.
 */
async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Délai dépassé : la tâche n’a pas fini en ${Math.round(ms / 1000)} s.`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
