import type { Executor } from '../db/transaction.js';

/**
 * A citizen's session ends this long after it opened, however active (on top of the idle limit):
 * a token stolen from a device does not live for ever. Checked here, in every query that finds
 * live sessions, so no caller can forget it.
 */
export const CITIZEN_SESSION_MAX_AGE_MS = 30 * 86_400_000;

/** The oldest opening instant a live session may have at `now`. */
export const citizenSessionOpenedAfter = (now: string) => new Date(Date.parse(now) - CITIZEN_SESSION_MAX_AGE_MS).toISOString();

export interface NewPortalSession {
  id: string;
  citizenId: number;
  method: 'password' | 'franceconnect';
  idToken: string | null;
  userAgent: string | null;
  ip: string | null;
  now: string;
  expiresAt: string;
}

/** Every query on portal sessions (the `id` is the SHA-256 of the cookie's token). */
export const portalSessionRepository = {
  async insert(db: Executor, s: NewPortalSession): Promise<void> {
    await db
      .insertInto('portal_sessions')
      .values({
        id: s.id,
        citizen_id: s.citizenId,
        method: s.method,
        id_token: s.idToken,
        user_agent: s.userAgent,
        ip: s.ip,
        created_at: s.now,
        last_seen_at: s.now,
        expires_at: s.expiresAt,
      })
      .execute();
  },

  /** The session with its citizen's display data, when it is neither revoked nor expired (idle or too old). */
  async findActive(db: Executor, id: string, now: string) {
    return db
      .selectFrom('portal_sessions as s')
      .innerJoin('citizens as c', 'c.id', 's.citizen_id')
      .leftJoin('citizen_accounts as a', 'a.citizen_id', 's.citizen_id')
      .select([
        's.id', 's.citizen_id', 's.method', 's.id_token', 's.last_seen_at', 's.created_at',
        'c.organisation_id', 'c.first_names', 'c.usage_name', 'c.birth_name', 'c.identity_assurance', 'a.email',
      ])
      .where('s.id', '=', id)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('s.created_at', '>', citizenSessionOpenedAfter(now))
      .executeTakeFirst();
  },

  async touch(db: Executor, id: string, now: string, expiresAt: string): Promise<void> {
    await db.updateTable('portal_sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
  },

  async revoke(db: Executor, id: string, now: string): Promise<void> {
    await db.updateTable('portal_sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  },

  /** Revokes one of the citizen's own sessions; false when it is not theirs or already ended. */
  async revokeOwn(db: Executor, citizenId: number, id: string, now: string): Promise<boolean> {
    const result = await db
      .updateTable('portal_sessions')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('citizen_id', '=', citizenId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  /** Ends every session of a citizen but `keep` (after a password change or reset). */
  async revokeAll(db: Executor, citizenId: number, now: string, keep?: string): Promise<void> {
    let query = db.updateTable('portal_sessions').set({ revoked_at: now }).where('citizen_id', '=', citizenId).where('revoked_at', 'is', null);
    if (keep) query = query.where('id', '!=', keep);
    await query.execute();
  },

  async listActive(db: Executor, citizenId: number, now: string) {
    return db
      .selectFrom('portal_sessions')
      .select(['id', 'method', 'user_agent', 'ip', 'created_at', 'last_seen_at'])
      .where('citizen_id', '=', citizenId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('created_at', '>', citizenSessionOpenedAfter(now))
      .orderBy('last_seen_at', 'desc')
      .execute();
  },
};
