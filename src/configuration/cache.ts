import { LRUCache } from 'lru-cache';
import type { Executor } from '../db/transaction.js';

/**
 * The town's configuration — procedures, routing rules, departments — is read by every intake and
 * changes a few times a year. Each process keeps what it read for a few seconds instead of asking
 * the database again on every request (on PostgreSQL each question is a network round trip).
 *
 * A write made through this process calls `forgetConfiguration()` and is seen at once; another
 * process (a worker, a second server) sees it within `CONFIGURATION_TTL_MS`. Nothing that
 * protects access (tokens, roles) is cached here.
 */
export const CONFIGURATION_TTL_MS = 5_000;

/** One cache per database, so that two databases in one process (tests) never share entries. */
const caches = new WeakMap<Executor, LRUCache<string, { value: unknown }>>();
let generation = 0;

export async function cachedConfiguration<T>(db: Executor, key: string, load: () => Promise<T>): Promise<T> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new LRUCache({ max: 5_000, ttl: CONFIGURATION_TTL_MS })));
  const entryKey = `${generation}:${key}`;
  const hit = cache.get(entryKey);
  if (hit) return hit.value as T;
  const value = await load();
  cache.set(entryKey, { value });
  return value;
}

/** Called after any configuration write: every cache of this process starts afresh. */
export function forgetConfiguration(): void {
  generation += 1;
}
