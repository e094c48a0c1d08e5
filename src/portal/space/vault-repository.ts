import type { Executor } from '../../db/transaction.js';

/** A proof kept in the citizen's document safe (porte-documents). */
export interface VaultDocument {
  id: number;
  attachmentId: string;
  kind: string;
  label: string;
  expiresOn: string | null;
  filename: string;
  mimeType: string;
  size: number;
  createdAt: string;
}

/** Every query on the document safe. */
export const vaultRepository = {
  /** The citizen's documents not deleted, newest first (expired ones included: the page says so). */
  async listForCitizen(db: Executor, citizenId: number): Promise<VaultDocument[]> {
    const rows = await db
      .selectFrom('citizen_documents as d')
      .innerJoin('attachments as a', 'a.id', 'd.attachment_id')
      .select(['d.id', 'd.attachment_id', 'd.kind', 'd.label', 'd.expires_on', 'd.created_at', 'a.filename', 'a.mime_type', 'a.size'])
      .where('d.citizen_id', '=', citizenId)
      .where('d.deleted_at', 'is', null)
      .orderBy('d.created_at', 'desc')
      .execute();
    return rows.map(toVaultDocument);
  },

  /** Files a new proof in the safe; the attachment is already stored and owned by the citizen. */
  async insert(db: Executor, citizenId: number, d: { attachmentId: string; kind: string; label: string; expiresOn: string | null }, now: string): Promise<number> {
    const row = await db
      .insertInto('citizen_documents')
      .values({ citizen_id: citizenId, attachment_id: d.attachmentId, kind: d.kind, label: d.label, expires_on: d.expiresOn, created_at: now, deleted_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /** One of the citizen's documents not deleted, with where its bytes are; undefined for anyone else's. */
  async findForCitizen(db: Executor, citizenId: number, id: number): Promise<(VaultDocument & { sha256: string }) | undefined> {
    const r = await db
      .selectFrom('citizen_documents as d')
      .innerJoin('attachments as a', 'a.id', 'd.attachment_id')
      .select(['d.id', 'd.attachment_id', 'd.kind', 'd.label', 'd.expires_on', 'd.created_at', 'a.filename', 'a.mime_type', 'a.size', 'a.sha256'])
      .where('d.id', '=', id)
      .where('d.citizen_id', '=', citizenId)
      .where('d.deleted_at', 'is', null)
      .executeTakeFirst();
    if (!r) return undefined;
    return { ...toVaultDocument(r), sha256: r.sha256 };
  },

  /**
   * Takes a document out of the safe. The row and the file stay: a case that cited a copy of it
   * keeps its proof, and the deletion date is part of what the town can show the citizen.
   */
  async softDelete(db: Executor, citizenId: number, id: number, now: string): Promise<boolean> {
    const result = await db
      .updateTable('citizen_documents')
      .set({ deleted_at: now })
      .where('id', '=', id)
      .where('citizen_id', '=', citizenId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },
};

interface VaultRow {
  id: number;
  attachment_id: string;
  kind: string;
  label: string;
  expires_on: string | null;
  created_at: string;
  filename: string;
  mime_type: string;
  size: number;
}

function toVaultDocument(r: VaultRow): VaultDocument {
  return {
    id: r.id,
    attachmentId: r.attachment_id,
    kind: r.kind,
    label: r.label,
    expiresOn: r.expires_on,
    filename: r.filename,
    mimeType: r.mime_type,
    size: r.size,
    createdAt: r.created_at,
  };
}
