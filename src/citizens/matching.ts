import type { Executor } from '../db/transaction.js';
import { citizenRepository, type CitizenContacts, type CitizenIdentity, type ContactHolder, type ContactOrigin, type MatchCandidate } from './repository.js';

export interface CitizenClaim {
  identity: CitizenIdentity;
  contacts: CitizenContacts;
  /** Where the contacts come from, and which of them the channel verified (ADR 0002). */
  origin: ContactOrigin;
  /** A verified identity (FranceConnect, counter check). Never taken from an API body. */
  verified?: { provider: string; subject: string; assurance: 'franceconnect' | 'counter' };
}

export interface CitizenMatch {
  citizenId: number;
  /** How the record was found; 'account' for a signed-in citizen, 'created' when none was bound. */
  by: 'account' | 'identity' | 'email' | 'phone' | 'created';
  /** Set when records hold the same contacts but the request could not be bound to them: an agent decides. */
  possibleDuplicateOf: number | null;
}

/**
 * Binds a request to a citizen record, or creates one — the one rule of ADR 0002:
 *
 * - a verified identity (FranceConnect) binds to the record holding it;
 * - a contact the channel verified (an aligned DMARC pass for the sender's address) binds to the
 *   one record holding that contact as VERIFIED, when the names agree;
 * - nothing else binds. A declared contact (anything typed in an anonymous form, sent by Open311,
 *   the API, an SMS, an unsigned e-mail) proves nothing about who typed it: the request gets a
 *   record of its own, flagged as a possible duplicate of a record holding the same contact, and
 *   the existing record gains nothing. Matching by name and contact is an agent's call.
 */
export async function matchOrCreateCitizen(db: Executor, organisationId: number, claim: CitizenClaim, now: string): Promise<CitizenMatch> {
  if (claim.verified) {
    const id = await citizenRepository.findByIdentity(db, claim.verified.provider, claim.verified.subject);
    if (id !== undefined) {
      await citizenRepository.addMissingContacts(db, id, claim.contacts, claim.origin, now);
      return { citizenId: id, by: 'identity', possibleDuplicateOf: null };
    }
  }
  const holders: ContactHolder[] = [];
  for (const by of ['email', 'phone'] as const) {
    const value = claim.contacts[by];
    if (!value) continue;
    const found = by === 'email' ? await citizenRepository.findByEmail(db, organisationId, value) : await citizenRepository.findByPhone(db, organisationId, value);
    holders.push(...found);
    // Only a contact the channel verified, held verified by exactly one record under the same names, binds.
    if (!claim.origin.verified?.[by]) continue;
    const bound = found.filter((c) => c.verified && namesAgree(claim.identity, c));
    if (bound.length === 1) {
      const citizenId = bound[0]!.id;
      await citizenRepository.addMissingContacts(db, citizenId, { ...claim.contacts, [by]: undefined }, claim.origin, now);
      if (claim.verified) await citizenRepository.attachVerifiedIdentity(db, citizenId, claim.verified, now);
      return { citizenId, by, possibleDuplicateOf: null };
    }
  }
  const duplicateOf = (holders.find((c) => namesAgree(claim.identity, c)) ?? holders[0])?.id ?? null;
  const assurance = claim.verified?.assurance ?? 'declared';
  const citizenId = await citizenRepository.insert(db, organisationId, claim.identity, assurance, duplicateOf, now);
  await citizenRepository.insertContacts(db, citizenId, claim.contacts, claim.origin, now);
  if (claim.verified) await citizenRepository.attachVerifiedIdentity(db, citizenId, claim.verified, now);
  return { citizenId, by: 'created', possibleDuplicateOf: duplicateOf };
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
