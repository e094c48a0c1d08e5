import type { Executor } from '../../db/transaction.js';

/** A file of a case, as the case page lists it and its download route serves it. */
export interface CaseAttachment {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
  /** The message it came with (a citizen's reply, an agent's answer), or null (the request's own files). */
  messageId: number | null;
  createdAt: string;
  /** Set on a file of a duplicate merged into this case: the duplicate's reference. */
  fromReference?: string;
}

/** A message of a case, written to or received from the citizen. */
export interface CaseMessage {
  id: number;
  direction: 'in' | 'out';
  channel: string;
  recipient: string | null;
  subject: string;
  body: string;
  status: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** The reads of the agents' case page: files, messages, and the names its journal cites by id. */
export const casePageRepository = {
  async attachments(db: Executor, caseId: number): Promise<CaseAttachment[]> {
    const rows = await db
      .selectFrom('attachments')
      .select(['id', 'filename', 'mime_type', 'size', 'sha256', 'message_id', 'created_at'])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toAttachment);
  },

  /** One file of a case; undefined when the id names no file of this very case. */
  async attachment(db: Executor, caseId: number, attachmentId: string): Promise<CaseAttachment | undefined> {
    const row = await db
      .selectFrom('attachments')
      .select(['id', 'filename', 'mime_type', 'size', 'sha256', 'message_id', 'created_at'])
      .where('case_id', '=', caseId)
      .where('id', '=', attachmentId)
      .executeTakeFirst();
    return row ? toAttachment(row) : undefined;
  },

  /** Files of the organisation by id, whatever their case: a merged duplicate's, cited by the kept case's journal. */
  async attachmentsByIds(db: Executor, organisationId: number, ids: readonly string[]): Promise<CaseAttachment[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('attachments')
      .select(['id', 'filename', 'mime_type', 'size', 'sha256', 'message_id', 'created_at'])
      .where('organisation_id', '=', organisationId)
      .where('id', 'in', [...new Set(ids)])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toAttachment);
  },

  async messages(db: Executor, caseId: number): Promise<CaseMessage[]> {
    const rows = await db
      .selectFrom('messages')
      .select(['id', 'direction', 'channel', 'recipient', 'subject', 'body_text', 'status', 'last_error', 'created_at', 'sent_at'])
      .where('case_id', '=', caseId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      direction: r.direction,
      channel: r.channel,
      recipient: r.recipient,
      subject: r.subject,
      body: r.body_text,
      status: r.status,
      lastError: r.last_error,
      createdAt: r.created_at,
      sentAt: r.sent_at,
    }));
  },

  /** Display names of the organisation's agents among `ids` (others, unknown, are left out). */
  async agentNames(db: Executor, organisationId: number, ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('agents').select(['id', 'display_name']).where('organisation_id', '=', organisationId).where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, r.display_name]));
  },
};

function toAttachment(r: { id: string; filename: string; mime_type: string; size: number; sha256: string; message_id: number | null; created_at: string }): CaseAttachment {
  return { id: r.id, filename: r.filename, mimeType: r.mime_type, size: r.size, sha256: r.sha256, messageId: r.message_id, createdAt: r.created_at };
}
