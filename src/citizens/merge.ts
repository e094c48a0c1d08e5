import type { Db } from '../db/database.js';
import { transaction, type Executor } from '../db/transaction.js';
import { caseRepository } from '../cases/repository.js';
import type { Insertable } from 'kysely';
import type { CitizenAccountTable } from '../db/schema.js';
import { AppError, invalid, notFound } from '../http/errors.js';
import { mergeRepository, type DroppedAddress, type DroppedHouseholdRow, type IdentityColumns, type OwnedIds } from './merge-repository.js';
import { normaliseForSearch } from './search.js';
import type { CitizenHit } from './search.js';
import { citizenDisplayName, citizenSearchRepository } from './search-repository.js';
import { addressText } from './view-360.js';

/** The merged record as it was just before the merge, kept in `citizen_merges.snapshot`. */
export interface MergeSnapshot {
  version: 1;
  citizen: IdentityColumns & { id: number; createdAt: string; displayName: string };
  emails: { email: string; verified: boolean }[];
  phones: string[];
  addresses: string[];
  /** Verified identities moved (FranceConnect…). */
  identities: { provider: string; subject: string }[];
  /** The portal account: `moved` to the kept record (it had none), or `closed` (it had one). */
  account: { email: string; createdAt: string; outcome: 'moved' | 'closed' } | null;
  cases: { id: number; reference: string }[];
  documents: number;
  satisfactionAnswers: number;
  householdId: number | null;
  /** Whose identity (names, birth date…) the kept record has after the merge. */
  identityFrom: 'kept' | 'merged';
  /** The kept record's own identity when it was replaced by the merged one's. */
  replacedIdentity: IdentityColumns | null;
}

/**
 * Which records an agent may merge (or split back): any record of the organisation (managers and
 * admins), or only records whose every case they may see — a merge hands every case of both
 * records, and the household and portal account that come with them, to one person.
 */
export type MergeAccess = { everyRecord: true } | { everyRecord: false; departmentIds: readonly number[]; agentId: number };

/** Exactly what a merge moved or removed, kept in `citizen_merges.moved` so that « Séparer » can move it back. */
export interface MergeMoves {
  version: 1;
  cases: number[];
  emails: { moved: { id: number; primary: boolean }[]; dropped: { email: string; primary: boolean; verifiedAt: string | null }[]; verifiedOnKept: { id: number; verifiedAt: string }[] };
  phones: { moved: { id: number; primary: boolean }[]; dropped: { phone: string; primary: boolean }[] };
  addresses: { moved: { id: number; primary: boolean }[]; dropped: DroppedAddress[] };
  owned: OwnedIds;
  /** `moved`: the absorbed record's account (and its pending tokens) went to the kept record; `closed`: it was deleted (the row, to reopen it). */
  account: { outcome: 'moved'; tokens: string[] } | { outcome: 'closed'; row: Insertable<CitizenAccountTable> } | null;
  household: { moved: number[]; dropped: DroppedHouseholdRow[]; keptJoined: number | null; mergedHouseholdId: number | null };
  /** The kept record's identity before and after, when it took the absorbed record's. */
  identity: { replaced: IdentityColumns; taken: IdentityColumns } | null;
  /** Records whose « possible duplicate of » flag moved from the absorbed record to the kept one. */
  repointedFlags: number[];
}

export interface MergeRequest {
  organisationId: number;
  agentId: number;
  keptId: number;
  mergedId: number;
  /** Whose identity the kept record ends up with. */
  identityFrom: 'kept' | 'merged';
  /** Which records the agent may merge (`citizenMergeAccess` in the back-office policy). */
  access: MergeAccess;
  /**
   * How the agent checked the person's identity (« pièce d’identité présentée au guichet »…):
   * required when either record has a portal account or a verified identity (FranceConnect).
   */
  identityCheck: string | null;
  /** Writes the merge's trace (access log) inside the merge's transaction. */
  audit?: (trx: Executor, merge: { mergeId: number; keptId: number; mergedId: number; caseIds: number[] }) => Promise<void>;
}

/** How sure the town is of an identity: a merge never trades a surer one for a less sure one. */
const ASSURANCE_RANK = { declared: 0, counter: 1, franceconnect: 2 } as const;

const MERGE_REFUSED = 'Seuls les responsables de service, les administrateurs, et les agents qui voient toutes les demandes des deux fiches peuvent les fusionner ou les séparer.';

/** The records among `ids` the agent may merge or split back (see `MergeAccess`), checked as a set. */
export async function mergeableCitizens(db: Executor, organisationId: number, ids: readonly number[], access: MergeAccess): Promise<Set<number>> {
  if (access.everyRecord) return new Set(ids);
  const outside = new Set(await mergeRepository.withCasesOutside(db, ids, { organisationId, departmentIds: access.departmentIds, agentId: access.agentId }));
  return new Set(ids.filter((id) => !outside.has(id)));
}

/** Asserts, inside the transaction that changes them, that the agent may merge or split these records. */
export async function authorizeMerge(trx: Executor, organisationId: number, ids: [number, number], access: MergeAccess): Promise<void> {
  const allowed = await mergeableCitizens(trx, organisationId, ids, access);
  if (!ids.every((id) => allowed.has(id))) throw new AppError('forbidden', MERGE_REFUSED);
}

/** True when a merge involving this record must state how the person's identity was checked. */
export async function needsIdentityCheck(db: Executor, citizen: { id: number; identity_assurance: string }): Promise<boolean> {
  if (citizen.identity_assurance === 'franceconnect') return true;
  const [account, identities] = await Promise.all([mergeRepository.account(db, citizen.id), mergeRepository.identities(db, citizen.id)]);
  return account !== undefined || identities.length > 0;
}

/**
 * Merges two records of the same person, in one transaction: the merged record's cases (each
 * journaled `citizen_merged`), contacts (without duplicates), verified identities, document safe,
 * uploads, drafts, satisfaction answers and household membership go to the kept record, which
 * takes the chosen identity. The portal account rule: when only the merged record has an account
 * it becomes the kept record's; when both have one, the kept record's stays and the merged one's is
 * closed (its sessions end, its address stays as a contact) — a person signs in with one account.
 * The merged record stays, pointing at the kept one, with a snapshot of what it was and the exact
 * list of what moved (`MergeMoves`), so that the merge can be split back.
 *
 * Refused (nothing written) when the agent may not merge both records (`MergeAccess`), and when
 * either record has a portal account or a verified identity and no identity check is stated:
 * handing a person's cases to an account is what an impostor would ask for.
 */
export async function mergeCitizens(db: Db, request: MergeRequest): Promise<{ mergeId: number; movedCases: number }> {
  const { keptId, mergedId } = request;
  if (keptId === mergedId) throw invalid([{ field: 'avec', code: 'same_record', message: 'Une fiche ne peut pas être fusionnée avec elle-même.' }]);
  return transaction(db, async (trx) => {
    const rows = await mergeRepository.lockPair(trx, [keptId, mergedId], db.dialect);
    const kept = rows.find((r) => r.id === keptId);
    const merged = rows.find((r) => r.id === mergedId);
    if (!kept || !merged || kept.organisation_id !== request.organisationId || merged.organisation_id !== request.organisationId) throw notFound('Aucune fiche usager de ce numéro.');
    await authorizeMerge(trx, request.organisationId, [keptId, mergedId], request.access);
    for (const r of [kept, merged]) {
      if (r.merged_into_id !== null) throw invalid([{ field: 'avec', code: 'already_merged', message: `La fiche de ${citizenDisplayName(r)} a déjà été fusionnée dans une autre fiche.` }]);
    }
    const chosen = request.identityFrom === 'kept' ? kept : merged;
    const other = request.identityFrom === 'kept' ? merged : kept;
    if (ASSURANCE_RANK[other.identity_assurance] > ASSURANCE_RANK[chosen.identity_assurance]) {
      const what = other.identity_assurance === 'franceconnect' ? 'certifiée par FranceConnect' : 'vérifiée au guichet';
      throw invalid([{ field: 'identite', code: 'certified_identity', message: `L’identité ${what} doit être conservée : choisissez-la.` }]);
    }
    const identityCheck = request.identityCheck?.trim() || null;
    if (identityCheck === null && ((await needsIdentityCheck(trx, kept)) || (await needsIdentityCheck(trx, merged)))) {
      throw invalid([{ field: 'verification', code: 'identity_check_required', message: 'Une des fiches a un compte en ligne ou une identité FranceConnect : indiquez comment vous avez vérifié l’identité de la personne.' }]);
    }
    const now = new Date().toISOString();
    const snapshot = await snapshotOf(trx, merged, identityOf(merged), request.identityFrom, request.identityFrom === 'merged' ? identityOf(kept) : null);
    const hadAccount = (await mergeRepository.account(trx, keptId)) !== undefined;
    if (snapshot.account) snapshot.account.outcome = hadAccount ? 'closed' : 'moved';

    const owned = await mergeRepository.ownedIds(trx, mergedId);
    const moves: MergeMoves = {
      version: 1,
      cases: snapshot.cases.map((c) => c.id),
      ...(await moveContacts(trx, mergedId, keptId)),
      owned,
      account: null,
      household: { moved: [], dropped: [], keptJoined: null, mergedHouseholdId: merged.household_id },
      identity: request.identityFrom === 'merged' ? { replaced: identityOf(kept), taken: identityOf(merged) } : null,
      repointedFlags: await mergeRepository.flaggedAs(trx, mergedId, keptId),
    };
    if (request.identityFrom === 'merged') await mergeRepository.setIdentity(trx, keptId, identityOf(merged), now);
    await mergeRepository.moveOwned(trx, owned, mergedId, keptId);
    if (snapshot.account) {
      if (hadAccount) {
        const row = await mergeRepository.accountRow(trx, mergedId);
        if (row) moves.account = { outcome: 'closed', row };
        await mergeRepository.closeAccount(trx, mergedId, now);
      } else {
        moves.account = { outcome: 'moved', tokens: await mergeRepository.tokenHashes(trx, mergedId) };
        await mergeRepository.moveAccount(trx, mergedId, keptId, now);
      }
    }
    await mergeRepository.revokeSessions(trx, mergedId, now);
    moves.household = { ...moves.household, ...(await moveHousehold(trx, merged, kept)) };
    await mergeRepository.moveCases(trx, moves.cases, mergedId, keptId, now);
    await mergeRepository.markMerged(trx, mergedId, keptId, now);
    const mergeId = await mergeRepository.insertMerge(trx, { organisationId: request.organisationId, keptId, mergedId, agentId: request.agentId, snapshot, moved: moves, identityCheck, now });
    for (const c of snapshot.cases) {
      await caseRepository.appendJournal(
        trx,
        c.id,
        c.reference,
        [{ type: 'citizen_merged', actor: { type: 'agent', id: String(request.agentId) }, payload: { mergeId, fromCitizenId: mergedId, toCitizenId: keptId, identityChecked: identityCheck !== null } }],
        now,
      );
    }
    await request.audit?.(trx, { mergeId, keptId, mergedId, caseIds: moves.cases });
    return { mergeId, movedCases: snapshot.cases.length };
  });
}

/** The identity columns of a record, as a merge copies them. */
export function identityOf(r: IdentityColumns): IdentityColumns {
  return {
    civility: r.civility,
    first_names: r.first_names,
    birth_name: r.birth_name,
    usage_name: r.usage_name,
    birth_date: r.birth_date,
    identity_assurance: r.identity_assurance,
    gender: r.gender,
    birth_place: r.birth_place,
    birth_country: r.birth_country,
  };
}

async function snapshotOf(trx: Executor, merged: { id: number; created_at: string; household_id: number | null } & Parameters<typeof citizenDisplayName>[0], identity: IdentityColumns, identityFrom: 'kept' | 'merged', replaced: IdentityColumns | null): Promise<MergeSnapshot> {
  const [emails, phones, addresses, identities, account, cases, counts] = await Promise.all([
    mergeRepository.emails(trx, merged.id),
    mergeRepository.phones(trx, merged.id),
    mergeRepository.addresses(trx, merged.id),
    mergeRepository.identities(trx, merged.id),
    mergeRepository.account(trx, merged.id),
    mergeRepository.cases(trx, merged.id),
    mergeRepository.counts(trx, merged.id),
  ]);
  return {
    version: 1,
    citizen: { ...identity, id: merged.id, createdAt: merged.created_at, displayName: citizenDisplayName(merged) },
    emails: emails.map((e) => ({ email: e.email, verified: e.verified_at !== null })),
    phones: phones.map((p) => p.phone),
    addresses: addresses.map(addressText),
    identities: identities.map((i) => ({ provider: i.provider, subject: i.subject })),
    account: account ? { email: account.email, createdAt: account.created_at, outcome: 'moved' } : null,
    cases,
    documents: counts.documents,
    satisfactionAnswers: counts.satisfaction,
    householdId: merged.household_id,
    identityFrom,
    replacedIdentity: replaced,
  };
}

/** E-mails, phones and addresses the kept record lacks move over; the same ones are dropped. */
async function moveContacts(trx: Executor, from: number, to: number): Promise<Pick<MergeMoves, 'emails' | 'phones' | 'addresses'>> {
  const [keptEmails, emails, keptPhones, phones, keptAddresses, addresses] = await Promise.all([
    mergeRepository.emails(trx, to),
    mergeRepository.emails(trx, from),
    mergeRepository.phones(trx, to),
    mergeRepository.phones(trx, from),
    mergeRepository.addresses(trx, to),
    mergeRepository.addresses(trx, from),
  ]);
  const moves: Pick<MergeMoves, 'emails' | 'phones' | 'addresses'> = {
    emails: { moved: [], dropped: [], verifiedOnKept: [] },
    phones: { moved: [], dropped: [] },
    addresses: { moved: [], dropped: [] },
  };
  for (const e of emails) {
    const same = keptEmails.find((k) => k.email.toLowerCase() === e.email.toLowerCase());
    if (!same) {
      moves.emails.moved.push({ id: e.id, primary: e.is_primary === 1 });
      await mergeRepository.moveEmail(trx, e.id, to);
      continue;
    }
    // A verification made on the merged record still proves the address.
    if (same.verified_at === null && e.verified_at !== null) {
      moves.emails.verifiedOnKept.push({ id: same.id, verifiedAt: e.verified_at });
      await mergeRepository.markEmailVerified(trx, same.id, e.verified_at);
    }
    moves.emails.dropped.push({ email: e.email, primary: e.is_primary === 1, verifiedAt: e.verified_at });
    await mergeRepository.deleteEmail(trx, e.id);
  }
  for (const p of phones) {
    if (keptPhones.some((k) => k.phone === p.phone)) {
      moves.phones.dropped.push({ phone: p.phone, primary: p.is_primary === 1 });
      await mergeRepository.deletePhone(trx, p.id);
    } else {
      moves.phones.moved.push({ id: p.id, primary: p.is_primary === 1 });
      await mergeRepository.movePhone(trx, p.id, to);
    }
  }
  const key = (a: { line1: string; line2: string | null; postcode: string; city: string }) => normaliseForSearch(`${a.line1} ${a.line2 ?? ''} ${a.postcode} ${a.city}`);
  const known = new Set(keptAddresses.map(key));
  for (const a of addresses) {
    if (known.has(key(a))) {
      moves.addresses.dropped.push({ line1: a.line1, line2: a.line2, postcode: a.postcode, city: a.city, country: a.country, banId: a.ban_id, primary: a.is_primary === 1 });
      await mergeRepository.deleteAddress(trx, a.id);
    } else {
      moves.addresses.moved.push({ id: a.id, primary: a.is_primary === 1 });
      await mergeRepository.moveAddress(trx, a.id, to);
    }
  }
  return moves;
}

/**
 * Household membership follows the person: rows naming the merged record name the kept one,
 * unless the kept record is already a member of that household. The kept record joins the merged
 * one's household only if it had none (one household per record).
 */
async function moveHousehold(trx: Executor, merged: { id: number; household_id: number | null }, kept: { id: number; household_id: number | null }): Promise<Pick<MergeMoves['household'], 'moved' | 'dropped' | 'keptJoined'>> {
  const [rows, keptRows] = await Promise.all([mergeRepository.householdRows(trx, merged.id), mergeRepository.householdRows(trx, kept.id)]);
  const keptHouseholds = new Set(keptRows.map((r) => r.household_id));
  const moves: Pick<MergeMoves['household'], 'moved' | 'dropped' | 'keptJoined'> = { moved: [], dropped: [], keptJoined: null };
  for (const r of rows) {
    if (keptHouseholds.has(r.household_id)) {
      moves.dropped.push(await mergeRepository.householdRow(trx, r.id));
      await mergeRepository.deleteHouseholdRow(trx, r.id);
    } else {
      moves.moved.push(r.id);
      await mergeRepository.moveHouseholdRow(trx, r.id, kept.id);
    }
  }
  if (kept.household_id === null && merged.household_id !== null) {
    moves.keptJoined = merged.household_id;
    await mergeRepository.setHousehold(trx, kept.id, merged.household_id);
  }
  return moves;
}

/** A record flagged by the intake as maybe the same person as another. */
export interface DuplicatePair {
  citizen: CitizenHit;
  other: CitizenHit;
  flaggedAt: string;
}

/** The possible duplicates the intake flagged and no agent has settled yet, oldest first. */
export async function possibleDuplicates(db: Executor, organisationId: number, limit = 100): Promise<DuplicatePair[]> {
  const pairs = await mergeRepository.flaggedPairs(db, organisationId, limit);
  const hits = await citizenSearchRepository.hits(db, organisationId, [...new Set(pairs.flatMap((p) => [p.citizenId, p.otherId]))]);
  return pairs.flatMap((p) => {
    const citizen = hits.get(p.citizenId);
    const other = hits.get(p.otherId);
    return citizen && other ? [{ citizen, other, flaggedAt: p.created_at }] : [];
  });
}

/**
 * « Ce ne sont pas les mêmes personnes »: clears the flag and records who decided it and when
 * (`citizen_duplicate_dismissals`, shown on both records' 360° views). A record no longer flagged
 * (settled meanwhile by a colleague) is left as it is.
 */
export async function dismissDuplicate(db: Db, d: { organisationId: number; agentId: number; citizenId: number }): Promise<void> {
  await transaction(db, async (trx) => {
    const [row] = await mergeRepository.lockPair(trx, [d.citizenId, d.citizenId], db.dialect);
    if (!row || row.organisation_id !== d.organisationId) throw notFound('Aucune fiche usager de ce numéro.');
    if (row.possible_duplicate_of === null) return;
    await mergeRepository.insertDismissal(trx, { organisationId: d.organisationId, citizenId: row.id, otherId: row.possible_duplicate_of, agentId: d.agentId, now: new Date().toISOString() });
  });
}
