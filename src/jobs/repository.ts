import type { Selectable } from 'kysely';
import type { Db, Dialect } from '../db/database.js';
import type { JobTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import { fromJson, toJson, transaction } from '../db/transaction.js';

export type JobState = JobTable['state'];
export const JOB_STATES: readonly JobState[] = ['pending', 'running', 'done', 'dead'];

/** A job as the rest of the module sees it. */
export interface Job {
  id: number;
  type: string;
  payload: Record<string, unknown>;
  state: JobState;
  runAt: string;
  /** Claims so far, the current one included: the attempt number while it runs. */
  attempts: number;
  /** Set when the job was enqueued with its own limit; null lets its type (or the default) decide. */
  maxAttempts: number | null;
  /** The worker running it, or that ran it last when done or dead. */
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface NewJob {
  type: string;
  payload: Record<string, unknown>;
  /** When the job becomes due (ISO-8601); now for immediate work. */
  runAt: string;
  /** A name for what the job is for: a second job with the same key is not enqueued. */
  dedupeKey?: string | null;
  maxAttempts?: number;
}

export interface JobFilter {
  state?: JobState;
  type?: string;
  /** Keyset cursor: list jobs older than this id (lists go newest first). */
  beforeId?: number;
  limit?: number;
}

/** Errors are kept for the `guichet jobs` listing, not as a log: a bounded excerpt is enough. */
const MAX_ERROR_LENGTH = 4_000;

/**
 * Every query on the jobs table. Timestamps are compared as values: on SQLite they are ISO-8601
 * text, so every timestamp written here goes through `iso()` to keep one sortable format.
 */
export const jobRepository = {
  /**
   * Adds a job, usually inside the transaction of the change that calls for it, so the work is
   * queued if and only if the change commits. Returns its id, or null when a job with the same
   * dedupe key already exists (nothing is written then).
   */
  async enqueue(db: Executor, job: NewJob, now: string): Promise<number | null> {
    const row = await db
      .insertInto('jobs')
      .values(newJobRow(job, iso(now)))
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row ? row.id : null;
  },

  /** Adds many jobs at once (seeding, bulk work); returns how many were new. */
  async enqueueMany(db: Executor, jobs: NewJob[], now: string): Promise<number> {
    const at = iso(now);
    let inserted = 0;
    // 10 parameters a row: 1,000 rows stay below SQLite's and PostgreSQL's parameter limits.
    for (let i = 0; i < jobs.length; i += 1_000) {
      const rows = await db
        .insertInto('jobs')
        .values(jobs.slice(i, i + 1_000).map((job) => newJobRow(job, at)))
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('id')
        .execute();
      inserted += rows.length;
    }
    return inserted;
  },

  /**
   * Takes up to `limit` jobs for `workerId` for `leaseMs`: running jobs whose lease expired (their
   * worker died) first, then due pending jobs in run_at order. Each taken job is running, counts
   * one more attempt and belongs to this worker until its lease ends.
   *
   * On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets concurrent workers claim side by side without
   * ever taking the same job; SQLite has one writer, and the transaction makes the select and the
   * update one step.
   */
  async claim(db: Db, workerId: string, limit: number, now: string, leaseMs: number): Promise<Job[]> {
    if (limit <= 0) return [];
    const at = iso(now);
    const lockedUntil = new Date(Date.parse(at) + leaseMs).toISOString();
    const take = async (trx: Executor) => {
      const expired = await claimStatement(trx, db.dialect, 'expired', { workerId, limit, now: at, lockedUntil }).execute();
      const due =
        expired.length < limit ? await claimStatement(trx, db.dialect, 'due', { workerId, limit: limit - expired.length, now: at, lockedUntil }).execute() : [];
      return [...expired, ...due].map(toJob);
    };
    return db.dialect === 'postgres' ? take(db.kysely) : transaction(db, take);
  },

  /** Pushes back the leases of jobs this worker still holds (a long handler, a queue of claimed jobs). */
  async extendLeases(db: Executor, ids: number[], workerId: string, lockedUntil: string, now: string): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await db
      .updateTable('jobs')
      .set({ locked_until: iso(lockedUntil), updated_at: iso(now) })
      .where('id', 'in', ids)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  },

  /**
   * Gives back jobs this worker claimed but did not start (it is stopping): pending again at once,
   * the claim not counted as an attempt, so another worker takes them without waiting for the lease.
   */
  async release(db: Executor, ids: number[], workerId: string, now: string): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await db
      .updateTable('jobs')
      .set((eb) => ({ state: 'pending', locked_by: null, locked_until: null, attempts: eb('attempts', '-', 1), updated_at: iso(now) }))
      .where('id', 'in', ids)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  },

  /**
   * Marks a job done. Only its current holder may: a job whose lease expired and that another
   * worker took over is left to that worker. Returns whether the job was updated.
   */
  async complete(db: Executor, id: number, workerId: string, now: string): Promise<boolean> {
    return (await jobRepository.completeMany(db, [id], workerId, now)) === 1;
  },

  /** `complete` for a batch of jobs of one worker, in one statement; returns how many were updated. */
  async completeMany(db: Executor, ids: number[], workerId: string, now: string): Promise<number> {
    if (ids.length === 0) return 0;
    const at = iso(now);
    const result = await db
      .updateTable('jobs')
      .set({ state: 'done', locked_until: null, finished_at: at, updated_at: at })
      .where('id', 'in', ids)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  },

  /**
   * Records a failed attempt: the job is pending again at `retryAt`, or dead when `retryAt` is
   * null. The error is kept either way. Like `complete`, only the current holder may.
   */
  async fail(db: Executor, id: number, workerId: string, error: string, now: string, retryAt: string | null): Promise<boolean> {
    const at = iso(now);
    const lastError = error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
    const result = await db
      .updateTable('jobs')
      .set(
        retryAt === null
          ? { state: 'dead', locked_until: null, last_error: lastError, finished_at: at, updated_at: at }
          : { state: 'pending', run_at: iso(retryAt), locked_by: null, locked_until: null, last_error: lastError, updated_at: at },
      )
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  async findById(db: Executor, id: number): Promise<Job | undefined> {
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  },

  /** Jobs newest first, optionally of one state or type. */
  async list(db: Executor, filter: JobFilter = {}): Promise<Job[]> {
    let query = db.selectFrom('jobs').selectAll();
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.type) query = query.where('type', '=', filter.type);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
    return rows.map(toJob);
  },

  /** Dead jobs, newest first: what an administrator looks at and may retry. */
  async listFailed(db: Executor, limit = 50): Promise<Job[]> {
    return jobRepository.list(db, { state: 'dead', limit });
  },

  /** Puts a dead job back in the queue, due now, with a fresh count of attempts. */
  async retry(db: Executor, id: number, now: string): Promise<boolean> {
    const result = await db.updateTable('jobs').set(retriedRow(iso(now))).where('id', '=', id).where('state', '=', 'dead').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** `retry` for every dead job; returns how many were put back. */
  async retryAllDead(db: Executor, now: string): Promise<number> {
    const result = await db.updateTable('jobs').set(retriedRow(iso(now))).where('state', '=', 'dead').executeTakeFirst();
    return Number(result.numUpdatedRows);
  },

  /**
   * Deletes up to `limit` jobs done before `before`. Their dedupe keys go with them, which is safe
   * for the keys the application uses (a message id, a timer's stay in a status, a past period):
   * none is enqueued again once its job is done. Dead jobs stay for admins to see and retry.
   */
  async purgeDone(db: Executor, before: string, limit: number): Promise<number> {
    const result = await db
      .deleteFrom('jobs')
      .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('state', '=', 'done').where('finished_at', '<', before).orderBy('id').limit(limit))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },

  async countByState(db: Executor): Promise<Record<JobState, number>> {
    const rows = await db
      .selectFrom('jobs')
      .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    const counts = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  },

  /** Types of the jobs still to run: a worker checks it has a handler for each before starting. */
  async findPendingTypes(db: Executor): Promise<string[]> {
    const rows = await db.selectFrom('jobs').select('type').distinct().where('state', 'in', ['pending', 'running']).orderBy('type').execute();
    return rows.map((r) => r.type);
  },
};

/**
 * One of the two claiming updates, exported so that its SQL can be kept in a snapshot
 * (src/jobs/queries.sql) and reviewed on both dialects.
 */
export function claimStatement(
  db: Executor,
  dialect: Dialect,
  kind: 'expired' | 'due',
  p: { workerId: string; limit: number; now: string; lockedUntil: string },
) {
  const candidates = db
    .selectFrom('jobs')
    .select('id')
    .$if(kind === 'expired', (q) => q.where('state', '=', 'running').where('locked_until', '<', p.now))
    .$if(kind === 'due', (q) => q.where('state', '=', 'pending').where('run_at', '<=', p.now))
    .orderBy('run_at')
    .limit(p.limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked());
  return db
    .updateTable('jobs')
    .set((eb) => ({ state: 'running', locked_by: p.workerId, locked_until: p.lockedUntil, attempts: eb('attempts', '+', 1), updated_at: p.now }))
    .where('id', 'in', candidates)
    .returningAll();
}

function newJobRow(job: NewJob, now: string) {
  return {
    type: job.type,
    payload: toJson(job.payload),
    state: 'pending' as const,
    run_at: iso(job.runAt),
    max_attempts: job.maxAttempts ?? null,
    dedupe_key: job.dedupeKey ?? null,
    created_at: now,
    updated_at: now,
  };
}

function retriedRow(now: string) {
  return { state: 'pending' as const, run_at: now, attempts: 0, locked_by: null, locked_until: null, finished_at: null, updated_at: now };
}

/** One text format for every timestamp, whatever offset or precision the caller used. */
function iso(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`Date invalide : ${value}`);
  return new Date(ms).toISOString();
}

function toJob(row: Selectable<JobTable>): Job {
  return {
    id: Number(row.id),
    type: row.type,
    payload: fromJson<Record<string, unknown>>(row.payload),
    state: row.state,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    dedupeKey: row.dedupe_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
