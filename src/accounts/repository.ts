import { citizenRepository } from '../citizens/repository.js';
import type { Executor } from '../db/transaction.js';

export type TokenPurpose = 'verify_email' | 'reset_password';

export interface NewOutgoingMail {
  organisationId: number;
  kind: string;
  recipient: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
}

/**
 * Every query of the accounts module: citizen accounts, their one-time tokens, and the mail that
 * belongs to no case. Addresses are compared lower-cased, as they are stored.
 */
export const accountRepository = {
  async findByEmail(db: Executor, organisationId: number, email: string) {
    return db
      .selectFrom('citizen_accounts')
      .select(['citizen_id', 'email', 'password_hash', 'email_verified_at'])
      .where('organisation_id', '=', organisationId)
      .where('email', '=', email)
      .executeTakeFirst();
  },

  async findByCitizen(db: Executor, citizenId: number) {
    return db
      .selectFrom('citizen_accounts')
      .select(['citizen_id', 'organisation_id', 'email', 'password_hash', 'email_verified_at'])
      .where('citizen_id', '=', citizenId)
      .executeTakeFirst();
  },

  /** Citizens of the organisation holding this address as verified who have no account yet, most recent first. */
  async citizensWithoutAccount(db: Executor, organisationId: number, email: string): Promise<number[]> {
    const rows = await db
      .selectFrom('citizen_emails as e')
      .innerJoin('citizens as c', 'c.id', 'e.citizen_id')
      .leftJoin('citizen_accounts as a', 'a.citizen_id', 'c.id')
      .select('c.id')
      .where('e.email', '=', email)
      .where('e.verified_at', 'is not', null)
      .where('c.organisation_id', '=', organisationId)
      .where('a.citizen_id', 'is', null)
      .orderBy('c.id', 'desc')
      .limit(1)
      .execute();
    return rows.map((r) => r.id);
  },

  async insert(db: Executor, account: { citizenId: number; organisationId: number; email: string; passwordHash: string }, now: string): Promise<void> {
    await db
      .insertInto('citizen_accounts')
      .values({
        citizen_id: account.citizenId,
        organisation_id: account.organisationId,
        email: account.email,
        password_hash: account.passwordHash,
        email_verified_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  },

  async setPassword(db: Executor, citizenId: number, passwordHash: string, now: string): Promise<void> {
    await db.updateTable('citizen_accounts').set({ password_hash: passwordHash, updated_at: now }).where('citizen_id', '=', citizenId).execute();
  },

  /** Marks the sign-in address verified, on the account and on the citizen's matching contact (provenance portal_account). */
  async markEmailVerified(db: Executor, citizenId: number, now: string): Promise<void> {
    const account = await db
      .updateTable('citizen_accounts')
      .set({ email_verified_at: now, updated_at: now })
      .where('citizen_id', '=', citizenId)
      .where('email_verified_at', 'is', null)
      .returning('email')
      .executeTakeFirst();
    const email = account?.email ?? (await accountRepository.findByCitizen(db, citizenId))?.email;
    if (!email) return;
    // The record's copy is verified through the account (the link proved the address); one the
    // record lacks is added verified, so the binding rules (ADR 0002) find it.
    await citizenRepository.addMissingContacts(db, citizenId, { email }, { source: 'portal_account' }, now);
    await citizenRepository.markEmailVerified(db, citizenId, email, 'portal_account', now);
  },

  async insertToken(db: Executor, token: { hash: string; citizenId: number; purpose: TokenPurpose; expiresAt: string }, now: string): Promise<void> {
    await db
      .insertInto('account_tokens')
      .values({ token_hash: token.hash, citizen_id: token.citizenId, purpose: token.purpose, created_at: now, expires_at: token.expiresAt, used_at: null })
      .execute();
  },

  /** The citizen of a token that is still usable, without using it (to show the form it opens). */
  async findUsableToken(db: Executor, hash: string, purpose: TokenPurpose, now: string): Promise<number | undefined> {
    const row = await db
      .selectFrom('account_tokens')
      .select('citizen_id')
      .where('token_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row?.citizen_id;
  },

  /** Uses a token once: one statement, so two simultaneous uses cannot both succeed. */
  async useToken(db: Executor, hash: string, purpose: TokenPurpose, now: string): Promise<number | undefined> {
    const row = await db
      .updateTable('account_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('citizen_id')
      .executeTakeFirst();
    return row?.citizen_id;
  },

  /** After a reset, the other links of the same kind stop working too. */
  async useAllTokens(db: Executor, citizenId: number, purpose: TokenPurpose, now: string): Promise<void> {
    await db.updateTable('account_tokens').set({ used_at: now }).where('citizen_id', '=', citizenId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
  },

  async insertMail(db: Executor, mail: NewOutgoingMail, now: string): Promise<number> {
    const row = await db
      .insertInto('outgoing_mails')
      .values({
        organisation_id: mail.organisationId,
        kind: mail.kind,
        recipient: mail.recipient,
        subject: mail.subject,
        body_text: mail.bodyText,
        body_html: mail.bodyHtml,
        status: 'queued',
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async findMail(db: Executor, id: number) {
    return db.selectFrom('outgoing_mails').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async markMailSent(db: Executor, id: number, now: string): Promise<void> {
    await db.updateTable('outgoing_mails').set({ status: 'sent', sent_at: now, last_error: null }).where('id', '=', id).execute();
  },

  async markMailFailed(db: Executor, id: number, error: string, final: boolean): Promise<void> {
    await db
      .updateTable('outgoing_mails')
      .set({ last_error: error.slice(0, 2_000), ...(final ? { status: 'failed' as const } : {}) })
      .where('id', '=', id)
      .execute();
  },

  /** The latest mails of the organisation, newest first (the development mailbox). */
  async latestMails(db: Executor, organisationId: number, limit: number) {
    return db
      .selectFrom('outgoing_mails')
      .select(['id', 'kind', 'recipient', 'subject', 'body_text', 'status', 'created_at', 'sent_at'])
      .where('organisation_id', '=', organisationId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  },
};
