import type { Db } from '../db/database.js';
import { fromJson, transaction, type Executor } from '../db/transaction.js';
import { caseRepository } from '../cases/repository.js';
import { invalid, notFound } from '../http/errors.js';
import { authorizeMerge, identityOf, type MergeAccess, type MergeMoves } from './merge.js';
import { mergeRepository, type IdentityColumns } from './merge-repository.js';

export interface SplitRequest {
  organisationId: number;
  agentId: number;
  /** The record the merge kept (the page the agent is on). */
  keptId: number;
  mergeId: number;
  access: MergeAccess;
  /** Writes the split's trace (access log) inside the split's transaction. */
  audit?: (trx: Executor, split: { mergeId: number; keptId: number; mergedId: number; caseIds: number[] }) => Promise<void>;
}

/** Why a merge cannot be split back, or null when it can. */
export function splitRefusal(merge: { moved: unknown; split_at: string | null }, kept: { merged_into_id: number | null }): string | null {
  if (merge.split_at !== null) return 'Cette fusion a déjà été séparée.';
  if (merge.moved === null) return 'Cette fusion est antérieure au suivi détaillé des fusions : elle ne peut pas être séparée depuis cette page.';
  if (kept.merged_into_id !== null) return 'La fiche conservée a depuis été fusionnée dans une autre fiche : séparez d’abord cette autre fusion.';
  return null;
}

/**
 * « Séparer »: undoes a merge, in one transaction. The absorbed record becomes a record again and
 * gets back exactly what came from it (`citizen_merges.moved`), where it is still on the kept
 * record: its cases (each journaled `citizen_split`), e-mails, phones and addresses (those the merge
 * dropped as duplicates are written back), verified identities, document safe, uploads, drafts,
 * satisfaction answers, household memberships and portal account (a closed one is reopened; when
 * the account had moved, the kept record's portal sessions end, they were that account's). What
 * happened to the kept record since the merge stays there: new cases, new contacts. The kept record
 * gets back its own identity if it took the absorbed one's and has not changed since.
 *
 * Refused with the same rule as a merge (`MergeAccess`), and when the merge was already split,
 * predates migration 025, or the kept record was itself merged since.
 */
export async function splitMerge(db: Db, request: SplitRequest): Promise<{ mergedId: number; movedCases: number }> {
  return transaction(db, async (trx) => {
    const merge = await mergeRepository.mergeRow(trx, request.organisationId, request.mergeId, db.dialect === 'postgres');
    if (!merge || merge.kept_citizen_id !== request.keptId) throw notFound('Aucune fusion de ce numéro sur cette fiche.');
    const keptId = merge.kept_citizen_id;
    const mergedId = merge.merged_citizen_id;
    const rows = await mergeRepository.lockPair(trx, [keptId, mergedId], db.dialect);
    const kept = rows.find((r) => r.id === keptId);
    const merged = rows.find((r) => r.id === mergedId);
    if (!kept || !merged) throw notFound('Aucune fiche usager de ce numéro.');
    await authorizeMerge(trx, request.organisationId, [keptId, mergedId], request.access);
    const refusal = splitRefusal(merge, kept) ?? (merged.merged_into_id !== keptId ? 'La fiche absorbée ne pointe plus vers cette fiche : elle ne peut pas être séparée.' : null);
    if (refusal) throw invalid([{ field: 'fusion', code: 'split_refused', message: refusal }]);
    const moves = fromJson<MergeMoves>(merge.moved!);
    const now = new Date().toISOString();

    const cases = await mergeRepository.moveCases(trx, moves.cases, keptId, mergedId, now);
    for (const e of moves.emails.moved) await mergeRepository.moveContactBack(trx, 'citizen_emails', e.id, keptId, mergedId, e.primary);
    for (const e of moves.emails.dropped) await mergeRepository.insertEmail(trx, mergedId, e);
    for (const v of moves.emails.verifiedOnKept) await mergeRepository.unverifyEmail(trx, v.id, v.verifiedAt);
    for (const p of moves.phones.moved) await mergeRepository.moveContactBack(trx, 'citizen_phones', p.id, keptId, mergedId, p.primary);
    for (const p of moves.phones.dropped) await mergeRepository.insertPhone(trx, mergedId, p);
    for (const a of moves.addresses.moved) await mergeRepository.moveContactBack(trx, 'citizen_addresses', a.id, keptId, mergedId, a.primary);
    for (const a of moves.addresses.dropped) await mergeRepository.insertAddress(trx, mergedId, a);
    await mergeRepository.moveOwned(trx, moves.owned, keptId, mergedId);

    if (moves.account?.outcome === 'moved') {
      await mergeRepository.moveAccount(trx, keptId, mergedId, now, moves.account.tokens);
      // Sessions opened on the kept record since the merge were that account's.
      await mergeRepository.revokeSessions(trx, keptId, now);
    } else if (moves.account?.outcome === 'closed') {
      await mergeRepository.reopenAccount(trx, { ...moves.account.row, citizen_id: mergedId }, now);
    }

    for (const id of moves.household.moved) await mergeRepository.moveHouseholdRowBack(trx, id, keptId, mergedId);
    for (const r of moves.household.dropped) await mergeRepository.insertHouseholdRow(trx, mergedId, r);
    if (moves.household.keptJoined !== null) await mergeRepository.leaveHousehold(trx, keptId, moves.household.keptJoined);
    if (moves.identity && sameIdentity(identityOf(kept), moves.identity.taken)) await mergeRepository.setIdentity(trx, keptId, moves.identity.replaced, now);
    await mergeRepository.restoreFlags(trx, moves.repointedFlags, keptId, mergedId);
    await mergeRepository.unmarkMerged(trx, mergedId, moves.household.mergedHouseholdId, now);
    await mergeRepository.markSplit(trx, merge.id, request.agentId, now);

    for (const c of cases) {
      await caseRepository.appendJournal(
        trx,
        c.id,
        c.reference,
        [{ type: 'citizen_split', actor: { type: 'agent', id: String(request.agentId) }, payload: { mergeId: merge.id, fromCitizenId: keptId, toCitizenId: mergedId } }],
        now,
      );
    }
    await request.audit?.(trx, { mergeId: merge.id, keptId, mergedId, caseIds: cases.map((c) => c.id) });
    return { mergedId, movedCases: cases.length };
  });
}

function sameIdentity(a: IdentityColumns, b: IdentityColumns): boolean {
  return (Object.keys(a) as (keyof IdentityColumns)[]).every((k) => a[k] === b[k]);
}

/** A merge into `keptId` of the organisation, for the split page; undefined when there is none. */
export async function mergeOf(db: Executor, organisationId: number, keptId: number, mergeId: number) {
  const merge = await mergeRepository.mergeRow(db, organisationId, mergeId);
  if (!merge || merge.kept_citizen_id !== keptId) return undefined;
  return merge;
}
