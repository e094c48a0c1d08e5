import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** What repositories run queries on: the database itself or an open transaction. */
export type Executor = Kysely<Database>;

/**
 * Runs `work` in one transaction: everything it writes commits together or not at all, and the
 * promise settles only once the commit is durable.
 *
 * PostgreSQL groups the commits of concurrent connections by itself. SQLite has one writer and
 * one fsync per commit, so here concurrent transactions are grouped: works queued while a batch
 * runs join the next one, each inside its own savepoint (a failing work rolls back alone), and
 * one COMMIT — one fsync — makes the whole batch durable before any of its callers is answered.
 * The batch begins IMMEDIATE so that a writer takes the lock up front instead of failing on
 * upgrade when another process (a CLI, a worker) writes at the same time.
 * `work` must not call `transaction()` itself: it would wait for the batch it is part of.
 */
export async function transaction<T>(db: Db, work: (trx: Executor) => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') return db.kysely.transaction().execute(work);
  let batcher = batchers.get(db.kysely);
  if (!batcher) batchers.set(db.kysely, (batcher = new SqliteBatcher(db.kysely)));
  return batcher.run(work);
}

/** Most works grouped under one commit: bounds the wait of the first one. */
const MAX_BATCH = 64;

interface Pending {
  work: (trx: Executor) => Promise<unknown>;
  settle: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void;
}

const batchers = new WeakMap<Kysely<Database>, SqliteBatcher>();

class SqliteBatcher {
  private queue: Pending[] = [];
  private running = false;

  constructor(private readonly kysely: Kysely<Database>) {}

  run<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, settle: (o) => (o.ok ? resolve(o.value as T) : reject(o.error)) });
      if (this.running) return;
      this.running = true;
      // Wait one turn of the event loop: requests already under way reach this queue and share
      // the commit, instead of each finding the connection busy and committing alone after.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const outcomes: Parameters<Pending['settle']>[0][] = [];
    try {
      await this.kysely.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          for (const item of batch) outcomes.push(await runInSavepoint(conn, item.work));
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      // The batch as a whole failed (commit, disk full…): nothing of it was written.
      for (const item of batch) item.settle({ ok: false, error });
      return;
    }
    batch.forEach((item, i) => item.settle(outcomes[i]!));
  }
}

/** Runs one work in a savepoint; its own failure is returned, a broken transaction thrown. */
async function runInSavepoint(conn: Executor, work: Pending['work']): Promise<Parameters<Pending['settle']>[0]> {
  await sql`savepoint work`.execute(conn);
  try {
    const value = await work(conn);
    await sql`release work`.execute(conn);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to work`.execute(conn);
    await sql`release work`.execute(conn);
    return { ok: false, error };
  }
}

/** JSON columns are text on both dialects (see database.ts); these two keep that in one place. */
export const toJson = (value: unknown): string => JSON.stringify(value);
export const fromJson = <T>(text: string | null): T => (text === null ? (null as T) : (JSON.parse(text) as T));
