import type { Executor } from '../../db/transaction.js';
import { fromJson } from '../../db/transaction.js';

/** A citizen whose cases the viewer may follow: themselves, or a member of the same household. */
export interface FollowedCitizen {
  citizenId: number;
  /** The member's name as the household knows it; null for the viewer themselves. */
  name: string | null;
}

export interface MyCasesFilter {
  organisationId: number;
  citizenIds: readonly number[];
  state: 'all' | 'open' | 'closed';
  /** Keyset cursor: the (received_at, id) of the last row of the previous page. */
  after?: { receivedAt: string; id: number };
  limit: number;
}

export interface MyCaseRow {
  id: number;
  reference: string;
  citizenId: number;
  channel: string;
  status: string;
  workflowId: number | null;
  subject: string;
  procedureTitle: string | null;
  receivedAt: string;
  closedAt: string | null;
  /** The latest information request's reply-by date, whether or not it is still open. */
  replyBy: string | null;
}

/** A file of a case with who it came with: what decides whether its citizen may see it. */
export interface CaseFile {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
  messageId: number | null;
  createdAt: string;
}

/** Every query of « Mes demandes ». */
export const myCasesRepository = {
  /**
   * The viewer and the members of their household who are citizens of their own. Both must be
   * listed as members of that household (and still belong to it): a member removed from the
   * household, or who moved to another one, no longer follows the others' cases nor is followed.
   */
  async followedCitizens(db: Executor, viewerId: number): Promise<FollowedCitizen[]> {
    const members = await db
      .selectFrom('citizens as v')
      .innerJoin('household_members as mv', (join) => join.onRef('mv.household_id', '=', 'v.household_id').onRef('mv.citizen_id', '=', 'v.id'))
      .innerJoin('household_members as m', 'm.household_id', 'v.household_id')
      .innerJoin('citizens as x', (join) => join.onRef('x.id', '=', 'm.citizen_id').onRef('x.household_id', '=', 'v.household_id'))
      .select(['m.citizen_id', 'm.first_names', 'm.last_name'])
      .where('v.id', '=', viewerId)
      .where('m.citizen_id', '!=', viewerId)
      .orderBy('m.id')
      .execute();
    const others = members.map((m) => ({ citizenId: m.citizen_id!, name: `${m.first_names} ${m.last_name}`.trim() }));
    return [{ citizenId: viewerId, name: null }, ...others.filter((m, i) => others.findIndex((o) => o.citizenId === m.citizenId) === i)];
  },

  /**
   * One page of the followed citizens' cases, newest received first, in one query: the status,
   * the procedure's title and the latest reply-by date of an information request come with each
   * row (no query per case).
   */
  async list(db: Executor, f: MyCasesFilter): Promise<{ items: MyCaseRow[]; hasMore: boolean }> {
    if (f.citizenIds.length === 0) return { items: [], hasMore: false };
    let q = db
      .selectFrom('cases as c')
      .leftJoin('procedures as p', 'p.id', 'c.procedure_id')
      .select(['c.id', 'c.reference', 'c.citizen_id', 'c.channel', 'c.status', 'c.workflow_id', 'c.subject', 'c.received_at', 'c.closed_at', 'p.title as procedure_title'])
      .select((eb) =>
        eb
          .selectFrom('case_journal as j')
          .select('j.payload')
          .whereRef('j.case_id', '=', 'c.id')
          .where('j.type', '=', 'information.requested')
          .orderBy('j.seq', 'desc')
          .limit(1)
          .as('information_request'),
      )
      .where('c.organisation_id', '=', f.organisationId)
      .where('c.citizen_id', 'in', [...f.citizenIds]);
    if (f.state === 'open') q = q.where('c.closed_at', 'is', null);
    if (f.state === 'closed') q = q.where('c.closed_at', 'is not', null);
    if (f.after) {
      const { receivedAt, id } = f.after;
      q = q.where((eb) => eb(eb.refTuple('c.received_at', 'c.id'), '<', eb.tuple(receivedAt, id)));
    }
    const rows = await q.orderBy('c.received_at', 'desc').orderBy('c.id', 'desc').limit(f.limit + 1).execute();
    const items = rows.slice(0, f.limit).map((r) => {
      const request = r.information_request ? fromJson<{ replyBy?: unknown }>(r.information_request) : null;
      return {
        id: r.id,
        reference: r.reference,
        citizenId: r.citizen_id!,
        channel: r.channel,
        status: r.status,
        workflowId: r.workflow_id,
        subject: r.subject,
        procedureTitle: r.procedure_title,
        receivedAt: r.received_at,
        closedAt: r.closed_at,
        replyBy: typeof request?.replyBy === 'string' ? request.replyBy : null,
      };
    });
    return { items, hasMore: rows.length > f.limit };
  },

  /** Every file on a case, oldest first. */
  async files(db: Executor, caseId: number): Promise<CaseFile[]> {
    const rows = await db
      .selectFrom('attachments')
      .select(['id', 'filename', 'mime_type', 'size', 'sha256', 'message_id', 'created_at'])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, filename: r.filename, mimeType: r.mime_type, size: r.size, sha256: r.sha256, messageId: r.message_id, createdAt: r.created_at }));
  },

  async satisfaction(db: Executor, caseId: number): Promise<{ rating: number; comment: string | null; createdAt: string } | undefined> {
    const row = await db.selectFrom('satisfaction_answers').select(['rating', 'comment', 'created_at']).where('case_id', '=', caseId).executeTakeFirst();
    return row ? { rating: row.rating, comment: row.comment, createdAt: row.created_at } : undefined;
  },

  /** Records the one answer a case may get; false when it already has one. */
  async answerSatisfaction(db: Executor, answer: { caseId: number; citizenId: number; rating: number; comment: string | null }, now: string): Promise<boolean> {
    const result = await db
      .insertInto('satisfaction_answers')
      .values({ case_id: answer.caseId, citizen_id: answer.citizenId, rating: answer.rating, comment: answer.comment, created_at: now })
      .onConflict((oc) => oc.column('case_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  },
};
