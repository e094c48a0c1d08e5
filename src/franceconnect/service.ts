import { randomBytes } from 'node:crypto';
import { citizenRepository } from '../citizens/repository.js';
import { namesAgree } from '../citizens/matching.js';
import type { Db } from '../db/database.js';
import { transaction, type Executor } from '../db/transaction.js';
import type { FranceConnectIdentity } from './client.js';
import { franceConnectRepository, type CertifiedAttributes } from './repository.js';

/**
 * Who a FranceConnect sign-in is: the citizen already holding this identity; else the account
 * opened with the same e-mail address (the identity is attached to it); else a citizen holding
 * that address as verified who has no account yet (an address merely typed somewhere binds
 * nothing, ADR 0002); else a new citizen. Each sign-in rewrites the certified
 * attributes (FranceConnect is the reference for them) and makes sure the citizen has an account
 * with a verified address, so « Mon espace » and the password pages find one.
 */

export const PROVIDER = 'franceconnect';

/** FranceConnect's e-mail is its account's, verified by the identity provider (ADR 0002). */
const FRANCECONNECT_ORIGIN = { source: 'franceconnect', verified: { email: 'franceconnect' } } as const;

export type FranceConnectOutcome =
  | { outcome: 'signed_in'; citizenId: number; by: 'identity' | 'account' | 'email' | 'created' }
  /**
   * The address belongs to an account of another person (another FranceConnect identity, or a
   * verified account under other names): nothing is merged, the citizen is told what to do.
   */
  | { outcome: 'email_taken' };

/** A random value for `state` and `nonce`: 32 bytes, 43 characters. */
export function randomCheck(): string {
  return randomBytes(32).toString('base64url');
}

/** Finds or creates the citizen of a verified FranceConnect identity and refreshes their certified attributes. */
export async function signInWithFranceConnect(db: Db, organisationId: number, identity: FranceConnectIdentity): Promise<FranceConnectOutcome> {
  const work = (trx: Executor) => signInIn(trx, organisationId, identity, new Date().toISOString());
  try {
    return await transaction(db, work);
  } catch (error) {
    // Two first sign-ins of the same person at once: the unique identity (or account address)
    // stopped the second, which now finds the citizen the first one created.
    if ((await citizenRepository.findByIdentity(db.kysely, PROVIDER, identity.sub)) === undefined) throw error;
    return transaction(db, work);
  }
}

async function signInIn(trx: Executor, organisationId: number, identity: FranceConnectIdentity, now: string): Promise<FranceConnectOutcome> {
  const verified = { provider: PROVIDER, subject: identity.sub, assurance: 'franceconnect' as const };
  const claim = { firstNames: identity.given_name, lastName: identity.family_name };

  const known = await citizenRepository.findByIdentity(trx, PROVIDER, identity.sub);
  if (known !== undefined) {
    await refresh(trx, organisationId, known, identity, now);
    return { outcome: 'signed_in', citizenId: known, by: 'identity' };
  }

  const account = await franceConnectRepository.findAccountByEmail(trx, organisationId, identity.email);
  if (account) {
    if (await franceConnectRepository.hasFranceConnectIdentity(trx, account.citizen_id)) return { outcome: 'email_taken' };
    if (account.email_verified_at) {
      const names = await franceConnectRepository.findNames(trx, account.citizen_id);
      if (!names || !namesAgree(claim, names)) return { outcome: 'email_taken' };
    } else {
      await franceConnectRepository.takeOverUnverifiedAccount(trx, account.citizen_id, now);
    }
    await citizenRepository.attachVerifiedIdentity(trx, account.citizen_id, verified, now);
    await refresh(trx, organisationId, account.citizen_id, identity, now);
    return { outcome: 'signed_in', citizenId: account.citizen_id, by: 'account' };
  }

  const candidates = await franceConnectRepository.findWithoutAccountByEmail(trx, organisationId, identity.email);
  const byEmail = candidates.find((candidate) => namesAgree(claim, candidate));
  if (byEmail) {
    await citizenRepository.attachVerifiedIdentity(trx, byEmail.id, verified, now);
    await refresh(trx, organisationId, byEmail.id, identity, now);
    return { outcome: 'signed_in', citizenId: byEmail.id, by: 'email' };
  }

  const citizenId = await citizenRepository.insert(trx, organisationId, claim, 'franceconnect', null, now);
  await citizenRepository.insertContacts(trx, citizenId, { email: identity.email }, FRANCECONNECT_ORIGIN, now);
  await citizenRepository.attachVerifiedIdentity(trx, citizenId, verified, now);
  await refresh(trx, organisationId, citizenId, identity, now);
  return { outcome: 'signed_in', citizenId, by: 'created' };
}

/** Certified attributes over the record's, the address among the citizen's, and an account. */
async function refresh(trx: Executor, organisationId: number, citizenId: number, identity: FranceConnectIdentity, now: string): Promise<void> {
  await franceConnectRepository.updateCertifiedAttributes(trx, citizenId, certifiedAttributes(identity), now);
  await citizenRepository.addMissingContacts(trx, citizenId, { email: identity.email }, FRANCECONNECT_ORIGIN, now);
  await citizenRepository.markEmailVerified(trx, citizenId, identity.email, 'franceconnect', now);
  const account = await franceConnectRepository.findAccountOfCitizen(trx, citizenId);
  if (account) return;
  // The citizen's own address may sign another account in (a relative's): then they go without
  // one, rather than taking an address that is not theirs alone.
  if (await franceConnectRepository.findAccountByEmail(trx, organisationId, identity.email)) return;
  await franceConnectRepository.insertAccount(trx, { citizenId, organisationId, email: identity.email }, now);
}

/** FranceConnect's claims in Guichet's columns. A partial birth date (YYYY-00-00) is not a date. */
export function certifiedAttributes(identity: FranceConnectIdentity): CertifiedAttributes {
  const partial = /-00(-|$)/.test(identity.birthdate);
  return {
    firstNames: identity.given_name,
    birthName: identity.family_name,
    birthDate: partial ? null : identity.birthdate,
    gender: identity.gender || null,
    birthPlace: identity.birthplace || null,
    birthCountry: identity.birthcountry || null,
  };
}
