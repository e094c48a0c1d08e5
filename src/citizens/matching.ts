import type { Executor } from '../db/transaction.js';
import { citizenRepository, type CitizenContacts, type CitizenIdentity, type MatchCandidate } from './repository.js';

export interface CitizenClaim {
  identity: CitizenIdentity;
  contacts: CitizenContacts;
  /** A verified identity (FranceConnect, counter check). Never taken from an API body. */
  verified?: { provider: string; subject: string; assurance: 'franceconnect' | 'counter' };
}

export interface CitizenMatch {
  citizenId: number;
  /** How the record was found; 'account' for a signed-in citizen, 'created' when none matched. */
  by: 'account' | 'identity' | 'email' | 'phone' | 'created';
  /** Set when a weak match was found but not merged: an agent decides. */
  possibleDuplicateOf: number | null;
}

/**
 * Finds the citizen behind a request or creates one: verified identity first, then email, then
 * phone. A contact match whose names disagree with the claim is a weak match: we never merge it
 * silently (it could be a shared family mailbox); a new record is created and flagged instead.
 */
export async function matchOrCreateCitizen(db: Executor, organisationId: number, claim: CitizenClaim, now: string): Promise<CitizenMatch> {
  if (claim.verified) {
    const id = await citizenRepository.findByIdentity(db, claim.verified.provider, claim.verified.subject);
    if (id !== undefined) {
      await citizenRepository.addMissingContacts(db, id, claim.contacts);
      return { citizenId: id, by: 'identity', possibleDuplicateOf: null };
    }
  }
  let weak: MatchCandidate | undefined;
  const lookups: ['email' | 'phone', () => Promise<MatchCandidate[]>][] = [];
  if (claim.contacts.email) lookups.push(['email', () => citizenRepository.findByEmail(db, organisationId, claim.contacts.email!)]);
  if (claim.contacts.phone) lookups.push(['phone', () => citizenRepository.findByPhone(db, organisationId, claim.contacts.phone!)]);
  for (const [by, lookup] of lookups) {
    const candidates = await lookup();
    const strong = candidates.find((c) => namesAgree(claim.identity, c));
    if (strong) {
      // The contact it was found by is known already.
      await citizenRepository.addMissingContacts(db, strong.id, { ...claim.contacts, [by]: undefined });
      if (claim.verified) await citizenRepository.attachVerifiedIdentity(db, strong.id, claim.verified, now);
      return { citizenId: strong.id, by, possibleDuplicateOf: null };
    }
    weak ??= candidates[0];
  }
  const assurance = claim.verified?.assurance ?? 'declared';
  const citizenId = await citizenRepository.insert(db, organisationId, claim.identity, assurance, weak?.id ?? null, now);
  await citizenRepository.insertContacts(db, citizenId, claim.contacts);
  if (claim.verified) await citizenRepository.attachVerifiedIdentity(db, citizenId, claim.verified, now);
  return { citizenId, by: 'created', possibleDuplicateOf: weak?.id ?? null };
}

/** Names agree when the claim gives none, or its last name and first given name match the record's. */
export function namesAgree(claim: CitizenIdentity, record: Pick<MatchCandidate, 'birthName' | 'usageName' | 'firstNames'>): boolean {
  if (!claim.lastName && !claim.firstNames) return true;
  const lastNames = [record.birthName, record.usageName].filter((n): n is string => !!n).map(normaliseName);
  const lastOk = !claim.lastName || lastNames.includes(normaliseName(claim.lastName)) || (claim.usageName !== undefined && lastNames.includes(normaliseName(claim.usageName)));
  const firstOk = !claim.firstNames || (record.firstNames !== null && firstGiven(claim.firstNames) === firstGiven(record.firstNames));
  return lastOk && firstOk;
}

/** "Élodie-Marie  DUPONT" and "elodie marie dupont" compare equal. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** "Anne-Sophie, Marie" → "anne": compound first names compare by their first part. */
function firstGiven(firstNames: string): string {
  return normaliseName(firstNames).split(' ')[0] ?? '';
}
