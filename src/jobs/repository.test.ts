import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/db.js';
import type { Db } from '../db/database.js';
import { offlineKysely } from '../db/offline.js';
import { claimStatement, jobRepository } from './repository.js';

const T0 = '2030-01-01T08:00:00.000Z';
const plus = (ms: number, from = T0) => new Date(Date.parse(from) + ms).toISOString();

describe('job repository', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.kysely.deleteFrom('jobs').execute();
  });

  const enqueue = (type = 'test.noop', runAt = T0, extra: { dedupeKey?: string; maxAttempts?: number } = {}) =>
    jobRepository.enqueue(db.kysely, { type, payload: { n: 1 }, runAt, ...extra }, T0);

  it('enqueues a job once per dedupe key, and any number without one', async () => {
    const first = await enqueue('test.noop', T0, { dedupeKey: 'message:1' });
    expect(first).toBeTypeOf('number');
    expect(await enqueue('test.other', plus(1000), { dedupeKey: 'message:1' })).toBeNull();
    const a = await enqueue();
    const b = await enqueue();
    expect(a).not.toBe(b);
    const job = await jobRepository.findById(db.kysely, first!);
    expect(job).toMatchObject({ type: 'test.noop', payload: { n: 1 }, state: 'pending', runAt: T0, attempts: 0, maxAttempts: null, dedupeKey: 'message:1' });
    expect(await jobRepository.countByState(db.kysely)).toEqual({ pending: 3, running: 0, done: 0, dead: 0 });
  });

  it('enqueues in bulk, skipping known dedupe keys, and normalises timestamps', async () => {
    await enqueue('test.noop', T0, { dedupeKey: 'k1' });
    const inserted = await jobRepository.enqueueMany(
      db.kysely,
      Array.from({ length: 2_500 }, (_, i) => ({ type: 'test.bulk', payload: { i }, runAt: '2030-01-01T09:00:00+01:00', dedupeKey: `k${i}` })),
      T0,
    );
    expect(inserted).toBe(2_499);
    const [job] = await jobRepository.list(db.kysely, { type: 'test.bulk', limit: 1 });
    expect(job!.runAt).toBe(T0);
    await expect(enqueue('test.noop', 'demain')).rejects.toThrow(/Date invalide/);
  });

  it('claims due jobs in run_at order, leaving future ones, and completes only for the holder', async () => {
    const late = await enqueue('test.noop', plus(2_000));
    const early = await enqueue('test.noop', plus(-2_000));
    const future = await enqueue('test.noop', plus(60_000));
    const claimed = await jobRepository.claim(db, 'w1', 10, plus(5_000), 30_000);
    expect(claimed.map((j) => j.id)).toEqual(expect.arrayContaining([early, late]));
    expect(claimed).toHaveLength(2);
    expect(claimed[0]).toMatchObject({ state: 'running', lockedBy: 'w1', lockedUntil: plus(35_000), attempts: 1 });
    expect(await jobRepository.claim(db, 'w2', 10, plus(5_000), 30_000)).toEqual([]);

    expect(await jobRepository.complete(db.kysely, early!, 'w2', plus(6_000))).toBe(false);
    expect(await jobRepository.complete(db.kysely, early!, 'w1', plus(6_000))).toBe(true);
    expect(await jobRepository.findById(db.kysely, early!)).toMatchObject({ state: 'done', finishedAt: plus(6_000), lockedBy: 'w1', lockedUntil: null });
    expect(await jobRepository.complete(db.kysely, early!, 'w1', plus(7_000))).toBe(false);

    expect(await jobRepository.complete(db.kysely, late!, 'w1', plus(6_000))).toBe(true);
    const limited = await jobRepository.claim(db, 'w3', 1, plus(120_000), 30_000);
    expect(limited.map((j) => j.id)).toEqual([future]);
  });

  it('schedules a retry, then declares the job dead keeping its last error', async () => {
    const id = (await enqueue())!;
    await jobRepository.claim(db, 'w1', 1, T0, 30_000);
    expect(await jobRepository.fail(db.kysely, id, 'w2', 'pas moi', T0, plus(10_000))).toBe(false);
    expect(await jobRepository.fail(db.kysely, id, 'w1', 'Connexion refusée', T0, plus(10_000))).toBe(true);
    expect(await jobRepository.findById(db.kysely, id)).toMatchObject({ state: 'pending', runAt: plus(10_000), attempts: 1, lockedBy: null, lastError: 'Connexion refusée' });
    expect(await jobRepository.claim(db, 'w1', 1, plus(9_999), 30_000)).toEqual([]);

    const [again] = await jobRepository.claim(db, 'w1', 1, plus(10_000), 30_000);
    expect(again).toMatchObject({ id, attempts: 2 });
    expect(await jobRepository.fail(db.kysely, id, 'w1', 'x'.repeat(10_000), plus(10_000), null)).toBe(true);
    const dead = await jobRepository.findById(db.kysely, id);
    expect(dead).toMatchObject({ state: 'dead', attempts: 2, finishedAt: plus(10_000) });
    expect(dead!.lastError!.length).toBeLessThanOrEqual(4_000);
    expect(await jobRepository.listFailed(db.kysely)).toMatchObject([{ id, type: 'test.noop' }]);
  });

  it('puts dead jobs back in the queue with a fresh count of attempts', async () => {
    const ids = [(await enqueue())!, (await enqueue())!, (await enqueue())!];
    await jobRepository.claim(db, 'w1', 3, T0, 30_000);
    for (const id of ids) await jobRepository.fail(db.kysely, id, 'w1', 'boom', T0, null);
    expect(await jobRepository.retry(db.kysely, ids[0]!, plus(1_000))).toBe(true);
    expect(await jobRepository.retry(db.kysely, ids[0]!, plus(1_000))).toBe(false);
    expect(await jobRepository.findById(db.kysely, ids[0]!)).toMatchObject({ state: 'pending', attempts: 0, runAt: plus(1_000), finishedAt: null, lockedBy: null });
    expect(await jobRepository.retryAllDead(db.kysely, plus(2_000))).toBe(2);
    expect(await jobRepository.countByState(db.kysely)).toEqual({ pending: 3, running: 0, done: 0, dead: 0 });
  });

  it('lets another worker take over a job whose lease expired; the old holder can no longer settle it', async () => {
    const id = (await enqueue())!;
    await jobRepository.claim(db, 'crashed', 1, T0, 30_000);
    expect(await jobRepository.claim(db, 'w2', 1, plus(29_999), 30_000)).toEqual([]);
    const [taken] = await jobRepository.claim(db, 'w2', 1, plus(30_001), 30_000);
    expect(taken).toMatchObject({ id, lockedBy: 'w2', attempts: 2 });
    expect(await jobRepository.complete(db.kysely, id, 'crashed', plus(30_002))).toBe(false);
    expect(await jobRepository.fail(db.kysely, id, 'crashed', 'trop tard', plus(30_002), null)).toBe(false);
    expect(await jobRepository.complete(db.kysely, id, 'w2', plus(30_003))).toBe(true);
  });

  it('extends the leases of held jobs and releases unstarted ones without counting an attempt', async () => {
    const id = (await enqueue())!;
    await jobRepository.claim(db, 'w1', 1, T0, 30_000);
    expect(await jobRepository.extendLeases(db.kysely, [id], 'w2', plus(90_000), plus(20_000))).toBe(0);
    expect(await jobRepository.extendLeases(db.kysely, [id], 'w1', plus(90_000), plus(20_000))).toBe(1);
    expect(await jobRepository.claim(db, 'w2', 1, plus(60_000), 30_000)).toEqual([]);
    expect(await jobRepository.release(db.kysely, [id], 'w1', plus(61_000))).toBe(1);
    expect(await jobRepository.findById(db.kysely, id)).toMatchObject({ state: 'pending', attempts: 0, lockedBy: null, lockedUntil: null });
  });

  it('purges done jobs finished before a date, and keeps recent and dead ones', async () => {
    const old = (await enqueue('test.old'))!;
    const recent = (await enqueue('test.recent'))!;
    const dead = (await enqueue('test.dead'))!;
    await db.kysely.updateTable('jobs').set({ state: 'done', finished_at: plus(-30 * 86_400_000) }).where('id', '=', old).execute();
    await db.kysely.updateTable('jobs').set({ state: 'done', finished_at: plus(-86_400_000) }).where('id', '=', recent).execute();
    await db.kysely.updateTable('jobs').set({ state: 'dead', finished_at: plus(-30 * 86_400_000) }).where('id', '=', dead).execute();
    expect(await jobRepository.purgeDone(db.kysely, plus(-7 * 86_400_000), 100)).toBe(1);
    expect(await jobRepository.findById(db.kysely, old)).toBeUndefined();
    expect((await jobRepository.findById(db.kysely, recent))?.state).toBe('done');
    expect((await jobRepository.findById(db.kysely, dead))?.state).toBe('dead');
  });

  it('names the types of jobs still to run', async () => {
    await enqueue('b.type');
    await enqueue('a.type');
    const done = (await enqueue('c.type'))!;
    await jobRepository.claim(db, 'w1', 10, T0, 1_000);
    await jobRepository.complete(db.kysely, done, 'w1', T0);
    expect(await jobRepository.findPendingTypes(db.kysely)).toEqual(['a.type', 'b.type']);
  });
});

describe('claim SQL', () => {
  /** The claiming statements as each dialect receives them, kept in queries.sql for review. */
  it('matches the reviewed snapshot on both dialects', async () => {
    const sections: string[] = [];
    for (const dialect of ['sqlite', 'postgres'] as const) {
      for (const kind of ['expired', 'due'] as const) {
        const { sql } = claimStatement(offlineKysely(dialect), dialect, kind, { workerId: 'w', limit: 16, now: T0, lockedUntil: T0 }).compile();
        sections.push(`-- ${dialect}: claim ${kind === 'expired' ? 'running jobs whose lease expired' : 'due pending jobs'}\n${sql};\n`);
      }
    }
    await expect(sections.join('\n')).toMatchFileSnapshot('./queries.sql');
  });
});
