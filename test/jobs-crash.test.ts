import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRepository } from '../src/jobs/repository.js';
import { killChildren, sharedDatabase, spawnWorker, until, type SharedDatabase } from './fixtures/jobs-children.js';

/**
 * Durable jobs survive the death of their process. A worker process enqueues a job due a few
 * seconds later and starts another that hangs, and is killed with SIGKILL before the first is due
 * and while the second runs. A new worker process runs the first when it is due and takes the
 * second over once the dead worker's lease expires: each job's effect happens exactly once.
 */
let shared: SharedDatabase;

beforeAll(async () => {
  shared = await sharedDatabase('jobs_crash');
});
afterAll(async () => {
  killChildren();
  await shared?.drop();
});

describe('jobs across a SIGKILL', { timeout: 120_000 }, () => {
  it('runs a job scheduled before the crash, and re-runs an interrupted one, with one effect each', async () => {
    const db = shared.db.kysely;
    const lease = { JOBS_TEST_LEASE_MS: '1500' };
    const first = spawnWorker('enqueue-and-work', { ...shared.env, ...lease, JOBS_TEST_NAME: 'first', JOBS_TEST_DELAY_MS: '4000' });
    const [, later, hanging] = (await first.line(/^enqueued (\d+) (\d+)$/)).map(Number);
    await first.line(new RegExp(`^hanging ${hanging}$`));
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // The premise: the scheduled job was not due yet, the other one was taken and never finished.
    expect(await jobRepository.findById(db, later!)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await jobRepository.findById(db, hanging!)).toMatchObject({ state: 'running', attempts: 1, lockedBy: expect.stringMatching(/^first-/) });

    const second = spawnWorker('work', { ...shared.env, ...lease, JOBS_TEST_NAME: 'second' });
    await second.line(/^ready /);
    await until(async () => (await jobRepository.countByState(db)).done === 2, 30_000, 'both jobs to be done');
    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    expect(await jobRepository.findById(db, later!)).toMatchObject({ state: 'done', attempts: 1, lockedBy: expect.stringMatching(/^second-/) });
    expect(await jobRepository.findById(db, hanging!)).toMatchObject({ state: 'done', attempts: 2, lockedBy: expect.stringMatching(/^second-/) });

    const effects = (await sql<{ job_id: number; worker: string }>`select job_id, worker from jobs_test_effects order by job_id`.execute(db)).rows;
    expect(new Map(effects.map((e) => [Number(e.job_id), e.worker.split('-')[0]]))).toEqual(
      new Map([
        [later, 'second'],
        [hanging, 'first'],
      ]),
    );
    // The interrupted job did run twice — at-least-once — and its idempotent effect counted once.
    const runs = (await sql<{ job_id: number; attempt: number; worker: string }>`select job_id, attempt, worker from jobs_test_runs order by job_id, attempt`.execute(db)).rows;
    expect(runs.filter((r) => Number(r.job_id) === hanging).map((r) => [r.attempt, r.worker.split('-')[0]])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
    expect(runs.filter((r) => Number(r.job_id) === later)).toHaveLength(1);
  }, 60_000);
});
