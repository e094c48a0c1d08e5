import type { Executor } from '../db/transaction.js';

export interface AttachmentRow {
  id: string;
  sha256: string;
  size: number;
  mimeType: string;
  filename: string;
  caseId: number | null;
}

/** Who an attachment belongs to before (or besides) a case: only they may cite or read it. */
export interface AttachmentOwner {
  citizenId?: number | null;
  draftId?: string | null;
  messageId?: number | null;
}

/** Every query on attachments. */
export const attachmentRepository = {
  async insert(db: Executor, organisationId: number, a: Omit<AttachmentRow, 'caseId'>, now: string, owner: AttachmentOwner = {}): Promise<void> {
    await db
      .insertInto('attachments')
      .values({
        id: a.id,
        organisation_id: organisationId,
        sha256: a.sha256,
        size: a.size,
        mime_type: a.mimeType,
        filename: a.filename,
        case_id: null,
        citizen_id: owner.citizenId ?? null,
        draft_id: owner.draftId ?? null,
        message_id: owner.messageId ?? null,
        created_at: now,
      })
      .execute();
  },

  /**
   * A new attachment row for the same stored bytes (content-addressed, so nothing is copied): a
   * proof from the document safe cited by a new request, while the safe keeps its own.
   */
  async duplicate(db: Executor, sourceId: string, newId: string, owner: AttachmentOwner, now: string): Promise<AttachmentRow | undefined> {
    const source = await db.selectFrom('attachments').selectAll().where('id', '=', sourceId).executeTakeFirst();
    if (!source) return undefined;
    const row = { id: newId, sha256: source.sha256, size: source.size, mimeType: source.mime_type, filename: source.filename };
    await attachmentRepository.insert(db, source.organisation_id, row, now, owner);
    return { ...row, caseId: null };
  },

  async findById(db: Executor, id: string): Promise<{ id: string; caseId: number | null } | undefined> {
    const row = await db.selectFrom('attachments').select(['id', 'case_id']).where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, caseId: row.case_id } : undefined;
  },

  async findMany(db: Executor, organisationId: number, ids: string[]): Promise<AttachmentRow[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('attachments')
      .select(['id', 'sha256', 'size', 'mime_type', 'filename', 'case_id'])
      .where('organisation_id', '=', organisationId)
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => ({ id: r.id, sha256: r.sha256, size: r.size, mimeType: r.mime_type, filename: r.filename, caseId: r.case_id }));
  },

  /**
   * A reply's files join its message and its case. Only free files qualify, and a known citizen's
   * only their own uploads, so a reply can never take a file of another case, draft or person.
   * Returns how many were linked (fewer means one was not free or not theirs).
   */
  async linkToMessage(db: Executor, organisationId: number, ids: string[], to: { caseId: number; messageId: number; citizenId: number | null }): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await db
      .updateTable('attachments')
      .set({ case_id: to.caseId, message_id: to.messageId })
      .where('organisation_id', '=', organisationId)
      .where('id', 'in', ids)
      .where('case_id', 'is', null)
      .where('message_id', 'is', null)
      .where('draft_id', 'is', null)
      .where((eb) => (to.citizenId === null ? eb('citizen_id', 'is', null) : eb('citizen_id', '=', to.citizenId)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  },

  /** Links unlinked attachments to a case; returns how many were linked (fewer means one was taken). */
  async linkToCase(db: Executor, ids: string[], caseId: number): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await db.updateTable('attachments').set({ case_id: caseId }).where('id', 'in', ids).where('case_id', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  },

  async listForCase(db: Executor, caseId: number): Promise<AttachmentRow[]> {
    const rows = await db.selectFrom('attachments').select(['id', 'sha256', 'size', 'mime_type', 'filename', 'case_id']).where('case_id', '=', caseId).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, sha256: r.sha256, size: r.size, mimeType: r.mime_type, filename: r.filename, caseId: r.case_id }));
  },

  /** The files uploaded for a portal draft and not yet cited by a case: the only ones the draft may cite. */
  async listForDraft(db: Executor, draftId: string): Promise<AttachmentRow[]> {
    const rows = await db
      .selectFrom('attachments')
      .select(['id', 'sha256', 'size', 'mime_type', 'filename', 'case_id'])
      .where('draft_id', '=', draftId)
      .where('case_id', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, sha256: r.sha256, size: r.size, mimeType: r.mime_type, filename: r.filename, caseId: r.case_id }));
  },

  /**
   * Forgets the files of an abandoned draft that no case cites and no document safe keeps (the
   * stored bytes stay: they are content-addressed and may be shared). Returns how many.
   */
  async deleteUnusedOfDraft(db: Executor, draftId: string): Promise<number> {
    const result = await db
      .deleteFrom('attachments')
      .where('draft_id', '=', draftId)
      .where('case_id', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('citizen_documents').select('citizen_documents.id').whereRef('citizen_documents.attachment_id', '=', 'attachments.id'))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },
};
