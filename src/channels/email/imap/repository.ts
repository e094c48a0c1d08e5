import type { Executor } from '../../../db/transaction.js';

/** Where the poller stands in one mailbox. */
export interface ImapCheckpoint {
  organisationId: number;
  mailbox: string;
  uidValidity: number | null;
  lastUid: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** The worker process reading the mailbox now, if its lease runs. */
  leasedBy: string | null;
}

const key = ['organisation_id', 'mailbox'] as const;

/** The IMAP checkpoints (table email_imap_checkpoints): one row per organisation and mailbox. */
export const imapCheckpointRepository = {
  async find(db: Executor, organisationId: number, mailbox: string): Promise<ImapCheckpoint | undefined> {
    const row = await db.selectFrom('email_imap_checkpoints').selectAll().where('organisation_id', '=', organisationId).where('mailbox', '=', mailbox).executeTakeFirst();
    return row && toCheckpoint(row);
  },

  async listByOrganisation(db: Executor, organisationId: number): Promise<ImapCheckpoint[]> {
    const rows = await db.selectFrom('email_imap_checkpoints').selectAll().where('organisation_id', '=', organisationId).orderBy('mailbox').execute();
    return rows.map(toCheckpoint);
  },

  /** Records that the message `uid` of the mailbox (at `uidValidity`) is stored and moved away. */
  async advance(db: Executor, organisationId: number, mailbox: string, uidValidity: number, lastUid: number, now: string): Promise<void> {
    await db
      .insertInto('email_imap_checkpoints')
      .values({ organisation_id: organisationId, mailbox, uid_validity: uidValidity, last_uid: lastUid, last_success_at: now, updated_at: now })
      .onConflict((oc) => oc.columns([...key]).doUpdateSet({ uid_validity: uidValidity, last_uid: lastUid, last_success_at: now, updated_at: now }))
      .execute();
  },

  /**
   * The mailbox's UIDVALIDITY changed (the folder was re-created, the server migrated): its UIDs
   * mean other messages now, so the poller starts again from the first one.
   */
  async restart(db: Executor, organisationId: number, mailbox: string, uidValidity: number, now: string): Promise<void> {
    await this.advance(db, organisationId, mailbox, uidValidity, 0, now);
  },

  /** A session opened the mailbox (or a round found nothing new): the connection works. */
  async recordSuccess(db: Executor, organisationId: number, mailbox: string, now: string): Promise<void> {
    await db
      .insertInto('email_imap_checkpoints')
      .values({ organisation_id: organisationId, mailbox, uid_validity: null, last_uid: 0, last_success_at: now, updated_at: now })
      .onConflict((oc) => oc.columns([...key]).doUpdateSet({ last_success_at: now, updated_at: now }))
      .execute();
  },

  /**
   * Takes or renews the lease on the mailbox for `holder` until `until`: granted when nobody holds
   * it, when `holder` already does, or when the holder's lease ran out (its process died). One
   * UPDATE, so two processes never both get it.
   */
  async acquireLease(db: Executor, organisationId: number, mailbox: string, holder: string, now: string, until: string): Promise<boolean> {
    await db
      .insertInto('email_imap_checkpoints')
      .values({ organisation_id: organisationId, mailbox, uid_validity: null, last_uid: 0, updated_at: now })
      .onConflict((oc) => oc.columns([...key]).doNothing())
      .execute();
    const result = await db
      .updateTable('email_imap_checkpoints')
      .set({ leased_by: holder, lease_until: until })
      .where('organisation_id', '=', organisationId)
      .where('mailbox', '=', mailbox)
      .where((eb) => eb.or([eb('leased_by', 'is', null), eb('leased_by', '=', holder), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  /** Gives the lease up (a clean stop): another worker process may take the mailbox at once. */
  async releaseLease(db: Executor, organisationId: number, mailbox: string, holder: string): Promise<void> {
    await db
      .updateTable('email_imap_checkpoints')
      .set({ leased_by: null, lease_until: null })
      .where('organisation_id', '=', organisationId)
      .where('mailbox', '=', mailbox)
      .where('leased_by', '=', holder)
      .execute();
  },

  async recordError(db: Executor, organisationId: number, mailbox: string, error: string, now: string): Promise<void> {
    const message = error.slice(0, 2000);
    await db
      .insertInto('email_imap_checkpoints')
      .values({ organisation_id: organisationId, mailbox, uid_validity: null, last_uid: 0, last_error: message, last_error_at: now, updated_at: now })
      .onConflict((oc) => oc.columns([...key]).doUpdateSet({ last_error: message, last_error_at: now, updated_at: now }))
      .execute();
  },
};

function toCheckpoint(row: {
  organisation_id: number;
  mailbox: string;
  uid_validity: number | null;
  last_uid: number;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  leased_by: string | null;
}): ImapCheckpoint {
  return {
    organisationId: row.organisation_id,
    mailbox: row.mailbox,
    uidValidity: row.uid_validity === null ? null : Number(row.uid_validity),
    lastUid: Number(row.last_uid),
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    leasedBy: row.leased_by,
  };
}
