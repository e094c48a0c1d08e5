import type { Executor } from '../db/transaction.js';
import { invalid, notFound } from '../http/errors.js';
import { procedureRepository } from '../procedures/repository.js';
import { caseRepository, type CaseSummary, type CaseView, type Channel } from './repository.js';
import { implicitDecisionDay } from '../deadlines/silence.js';

export interface ListQuery {
  status?: string;
  departmentId?: number;
  procedureSlug?: string;
  channel?: Channel;
  receivedFrom?: string;
  receivedTo?: string;
  text?: string;
  limit: number;
  cursor?: string;
}

/** Reads a case of the organisation; another organisation's case is simply not found. */
export async function getCase(db: Executor, organisationId: number, reference: string): Promise<CaseView> {
  const found = await caseRepository.findByReference(db, organisationId, reference);
  if (!found) throw notFound(`Aucun dossier ${reference}.`);
  return found;
}

/** A page of cases and the cursor of the next one. */
export async function listCases(db: Executor, organisationId: number, q: ListQuery): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
  let procedureId: number | undefined;
  if (q.procedureSlug !== undefined) {
    const procedure = await procedureRepository.findBySlug(db, organisationId, q.procedureSlug);
    if (!procedure) return { items: [], nextCursor: null };
    procedureId = procedure.id;
  }
  const page = await caseRepository.list(db, {
    organisationId,
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(q.departmentId !== undefined ? { departmentId: q.departmentId } : {}),
    ...(procedureId !== undefined ? { procedureId } : {}),
    ...(q.channel !== undefined ? { channel: q.channel } : {}),
    ...(q.receivedFrom !== undefined ? { receivedFrom: new Date(q.receivedFrom).toISOString() } : {}),
    ...(q.receivedTo !== undefined ? { receivedTo: new Date(q.receivedTo).toISOString() } : {}),
    ...(q.text !== undefined ? { text: q.text } : {}),
    ...(q.cursor !== undefined ? { after: decodeCursor(q.cursor) } : {}),
    limit: q.limit,
  });
  const last = page.items.at(-1);
  return { items: page.items, nextCursor: page.hasMore && last ? encodeCursor(last.receivedAt, last.id) : null };
}

/** The journal of a case, oldest first. */
/** A case's journal, with the case it belongs to (whose reading the caller may have to trace). */
export async function getJournal(db: Executor, organisationId: number, reference: string) {
  const view = await getCase(db, organisationId, reference);
  return { view, items: await caseRepository.listJournal(db, view.id) };
}

/** Opaque to clients; it only carries the position of the last row seen. */
export function encodeCursor(receivedAt: string, id: number): string {
  return Buffer.from(JSON.stringify([receivedAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { receivedAt: string; id: number } {
  try {
    const [receivedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof receivedAt === 'string' && !Number.isNaN(Date.parse(receivedAt)) && Number.isInteger(id)) return { receivedAt, id: id as number };
  } catch {
    // reported below
  }
  throw invalid([{ field: 'query.cursor', code: 'invalid_cursor', message: 'Ce curseur est invalide : reprenez la liste depuis le début.' }]);
}

/** A case as the API answers it: with the day its implicit decision is born, in the town's zone. */
export function withDecisionDay<T extends { implicitDecisionAt: string | null }>(c: T, zone: string): T & { implicitDecisionOn: string | null } {
  return { ...c, implicitDecisionOn: implicitDecisionDay(c.implicitDecisionAt, zone) };
}
