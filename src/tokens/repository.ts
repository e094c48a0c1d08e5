import type { Executor } from '../db/transaction.js';

/** Every query on API tokens. */
export const tokenRepository = {
  async insert(db: Executor, organisationId: number, name: string, tokenHash: string, scopes: string[], now: string): Promise<number> {
    const row = await db
      .insertInto('api_tokens')
      .values({ organisation_id: organisationId, name, token_hash: tokenHash, scopes: scopes.join(' '), created_at: now, last_used_at: null, revoked_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async findActiveByHash(db: Executor, tokenHash: string) {
    const row = await db
      .selectFrom('api_tokens')
      .select(['id', 'organisation_id', 'name', 'scopes', 'last_used_at'])
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? { id: row.id, organisationId: row.organisation_id, name: row.name, scopes: row.scopes.split(' ').filter(Boolean), lastUsedAt: row.last_used_at } : undefined;
  },

  async findActiveById(db: Executor, id: number) {
    const row = await db
      .selectFrom('api_tokens')
      .select(['id', 'organisation_id', 'name', 'scopes'])
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? { id: row.id, organisationId: row.organisation_id, name: row.name, scopes: row.scopes.split(' ').filter(Boolean) } : undefined;
  },

  async touch(db: Executor, id: number, now: string): Promise<void> {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  },

  async revoke(db: Executor, id: number, now: string): Promise<boolean> {
    const result = await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async list(db: Executor, organisationId: number) {
    return db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
      .where('organisation_id', '=', organisationId)
      .orderBy('id')
      .execute();
  },
};
