import type { Executor } from '../../db/transaction.js';
import { fromJson, toJson } from '../../db/transaction.js';

/** A citizen's form in progress: raw answers page by page, then who asks, then the case it became. */
export interface Draft {
  id: string;
  organisationId: number;
  procedureId: number;
  citizenId: number | null;
  visitorId: string | null;
  /** Raw answers (as posted, not normalised), keyed by field name. */
  data: Record<string, unknown>;
  /** Who asks, for a signed-out submission (see `DraftContact`). */
  contact: Record<string, unknown> | null;
  pageId: string | null;
  caseId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** An unfinished draft as "Mes brouillons" lists it. */
export interface DraftSummary {
  id: string;
  procedureSlug: string;
  procedureTitle: string;
  pageId: string | null;
  updatedAt: string;
}

type Row = {
  id: string;
  organisation_id: number;
  procedure_id: number;
  citizen_id: number | null;
  visitor_id: string | null;
  data: string;
  contact: string | null;
  page_id: string | null;
  case_id: number | null;
  created_at: string;
  updated_at: string;
};

const toDraft = (r: Row): Draft => ({
  id: r.id,
  organisationId: r.organisation_id,
  procedureId: r.procedure_id,
  citizenId: r.citizen_id,
  visitorId: r.visitor_id,
  data: fromJson<Record<string, unknown>>(r.data) ?? {},
  contact: fromJson<Record<string, unknown> | null>(r.contact),
  pageId: r.page_id,
  caseId: r.case_id,
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
});

/** Every query on form drafts. */
export const draftRepository = {
  async insert(db: Executor, d: Pick<Draft, 'id' | 'organisationId' | 'procedureId' | 'citizenId' | 'visitorId' | 'data' | 'pageId'>, now: string): Promise<void> {
    await db
      .insertInto('form_drafts')
      .values({
        id: d.id,
        organisation_id: d.organisationId,
        procedure_id: d.procedureId,
        citizen_id: d.citizenId,
        visitor_id: d.visitorId,
        data: toJson(d.data),
        contact: null,
        page_id: d.pageId,
        case_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  },

  async find(db: Executor, organisationId: number, id: string): Promise<Draft | undefined> {
    const row = await db.selectFrom('form_drafts').selectAll().where('id', '=', id).where('organisation_id', '=', organisationId).executeTakeFirst();
    return row ? toDraft(row as Row) : undefined;
  },

  /** Saves the answers and the page reached; a submitted draft is never changed. */
  async saveAnswers(db: Executor, id: string, data: Record<string, unknown>, pageId: string, now: string): Promise<void> {
    await db.updateTable('form_drafts').set({ data: toJson(data), page_id: pageId, updated_at: now }).where('id', '=', id).where('case_id', 'is', null).execute();
  },

  async saveContact(db: Executor, id: string, contact: Record<string, unknown>, now: string): Promise<void> {
    await db.updateTable('form_drafts').set({ contact: toJson(contact), updated_at: now }).where('id', '=', id).where('case_id', 'is', null).execute();
  },

  /** A signed-out draft becomes the citizen's who signed in with the same browser. */
  async adopt(db: Executor, id: string, citizenId: number, now: string): Promise<void> {
    await db.updateTable('form_drafts').set({ citizen_id: citizenId, updated_at: now }).where('id', '=', id).where('citizen_id', 'is', null).where('case_id', 'is', null).execute();
  },

  async markSubmitted(db: Executor, id: string, caseId: number, now: string): Promise<void> {
    await db.updateTable('form_drafts').set({ case_id: caseId, updated_at: now }).where('id', '=', id).execute();
  },

  /** The citizen's unfinished drafts, last saved first. */
  async listUnfinished(db: Executor, citizenId: number): Promise<DraftSummary[]> {
    const rows = await db
      .selectFrom('form_drafts as d')
      .innerJoin('procedures as p', 'p.id', 'd.procedure_id')
      .select(['d.id', 'd.page_id', 'd.updated_at', 'p.slug', 'p.title'])
      .where('d.citizen_id', '=', citizenId)
      .where('d.case_id', 'is', null)
      .orderBy('d.updated_at', 'desc')
      .orderBy('d.id')
      .limit(100)
      .execute();
    return rows.map((r) => ({ id: r.id, procedureSlug: r.slug, procedureTitle: r.title, pageId: r.page_id, updatedAt: String(r.updated_at) }));
  },

  /** The citizen's most recently saved unfinished draft of a procedure, if any. */
  async latestUnfinished(db: Executor, citizenId: number, procedureId: number): Promise<string | undefined> {
    const row = await db
      .selectFrom('form_drafts')
      .select('id')
      .where('citizen_id', '=', citizenId)
      .where('procedure_id', '=', procedureId)
      .where('case_id', 'is', null)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  },

  /** Deletes an unfinished draft; returns false when there was none (or it was submitted meanwhile). */
  async deleteUnfinished(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('form_drafts').where('id', '=', id).where('case_id', 'is', null).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
};
