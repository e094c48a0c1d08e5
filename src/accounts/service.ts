import { createHash, randomBytes } from 'node:crypto';
import { citizenRepository } from '../citizens/repository.js';
import type { Db } from '../db/database.js';
import { transaction, type Executor } from '../db/transaction.js';
import { portalSessionRepository } from '../portal/session-repository.js';
import { accountExistsMail, passwordChangedMail, queueAccountMail, resetMail, verificationMail, type MailSender } from './mail.js';
import { hashPassword, spendPasswordCheck, verifyPassword } from './password.js';
import { accountRepository, type TokenPurpose } from './repository.js';

/**
 * Citizen accounts with a password: sign-up with a verified address, sign-in, password reset and
 * change, and the citizen's sessions. Nothing here tells a visitor whether an address has an
 * account: the answers that could (sign-up, reset, a failed sign-in) are the same either way, and
 * the difference travels by mail to the address's owner only.
 */

/** The town whose portal the citizen uses, and how its mails speak. */
export interface AccountOrganisation extends MailSender {
  id: number;
}

export const VERIFY_TOKEN_TTL_MS = 24 * 3_600_000;
export const RESET_TOKEN_TTL_MS = 3_600_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const nowIso = () => new Date().toISOString();

/** Creates a one-time token and stores only its hash; the clear token goes in the mail only. */
async function issueToken(trx: Executor, citizenId: number, purpose: TokenPurpose, now: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const ttl = purpose === 'verify_email' ? VERIFY_TOKEN_TTL_MS : RESET_TOKEN_TTL_MS;
  await accountRepository.insertToken(trx, { hash: hashToken(token), citizenId, purpose, expiresAt: new Date(Date.parse(now) + ttl).toISOString() }, now);
  return token;
}

export interface SignUp {
  email: string;
  password: string;
  firstNames: string;
  lastName: string;
}

/**
 * Opens an unverified account and mails its verification link; when the address already has an
 * account, mails its owner a reset link instead. The password is hashed in both cases, so the
 * two take the same time. A citizen holding this address as verified (FranceConnect, an earlier
 * confirmed account) becomes the account's holder, unless they already have an account of their
 * own; otherwise the account gets a fresh record — never one the address was merely typed on.
 */
export async function signUp(db: Db, organisation: AccountOrganisation, input: SignUp): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  const work = (trx: Executor) => signUpIn(trx, organisation, input, passwordHash, nowIso());
  try {
    await transaction(db, work);
  } catch (error) {
    // Two sign-ups for the same address at once: the unique index stopped the second one, which
    // now finds the account and answers as for any existing address.
    if (!(await accountRepository.findByEmail(db.kysely, organisation.id, input.email))) throw error;
    await transaction(db, work);
  }
}

async function signUpIn(trx: Executor, organisation: AccountOrganisation, input: SignUp, passwordHash: string, now: string): Promise<void> {
  const existing = await accountRepository.findByEmail(trx, organisation.id, input.email);
  if (existing) {
    const token = await issueToken(trx, existing.citizen_id, 'reset_password', now);
    await queueAccountMail(trx, organisation.id, existing.email, accountExistsMail(organisation, null, token), now);
    return;
  }
  // Only a record holding this address as VERIFIED is the account's (ADR 0002): an address anyone
  // typed in an anonymous form proves nothing, and would hand its record to whoever signs up with it.
  const [known] = await accountRepository.citizensWithoutAccount(trx, organisation.id, input.email);
  const citizenId = known ?? (await citizenRepository.insert(trx, organisation.id, { firstNames: input.firstNames, lastName: input.lastName }, 'declared', null, now));
  if (!known) await citizenRepository.insertContacts(trx, citizenId, { email: input.email }, { source: 'portal_account' }, now);
  await accountRepository.insert(trx, { citizenId, organisationId: organisation.id, email: input.email, passwordHash }, now);
  const token = await issueToken(trx, citizenId, 'verify_email', now);
  await queueAccountMail(trx, organisation.id, input.email, verificationMail(organisation, input.firstNames, token), now);
}

/** True when a verification link can still be used (its page shows the confirmation button). */
export async function verificationTokenUsable(db: Db, token: string): Promise<boolean> {
  if (!token || token.length > 100) return false;
  return (await accountRepository.findUsableToken(db.kysely, hashToken(token), 'verify_email', nowIso())) !== undefined;
}

/** Uses a verification link: the address is verified and its citizen returned, or undefined for a used or expired link. */
export async function confirmEmail(db: Db, token: string): Promise<number | undefined> {
  if (!token || token.length > 100) return undefined;
  return transaction(db, async (trx) => {
    const now = nowIso();
    const citizenId = await accountRepository.useToken(trx, hashToken(token), 'verify_email', now);
    if (citizenId !== undefined) await accountRepository.markEmailVerified(trx, citizenId, now);
    return citizenId;
  });
}

export type SignInOutcome = { outcome: 'signed_in'; citizenId: number } | { outcome: 'unverified' } | { outcome: 'refused' };

/**
 * Checks an address and password. An unknown address, an account without a password and a wrong
 * password are one and the same refusal, after the same scrypt work. The right password on an
 * unverified account sends a new verification link.
 */
export async function signIn(db: Db, organisation: AccountOrganisation, email: string, password: string): Promise<SignInOutcome> {
  const account = await accountRepository.findByEmail(db.kysely, organisation.id, email);
  if (!account?.password_hash) {
    await spendPasswordCheck(password);
    return { outcome: 'refused' };
  }
  if (!(await verifyPassword(password, account.password_hash))) return { outcome: 'refused' };
  if (account.email_verified_at) return { outcome: 'signed_in', citizenId: account.citizen_id };
  await transaction(db, async (trx) => {
    const now = nowIso();
    const summary = await citizenRepository.findSummary(trx, account.citizen_id);
    const token = await issueToken(trx, account.citizen_id, 'verify_email', now);
    await queueAccountMail(trx, organisation.id, account.email, verificationMail(organisation, summary?.firstNames ?? null, token), now);
  });
  return { outcome: 'unverified' };
}

/** Mails a reset link when the address has an account; does nothing otherwise (the caller answers the same). */
export async function requestPasswordReset(db: Db, organisation: AccountOrganisation, email: string): Promise<void> {
  await transaction(db, async (trx) => {
    const account = await accountRepository.findByEmail(trx, organisation.id, email);
    if (!account) return;
    const now = nowIso();
    const summary = await citizenRepository.findSummary(trx, account.citizen_id);
    const token = await issueToken(trx, account.citizen_id, 'reset_password', now);
    await queueAccountMail(trx, organisation.id, account.email, resetMail(organisation, summary?.firstNames ?? null, token), now);
  });
}

/** True when a reset link can still be used (to show its form, or say it is no longer valid). */
export async function resetTokenUsable(db: Db, token: string): Promise<boolean> {
  if (!token || token.length > 100) return false;
  return (await accountRepository.findUsableToken(db.kysely, hashToken(token), 'reset_password', nowIso())) !== undefined;
}

/**
 * Uses a reset link: sets the new password, marks the address verified (the link proved it),
 * voids the citizen's other reset links and ends every session. Returns the citizen, for the
 * caller to open a fresh session, or undefined when the link is used or expired.
 */
export async function resetPassword(db: Db, organisation: AccountOrganisation, token: string, password: string): Promise<number | undefined> {
  if (!token || token.length > 100) return undefined;
  const passwordHash = await hashPassword(password);
  return transaction(db, async (trx) => {
    const now = nowIso();
    const citizenId = await accountRepository.useToken(trx, hashToken(token), 'reset_password', now);
    if (citizenId === undefined) return undefined;
    await accountRepository.setPassword(trx, citizenId, passwordHash, now);
    await accountRepository.markEmailVerified(trx, citizenId, now);
    await accountRepository.useAllTokens(trx, citizenId, 'reset_password', now);
    await portalSessionRepository.revokeAll(trx, citizenId, now);
    await notifyPasswordChanged(trx, organisation, citizenId, now);
    return citizenId;
  });
}

export type PasswordChange = 'changed' | 'no_password' | 'wrong_password';

/** Changes a signed-in citizen's password; every other session of theirs ends. */
export async function changePassword(
  db: Db,
  organisation: AccountOrganisation,
  citizenId: number,
  keepSessionId: string,
  current: string,
  next: string,
): Promise<PasswordChange> {
  const account = await accountRepository.findByCitizen(db.kysely, citizenId);
  if (!account?.password_hash) return 'no_password';
  if (!(await verifyPassword(current, account.password_hash))) return 'wrong_password';
  const passwordHash = await hashPassword(next);
  await transaction(db, async (trx) => {
    const now = nowIso();
    await accountRepository.setPassword(trx, citizenId, passwordHash, now);
    await portalSessionRepository.revokeAll(trx, citizenId, now, keepSessionId);
    await notifyPasswordChanged(trx, organisation, citizenId, now);
  });
  return 'changed';
}

async function notifyPasswordChanged(trx: Executor, organisation: AccountOrganisation, citizenId: number, now: string): Promise<void> {
  const account = await accountRepository.findByCitizen(trx, citizenId);
  if (!account) return;
  const summary = await citizenRepository.findSummary(trx, citizenId);
  await queueAccountMail(trx, organisation.id, account.email, passwordChangedMail(organisation, summary?.firstNames ?? null), now);
}

/** The sign-in address and whether a password is set: what the password page offers depends on it. */
export async function accountOf(db: Db, citizenId: number): Promise<{ email: string; hasPassword: boolean } | undefined> {
  const account = await accountRepository.findByCitizen(db.kysely, citizenId);
  return account ? { email: account.email, hasPassword: account.password_hash !== null } : undefined;
}

/** The citizen's sessions still open, most recently used first. */
export async function activeSessions(db: Db, citizenId: number) {
  return portalSessionRepository.listActive(db.kysely, citizenId, nowIso());
}

/** Ends one of the citizen's own sessions; false when the id is not one of theirs (or already ended). */
export async function revokeSession(db: Db, citizenId: number, sessionId: string): Promise<boolean> {
  return portalSessionRepository.revokeOwn(db.kysely, citizenId, sessionId, nowIso());
}

/** Ends every session of the citizen but the current one. */
export async function revokeOtherSessions(db: Db, citizenId: number, keepSessionId: string): Promise<void> {
  await portalSessionRepository.revokeAll(db.kysely, citizenId, nowIso(), keepSessionId);
}

/** Account mails of the organisation, newest first, for the development mailbox. */
export async function latestAccountMails(db: Db, organisationId: number, limit: number) {
  return accountRepository.latestMails(db.kysely, organisationId, limit);
}
