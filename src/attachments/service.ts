import { randomBytes } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Db } from '../db/database.js';
import { AppError } from '../http/errors.js';
import { attachmentRepository, type AttachmentRow } from './repository.js';
import type { AttachmentStorage } from './storage.js';

/** Types a town hall receives as proofs and photos. Checked from the bytes, never from the name. */
export const ACCEPTED_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic'] as const;

export interface AttachmentDeps {
  db: Db;
  storage: AttachmentStorage;
  maxBytes: number;
}

/**
 * Stores an uploaded file: sniffs its real type from its first bytes, refuses anything not in
 * ACCEPTED_TYPES or over the size limit, writes it durably, and returns its unguessable id.
 */
export async function storeAttachment(deps: AttachmentDeps, organisationId: number, bytes: Buffer, filename: string): Promise<AttachmentRow> {
  if (bytes.length === 0) throw new AppError('bad_request', 'Le fichier est vide.');
  if (bytes.length > deps.maxBytes) throw new AppError('payload_too_large', `Le fichier dépasse la taille maximale de ${Math.floor(deps.maxBytes / 1048576)} Mo.`);
  const detected = await fileTypeFromBuffer(bytes);
  const mimeType = detected?.mime;
  if (!mimeType || !(ACCEPTED_TYPES as readonly string[]).includes(mimeType)) {
    throw new AppError('attachment_type_refused', 'Formats acceptés : PDF, JPEG, PNG, WebP, HEIC.');
  }
  const sha256 = await deps.storage.put(bytes);
  const row = { id: randomBytes(16).toString('base64url'), sha256, size: bytes.length, mimeType, filename: sanitiseFilename(filename) };
  await attachmentRepository.insert(deps.db.kysely, organisationId, row, new Date().toISOString());
  return { ...row, caseId: null };
}

/** Keeps a display name only: no path, no control characters, bounded length. */
export function sanitiseFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'fichier';
}
