import { createHash } from 'node:crypto';
import type { Executor } from '../db/transaction.js';
import { fromJson, toJson } from '../db/transaction.js';

/** A retry-safety key as given by a client, scoped to who sent it so clients cannot collide. */
export interface IdempotencyKey {
  scope: string;
  key: string;
  requestHash: string;
}

/** A stable hash of a request body: the same key with another body is a client bug, not a retry. */
export function hashRequest(body: unknown): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Every query on idempotency keys. */
export const idempotencyRepository = {
  async find<T>(db: Executor, scope: string, key: string): Promise<{ requestHash: string; response: T } | undefined> {
    const row = await db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'response'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? { requestHash: row.request_hash, response: fromJson<T>(row.response) } : undefined;
  },

  /** Fails with a unique violation when another request took the key first: the caller replays it. */
  async insert(db: Executor, k: IdempotencyKey, caseId: number, response: unknown, now: string): Promise<void> {
    await db
      .insertInto('idempotency_keys')
      .values({ scope: k.scope, key: k.key, request_hash: k.requestHash, case_id: caseId, response: toJson(response), created_at: now })
      .execute();
  },
};
