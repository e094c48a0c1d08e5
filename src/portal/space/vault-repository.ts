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
    return rows.map((r) => ({
      id: r.id,
      attachmentId: r.attachment_id,
      kind: r.kind,
      label: r.label,
      expiresOn: r.expires_on,
      filename: r.filename,
      mimeType: r.mime_type,
      size: r.size,
      createdAt: r.created_at,
    }));
  },
};
