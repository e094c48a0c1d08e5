import { hashPassword, spendPasswordCheck, verifyPassword } from '../../accounts/password.js';
import type { Db } from '../../db/database.js';
import type { AgentSessionTable } from '../../db/schema.js';
import { agentSessionRepository } from '../session-repository.js';
import type { AgentSession } from '../session.js';
import { agentAuthRepository, type AgentCredentials } from './repository.js';
import { matchingCounter, newTotpSecret, qrCodeDataUrl, totpUri } from './totp.js';

/**
 * Agents' sign-in: password then second factor, or ProConnect. No HTTP here: routes open the
 * session at the stage this service decides.
 */

export type SignInResult = { outcome: 'refused' } | { outcome: 'signed_in'; agentId: number; stage: AgentSessionTable['stage'] };

/**
 * Checks an e-mail and password. An unknown address, an agent without password and a deactivated
 * agent get the same refusal after the same hashing work, so the answer tells nothing of who has
 * an account.
 */
export async function signInWithPassword(db: Db, organisationId: number, email: string, password: string): Promise<SignInResult> {
  const agent = await agentAuthRepository.findByEmail(db.kysely, organisationId, email);
  if (!agent?.passwordHash) {
    await spendPasswordCheck(password);
    return { outcome: 'refused' };
  }
  const matches = await verifyPassword(password, agent.passwordHash);
  if (!matches || !agent.isActive) return { outcome: 'refused' };
  const stage = await stageAfterPassword(db, agent);
  // A sign-in counts once complete: a password alone, waiting for its code, is not one.
  if (stage === 'ready') await recordSignIn(db, agent.id);
  return { outcome: 'signed_in', agentId: agent.id, stage };
}

/** Notes when the agent last signed in (shown to administrators). */
export async function recordSignIn(db: Db, agentId: number): Promise<void> {
  await agentAuthRepository.recordSignIn(db.kysely, agentId, new Date().toISOString());
}

/**
 * After a password: the code when the agent has TOTP; enrolment when they must have it (every
 * admin, every agent when the organisation says so); otherwise done.
 */
export async function stageAfterPassword(db: Db, agent: AgentCredentials): Promise<AgentSessionTable['stage']> {
  if (agent.totpEnabled && agent.totpSecret) return 'second_factor';
  if (await mustUseSecondFactor(db, agent)) return 'enrol';
  return 'ready';
}

/** True when the agent may not work without a second factor. */
export async function mustUseSecondFactor(db: Db, agent: Pick<AgentCredentials, 'id' | 'organisationId'>): Promise<boolean> {
  return (await agentAuthRepository.isAdmin(db.kysely, agent.id)) || (await agentAuthRepository.totpRequiredFor(db.kysely, agent.organisationId));
}

/** Checks a TOTP code of an agent who has TOTP; a code already used is refused like a wrong one. */
export async function checkSecondFactor(db: Db, agentId: number, code: string): Promise<boolean> {
  const agent = await agentAuthRepository.findById(db.kysely, agentId);
  if (!agent?.isActive || !agent.totpEnabled || !agent.totpSecret) return false;
  const counter = matchingCounter(agent.totpSecret, code);
  return counter !== null && (await agentAuthRepository.useTotpCounter(db.kysely, agentId, counter));
}

/** What the enrolment page shows: the secret as text, the URI and its QR code. */
export interface Enrolment {
  secret: string;
  uri: string;
  qrCode: string;
}

/**
 * The secret being enrolled: the pending one if the agent already opened this page (reloading it
 * must not change the secret an app just scanned), else a new one. Null when TOTP is already on.
 */
export async function startEnrolment(db: Db, agentId: number): Promise<Enrolment | null> {
  const agent = await agentAuthRepository.findById(db.kysely, agentId);
  if (!agent || agent.totpEnabled) return null;
  let secret = agent.totpSecret;
  if (!secret) {
    secret = newTotpSecret();
    await agentAuthRepository.setPendingTotpSecret(db.kysely, agentId, secret);
  }
  const uri = totpUri(secret, agent.email);
  return { secret, uri, qrCode: await qrCodeDataUrl(uri) };
}

/**
 * Turns TOTP on once the agent proved their app shows the right codes, and ends the agent's other
 * sessions: they were opened without a code, and must not pass for sessions that gave one
 * (`sessionProvedSecondFactor`). The session that enrolled (`sessionId`) did give one, and stays.
 */
export async function confirmEnrolment(db: Db, agentId: number, code: string, sessionId: string): Promise<boolean> {
  const agent = await agentAuthRepository.findById(db.kysely, agentId);
  if (!agent?.totpSecret || agent.totpEnabled) return false;
  const counter = matchingCounter(agent.totpSecret, code);
  if (counter === null || !(await agentAuthRepository.useTotpCounter(db.kysely, agentId, counter))) return false;
  const now = new Date().toISOString();
  await db.kysely.transaction().execute(async (trx) => {
    await agentAuthRepository.enableTotp(trx, agentId, now);
    await agentSessionRepository.revokeOthersOf(trx, agentId, sessionId, now);
  });
  return true;
}

/**
 * True when this signed-in session gave a TOTP code of the agent's own: the condition of the
 * pages that change how every case is handled (workflow publishing). A ProConnect session never
 * did (the provider's factors are not ours to know); a password session did exactly when the
 * agent's TOTP is on, because:
 * - opened while TOTP was on, it stayed at `second_factor` until a code was accepted;
 * - opened while TOTP was off, TOTP could only come on by an enrolment — which ends every other
 *   session of the agent (`confirmEnrolment`), so a surviving session is the one that gave the code;
 * - a reset of TOTP ends every session (admin service), and a password change carries the
 *   session's own stage over to its replacement.
 */
export async function sessionProvedSecondFactor(db: Db, session: Pick<AgentSession, 'agentId' | 'method' | 'stage'>): Promise<boolean> {
  if (session.stage !== 'ready' || session.method !== 'password') return false;
  const agent = await agentAuthRepository.findById(db.kysely, session.agentId);
  return Boolean(agent?.isActive && agent.totpEnabled && agent.totpSecret);
}

/**
 * Changes an agent's password after checking the current one, and ends every session of theirs
 * (the caller opens a new one for the browser in use). An agent without password (ProConnect
 * only) sets one without a current password.
 */
export async function changeAgentPassword(db: Db, agentId: number, current: string, next: string): Promise<'changed' | 'wrong_current'> {
  const agent = await agentAuthRepository.findById(db.kysely, agentId);
  if (!agent) return 'wrong_current';
  if (agent.passwordHash && !(await verifyPassword(current, agent.passwordHash))) return 'wrong_current';
  const hash = await hashPassword(next);
  await db.kysely.transaction().execute(async (trx) => {
    await agentAuthRepository.setPasswordHash(trx, agentId, hash);
    await agentSessionRepository.revokeAllOf(trx, agentId, new Date().toISOString());
  });
  return 'changed';
}

/** What ProConnect certified about an agent. */
export interface ProConnectAgentIdentity {
  sub: string;
  email: string;
  /** False when the provider says the address was not verified. */
  emailVerified: boolean;
}

export type ProConnectSignInResult = { outcome: 'signed_in'; agentId: number; by: 'subject' | 'email' } | { outcome: 'unknown' };

/**
 * Finds the agent ProConnect identified: by the subject bound at an earlier sign-in, else by the
 * verified e-mail address (then the subject is bound, so a later change of address at the
 * provider keeps working). A deactivated agent is unknown.
 */
export async function signInWithProConnect(db: Db, organisationId: number, identity: ProConnectAgentIdentity): Promise<ProConnectSignInResult> {
  const bySubject = await agentAuthRepository.findByProConnectSubject(db.kysely, organisationId, identity.sub);
  let agent = bySubject;
  if (!agent && identity.emailVerified && identity.email) {
    const byEmail = await agentAuthRepository.findByEmail(db.kysely, organisationId, identity.email.toLowerCase());
    // An address already bound to another ProConnect subject is someone else's account.
    if (byEmail && byEmail.proconnectSubject === null) agent = byEmail;
  }
  if (!agent?.isActive) return { outcome: 'unknown' };
  if (!bySubject) await agentAuthRepository.bindProConnectSubject(db.kysely, agent.id, identity.sub);
  await agentAuthRepository.recordSignIn(db.kysely, agent.id, new Date().toISOString());
  return { outcome: 'signed_in', agentId: agent.id, by: bySubject ? 'subject' : 'email' };
}
