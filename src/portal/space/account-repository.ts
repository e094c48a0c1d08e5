import type { Executor } from '../../db/transaction.js';

/** The portal account of a citizen, without its password hash. */
export interface SpaceAccount {
  email: string;
  emailVerifiedAt: string | null;
  hasPassword: boolean;
  notifyEmail: boolean;
  notifySms: boolean;
  deletionRequestedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The queries of « Mon espace » on the account and on what the export gathers. The export reads
 * rows of several modules on purpose: it must show everything the town holds, exactly as stored.
 */
export const spaceAccountRepository = {
  async account(db: Executor, citizenId: number): Promise<SpaceAccount | undefined> {
    const row = await db.selectFrom('citizen_accounts').selectAll().where('citizen_id', '=', citizenId).executeTakeFirst();
    if (!row) return undefined;
    return {
      email: row.email,
      emailVerifiedAt: row.email_verified_at,
      hasPassword: row.password_hash !== null,
      notifyEmail: row.notify_email === 1,
      notifySms: row.notify_sms === 1,
      deletionRequestedAt: row.deletion_requested_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  },

  /** Records the request once: a second request keeps the first date. */
  async markDeletionRequested(db: Executor, citizenId: number, now: string): Promise<boolean> {
    const result = await db
      .updateTable('citizen_accounts')
      .set({ deletion_requested_at: now, updated_at: now })
      .where('citizen_id', '=', citizenId)
      .where('deletion_requested_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  /** Every contact row of the citizen, primary first. */
  async contacts(db: Executor, citizenId: number) {
    const [emails, phones, addresses, identities] = await Promise.all([
      db.selectFrom('citizen_emails').select(['email', 'is_primary', 'verified_at']).where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').execute(),
      db.selectFrom('citizen_phones').select(['phone', 'is_primary']).where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').execute(),
      db
        .selectFrom('citizen_addresses')
        .select(['line1', 'line2', 'postcode', 'city', 'country', 'ban_id', 'is_primary'])
        .where('citizen_id', '=', citizenId)
        .orderBy('is_primary', 'desc')
        .orderBy('id')
        .execute(),
      db.selectFrom('citizen_identities').select(['provider', 'subject', 'created_at']).where('citizen_id', '=', citizenId).orderBy('id').execute(),
    ]);
    return {
      emails: emails.map((e) => ({ email: e.email, primary: e.is_primary === 1, verifiedAt: e.verified_at })),
      phones: phones.map((p) => ({ phone: p.phone, primary: p.is_primary === 1 })),
      addresses: addresses.map((a) => ({ line1: a.line1, line2: a.line2, postcode: a.postcode, city: a.city, country: a.country, banId: a.ban_id, primary: a.is_primary === 1 })),
      identities: identities.map((i) => ({ provider: i.provider, subject: i.subject, linkedAt: i.created_at })),
    };
  },

  /** Ids of the cases filed by or for the citizen, oldest first. */
  async caseIds(db: Executor, citizenId: number): Promise<number[]> {
    const rows = await db.selectFrom('cases').select('id').where('citizen_id', '=', citizenId).orderBy('received_at').orderBy('id').execute();
    return rows.map((r) => r.id);
  },

  /** Every document ever put in the safe, deleted ones included (with their deletion date). */
  async documents(db: Executor, citizenId: number) {
    const rows = await db
      .selectFrom('citizen_documents as d')
      .innerJoin('attachments as a', 'a.id', 'd.attachment_id')
      .select(['d.kind', 'd.label', 'd.expires_on', 'd.created_at', 'd.deleted_at', 'a.filename', 'a.mime_type', 'a.size', 'a.sha256'])
      .where('d.citizen_id', '=', citizenId)
      .orderBy('d.id')
      .execute();
    return rows.map((r) => ({
      kind: r.kind,
      label: r.label,
      expiresOn: r.expires_on,
      filename: r.filename,
      mimeType: r.mime_type,
      size: r.size,
      sha256: r.sha256,
      createdAt: r.created_at,
      deletedAt: r.deleted_at,
    }));
  },

  async drafts(db: Executor, citizenId: number) {
    const rows = await db
      .selectFrom('form_drafts as f')
      .innerJoin('procedures as p', 'p.id', 'f.procedure_id')
      .select(['p.title', 'f.data', 'f.page_id', 'f.created_at', 'f.updated_at', 'f.case_id'])
      .where('f.citizen_id', '=', citizenId)
      .orderBy('f.created_at')
      .execute();
    return rows.map((r) => ({ procedure: r.title, data: JSON.parse(r.data) as unknown, page: r.page_id, submitted: r.case_id !== null, createdAt: r.created_at, updatedAt: r.updated_at }));
  },

  /** Every session, ended ones included; never the session ids nor FranceConnect tokens. */
  async sessions(db: Executor, citizenId: number) {
    const rows = await db
      .selectFrom('portal_sessions')
      .select(['method', 'user_agent', 'ip', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at'])
      .where('citizen_id', '=', citizenId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ method: r.method, userAgent: r.user_agent, ip: r.ip, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at, endedAt: r.revoked_at }));
  },

  async satisfaction(db: Executor, citizenId: number) {
    const rows = await db
      .selectFrom('satisfaction_answers as s')
      .innerJoin('cases as c', 'c.id', 's.case_id')
      .select(['c.reference', 's.rating', 's.comment', 's.created_at'])
      .where('s.citizen_id', '=', citizenId)
      .orderBy('s.created_at')
      .execute();
    return rows.map((r) => ({ case: r.reference, rating: r.rating, comment: r.comment, answeredAt: r.created_at }));
  },
};
