import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/db.js';
import { loadConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { defineJobType, JobRegistry, type JobContext, type JobType } from './registry.js';
import { jobRepository } from './repository.js';
import { assertKnownJobTypes, backoffDelay, enqueuePeriodicRuns, MAX_BACKOFF_MS, runDueJobs, startWorker } from './worker.js';

const T0 = '2030-01-01T08:00:00.000Z';
const plus = (ms: number, from = T0) => new Date(Date.parse(from) + ms).toISOString();
/** Background workers read the real clock; T0 is years ahead of it. */
const realNow = () => new Date().toISOString();

describe('back-off', () => {
  it('doubles from the base up to one hour, with at most 25 % of jitter below', () => {
    expect(backoffDelay(1, 10_000, () => 0)).toBe(10_000);
    expect(backoffDelay(2, 10_000, () => 0)).toBe(20_000);
    expect(backoffDelay(4, 10_000, () => 0)).toBe(80_000);
    expect(backoffDelay(4, 10_000, () => 1)).toBe(60_000);
    expect(backoffDelay(20, 10_000, () => 0)).toBe(MAX_BACKOFF_MS);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, 10_000);
      expect(d).toBeGreaterThanOrEqual(30_000);
      expect(d).toBeLessThanOrEqual(40_000);
    }
  });
});

describe('job registry', () => {
  const noop = (type: string): JobType => ({ type, description: type, handle: async () => undefined });
  it('refuses a type declared twice and finds the others', () => {
    expect(() => new JobRegistry([noop('a'), noop('b'), noop('a')])).toThrow(/déclaré deux fois : a/);
    const registry = new JobRegistry([noop('a'), noop('b')]);
    expect(registry.types()).toEqual(['a', 'b']);
    expect(registry.get('b')?.type).toBe('b');
    expect(registry.get('c')).toBeUndefined();
  });
});

describe('worker', () => {
  let db: Db;
  let ctx: JobContext;
  /** What the test handlers did, by job id. */
  let effects: Map<number, number>;
  let failures: Map<number, number>;
  let registry: JobRegistry;

  const record = defineJobType<{ fail?: number; delayMs?: number }>({
    type: 'test.record',
    description: 'Enregistre son passage',
    maxAttempts: 3,
    async handle(_ctx, payload, job) {
      if (payload.delayMs) await new Promise((r) => setTimeout(r, payload.delayMs));
      if ((failures.get(job.id) ?? 0) < (payload.fail ?? 0)) {
        failures.set(job.id, (failures.get(job.id) ?? 0) + 1);
        throw new Error(`Échec n° ${job.attempt}`);
      }
      effects.set(job.id, (effects.get(job.id) ?? 0) + 1);
    },
  });

  beforeAll(async () => {
    db = await freshDb();
    ctx = { db, config: loadConfig({ LOG_LEVEL: 'silent' }), log: pino({ level: 'silent' }) };
    registry = new JobRegistry([record]);
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.kysely.deleteFrom('jobs').execute();
    effects = new Map();
    failures = new Map();
  });

  const enqueue = (payload: Record<string, unknown> = {}, runAt = T0, type = 'test.record', maxAttempts?: number) =>
    jobRepository.enqueue(db.kysely, { type, payload, runAt, ...(maxAttempts ? { maxAttempts } : {}) }, T0).then((id) => id!);

  it('runs every due job once and marks it done, leaving future jobs', async () => {
    const ids = await Promise.all(Array.from({ length: 40 }, () => enqueue()));
    const later = await enqueue({}, plus(60_000));
    expect(await runDueJobs(ctx, registry, { clock: () => plus(1_000), concurrency: 4 })).toBe(40);
    expect(ids.every((id) => effects.get(id) === 1)).toBe(true);
    expect(effects.has(later)).toBe(false);
    expect(await jobRepository.countByState(db.kysely)).toEqual({ pending: 1, running: 0, done: 40, dead: 0 });
    expect(await runDueJobs(ctx, registry, { clock: () => plus(1_000) })).toBe(0);
  });

  it('retries with back-off, then declares the job dead after its last attempt, keeping the error', async () => {
    const id = await enqueue({ fail: 99 });
    let now = T0;
    const options = { clock: () => now, backoffBaseMs: 10_000 };
    expect(await runDueJobs(ctx, registry, options)).toBe(1);
    const first = (await jobRepository.findById(db.kysely, id))!;
    expect(first).toMatchObject({ state: 'pending', attempts: 1, lastError: 'Échec n° 1' });
    const delay = Date.parse(first.runAt) - Date.parse(T0);
    expect(delay).toBeGreaterThanOrEqual(7_500);
    expect(delay).toBeLessThanOrEqual(10_000);
    expect(await runDueJobs(ctx, registry, options)).toBe(0);

    now = first.runAt;
    await runDueJobs(ctx, registry, options);
    const second = (await jobRepository.findById(db.kysely, id))!;
    expect(Date.parse(second.runAt) - Date.parse(now)).toBeGreaterThanOrEqual(15_000);

    now = second.runAt;
    await runDueJobs(ctx, registry, options);
    // maxAttempts 3 on the type: the third failure is the last.
    expect(await jobRepository.findById(db.kysely, id)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'Échec n° 3' });
    expect(effects.has(id)).toBe(false);
  });

  it('honours a per-job limit and succeeds after transient failures', async () => {
    const once = await enqueue({ fail: 1 }, T0, 'test.record', 1);
    const twice = await enqueue({ fail: 2 });
    for (let i = 0; i < 3; i++) await runDueJobs(ctx, registry, { backoffBaseMs: 0, clock: () => plus(i) });
    expect(await jobRepository.findById(db.kysely, once)).toMatchObject({ state: 'dead', attempts: 1 });
    expect(await jobRepository.findById(db.kysely, twice)).toMatchObject({ state: 'done', attempts: 3, lastError: 'Échec n° 2' });
    expect(effects.get(twice)).toBe(1);
  });

  it('fails a run that outlasts its type’s time limit, and retries it later', async () => {
    const stuck = defineJobType<Record<string, never>>({
      type: 'test.stuck',
      description: 'Ne répond jamais',
      timeoutMs: 50,
      handle: () => new Promise<void>(() => {}),
    });
    const id = await enqueue({}, T0, 'test.stuck');
    const started = Date.now();
    expect(await runDueJobs(ctx, new JobRegistry([record, stuck]), { clock: () => plus(1) })).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    const job = (await jobRepository.findById(db.kysely, id))!;
    expect(job).toMatchObject({ state: 'pending', attempts: 1 });
    expect(job.lastError).toContain('Délai dépassé');
  });

  it('runs a retried dead job again', async () => {
    const id = await enqueue({ fail: 3 });
    for (let i = 0; i < 3; i++) await runDueJobs(ctx, registry, { backoffBaseMs: 0, clock: () => plus(i) });
    expect((await jobRepository.findById(db.kysely, id))!.state).toBe('dead');
    expect(await jobRepository.retry(db.kysely, id, plus(10))).toBe(true);
    await runDueJobs(ctx, registry, { clock: () => plus(10) });
    expect(await jobRepository.findById(db.kysely, id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(effects.get(id)).toBe(1);
  });

  it('declares a job of unknown type dead at once, with a clear error, and refuses to start a worker for it', async () => {
    const id = await enqueue({}, T0, 'test.nobody');
    await expect(assertKnownJobTypes(db, registry)).rejects.toThrow(/type sans gestionnaire déclaré : test\.nobody/);
    expect(await runDueJobs(ctx, registry, { clock: () => T0 })).toBe(1);
    expect(await jobRepository.findById(db.kysely, id)).toMatchObject({ state: 'dead', attempts: 1, lastError: expect.stringMatching(/Type de tâche inconnu : « test\.nobody »/) });
    await expect(assertKnownJobTypes(db, registry)).resolves.toBeUndefined();
  });

  it('abandons a job whose last attempt was interrupted instead of running it again', async () => {
    const id = await enqueue();
    // Three claims by workers that died before reporting (maxAttempts of the type is 3).
    for (let i = 0; i < 3; i++) await jobRepository.claim(db, `dead-${i}`, 1, plus(i * 120_000), 60_000);
    await runDueJobs(ctx, registry, { clock: () => plus(3 * 120_000) });
    expect(await jobRepository.findById(db.kysely, id)).toMatchObject({ state: 'dead', attempts: 4, lastError: expect.stringMatching(/interrompue/) });
    expect(effects.has(id)).toBe(false);
  });

  it('runs jobs in the background with bounded concurrency, survives failing handlers, and stops cleanly', async () => {
    let active = 0;
    let peak = 0;
    const seen = new Map<number, number>();
    const tracked = new JobRegistry([
      {
        type: 'test.tracked',
        description: 'Compte les exécutions simultanées',
        async handle(_ctx, payload: { boom?: boolean }, job) {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active -= 1;
          seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
          if (payload.boom) throw new Error('boum');
        },
      },
    ]);
    const ids = await jobRepository.enqueueMany(
      db.kysely,
      Array.from({ length: 60 }, (_, i) => ({ type: 'test.tracked', payload: { boom: i % 10 === 0 }, runAt: realNow() })),
      realNow(),
    );
    expect(ids).toBe(60);
    const worker = startWorker(ctx, tracked, { concurrency: 3, pollMs: 20 });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const counts = await jobRepository.countByState(db.kysely);
      if (counts.done === 54 && counts.pending === 6) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await worker.stop();
    expect(await jobRepository.countByState(db.kysely)).toEqual({ pending: 6, running: 0, done: 54, dead: 0 });
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seen.size).toBe(60);
  });

  it('finishes running handlers on stop and gives back the jobs it had not started', async () => {
    for (let i = 0; i < 6; i++) await enqueue({ delayMs: 200 }, realNow());
    const worker = startWorker(ctx, registry, { concurrency: 2, pollMs: 20 });
    const deadline = Date.now() + 5_000;
    while ((await jobRepository.countByState(db.kysely)).running === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await worker.stop();
    const counts = await jobRepository.countByState(db.kysely);
    expect(counts).toEqual({ pending: 4, running: 0, done: 2, dead: 0 });
    const pending = await jobRepository.list(db.kysely, { state: 'pending' });
    expect(pending.every((j) => j.attempts === 0 && j.lockedBy === null)).toBe(true);
  });

  it('enqueues one run per period of a periodic type, however many workers ask', async () => {
    let sweeps = 0;
    const sweep = defineJobType<Record<string, never>>({ type: 'test.sweep', description: 'Balayage', every: 3_600_000, handle: async () => void (sweeps += 1) });
    expect(() => new JobRegistry([{ ...sweep, every: 10 }])).toThrow(/Période invalide/);
    expect(await enqueuePeriodicRuns(ctx, [sweep], '2030-01-01T08:05:30.000Z')).toBe(1);
    expect(await enqueuePeriodicRuns(ctx, [sweep], '2030-01-01T08:59:59.999Z')).toBe(0);
    expect(await enqueuePeriodicRuns(ctx, [sweep], '2030-01-01T09:00:00.000Z')).toBe(1);
    const runs = await jobRepository.list(db.kysely, { type: 'test.sweep' });
    expect(runs.map((j) => [j.runAt, j.dedupeKey])).toEqual([
      ['2030-01-01T09:00:00.000Z', 'every:test.sweep:2030-01-01T09:00:00.000Z'],
      ['2030-01-01T08:00:00.000Z', 'every:test.sweep:2030-01-01T08:00:00.000Z'],
    ]);
    await db.kysely.deleteFrom('jobs').execute();

    // Two workers start within the same period: the sweep runs once.
    const registry = new JobRegistry([sweep]);
    const workers = [startWorker(ctx, registry, { concurrency: 1, pollMs: 20 }), startWorker(ctx, registry, { concurrency: 1, pollMs: 20 })];
    const deadline = Date.now() + 5_000;
    while ((await jobRepository.countByState(db.kysely)).done === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(workers.map((w) => w.stop()));
    expect(sweeps).toBe(1);
  });

  it('keeps the lease of a long handler alive', async () => {
    const id = await enqueue({ delayMs: 400 }, realNow());
    const worker = startWorker(ctx, registry, { concurrency: 1, pollMs: 20, leaseMs: 150 });
    // A second worker polls meanwhile: it must not take the job over while its holder renews it.
    const rival = startWorker(ctx, registry, { concurrency: 1, pollMs: 20, leaseMs: 150 });
    const deadline = Date.now() + 5_000;
    while ((await jobRepository.findById(db.kysely, id))!.state !== 'done' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([worker.stop(), rival.stop()]);
    expect(await jobRepository.findById(db.kysely, id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(effects.get(id)).toBe(1);
  });
});
