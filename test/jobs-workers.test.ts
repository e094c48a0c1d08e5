import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRepository } from '../src/jobs/repository.js';
import { killChildren, sharedDatabase, spawnWorker, until, type SharedDatabase } from './fixtures/jobs-children.js';

/**
 * Several worker processes share one queue without ever running a job twice: two workers take
 * 10,000 jobs whose handler records (job, worker) under a unique constraint on the job, so a
 * second run of any job would fail and show as a retried job. PostgreSQL only: it is where
 * several machines run workers against one database (FOR UPDATE SKIP LOCKED).
 */
const JOBS = 10_000;
const pg = Boolean(process.env.TEST_DATABASE_URL);
let shared: SharedDatabase | undefined;

if (!pg) console.warn('Test des deux processus de tâches ignoré : il faut PostgreSQL (définissez TEST_DATABASE_URL).');

describe.skipIf(!pg)('two worker processes on PostgreSQL', () => {
  beforeAll(async () => {
    shared = await sharedDatabase('jobs_workers');
  });
  afterAll(async () => {
    killChildren();
    await shared?.drop();
  });

  it(`run ${JOBS.toLocaleString('en-US')} jobs exactly once between them`, async () => {
    const { db, env } = shared!;
    const workers = ['alpha', 'beta'].map((name) => spawnWorker('work', { ...env, JOBS_TEST_NAME: name, JOBS_TEST_CONCURRENCY: '8' }));
    await Promise.all(workers.map((w) => w.line(/^ready /)));

    const now = new Date().toISOString();
    const inserted = await jobRepository.enqueueMany(
      db.kysely,
      Array.from({ length: JOBS }, (_, i) => ({ type: 'test.unique', payload: { i }, runAt: now })),
      now,
    );
    expect(inserted).toBe(JOBS);
    await until(async () => (await jobRepository.countByState(db.kysely)).done === JOBS, 90_000, 'every job to be done');
    for (const w of workers) w.process.kill('SIGTERM');
    for (const w of workers) expect((await w.exited).code).toBe(0);

    expect(await jobRepository.countByState(db.kysely)).toEqual({ pending: 0, running: 0, done: JOBS, dead: 0 });
    const retried = await sql<{ n: number }>`select count(*) as n from jobs where attempts <> 1 or last_error is not null`.execute(db.kysely);
    expect(Number(retried.rows[0]!.n)).toBe(0);

    const byWorker = await sql<{ worker: string; n: number; distinct_jobs: number }>`
      select split_part(worker, '-', 1) as worker, count(*) as n, count(distinct job_id) as distinct_jobs
      from jobs_test_unique group by 1 order by 1`.execute(db.kysely);
    const rows = byWorker.rows.map((r) => ({ worker: r.worker, n: Number(r.n), distinct: Number(r.distinct_jobs) }));
    expect(rows.map((r) => r.worker)).toEqual(['alpha', 'beta']);
    expect(rows.every((r) => r.n > 0 && r.n === r.distinct)).toBe(true);
    expect(rows.reduce((sum, r) => sum + r.n, 0)).toBe(JOBS);

    // The job row names the worker that ran it: the same one the handler recorded.
    const mismatched = await sql<{ n: number }>`select count(*) as n from jobs j join jobs_test_unique u on u.job_id = j.id where j.locked_by <> u.worker`.execute(db.kysely);
    expect(Number(mismatched.rows[0]!.n)).toBe(0);
    console.log(`[jobs-workers] ${rows.map((r) => `${r.worker}: ${r.n}`).join(', ')}`);
  }, 120_000);
});
