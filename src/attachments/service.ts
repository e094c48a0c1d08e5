import { randomBytes } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Db } from '../db/database.js';
import { AppError } from '../http/errors.js';
import { attachmentRepository, type AttachmentOwner, type AttachmentRow } from './repository.js';
import type { AttachmentStorage } from './storage.js';

/** Types a town hall receives as proofs and photos. Checked from the bytes, never from the name. */
export const ACCEPTED_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic'] as const;

export interface AttachmentDeps {
  db: Db;
  storage: AttachmentStorage;
  maxBytes: number;
}

export interface StoreOptions {
  /** Types this particular upload accepts (a form's file field), among ACCEPTED_TYPES; `image/*` allowed. */
  accept?: readonly string[];
  /** A lower size limit than the installation's (a form's file field). */
  maxBytes?: number;
  owner?: AttachmentOwner;
}

const TYPE_NAMES: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP', 'image/heic': 'HEIC' };

/** "PDF, JPEG, PNG" for a list of MIME types (wildcards spelled out), to announce limits before upload. */
export function describeTypes(accept: readonly string[] = ACCEPTED_TYPES): string {
  const types = ACCEPTED_TYPES.filter((t) => accepts(accept, t));
  return types.map((t) => TYPE_NAMES[t] ?? t).join(', ');
}

/** True when `mimeType` is one of `accept` (which may hold wildcards such as `image/*`). */
export function accepts(accept: readonly string[], mimeType: string): boolean {
  return accept.some((type) => type === mimeType || (type.endsWith('/*') && mimeType.startsWith(type.slice(0, -1))));
}

/**
 * Stores an uploaded file: sniffs its real type from its first bytes, refuses anything not in
 * ACCEPTED_TYPES (or the upload's own `accept`) or over the size limit, writes it durably, and
 * returns its unguessable id.
 */
export async function storeAttachment(deps: AttachmentDeps, organisationId: number, bytes: Buffer, filename: string, options: StoreOptions = {}): Promise<AttachmentRow> {
  const maxBytes = Math.min(deps.maxBytes, options.maxBytes ?? Infinity);
  if (bytes.length === 0) throw new AppError('bad_request', 'Le fichier est vide.');
  if (bytes.length > maxBytes) throw new AppError('payload_too_large', `Le fichier dépasse la taille maximale de ${formatSize(maxBytes)}.`);
  const detected = await fileTypeFromBuffer(bytes);
  const mimeType = detected?.mime;
  const accept = options.accept ?? ACCEPTED_TYPES;
  if (!mimeType || !(ACCEPTED_TYPES as readonly string[]).includes(mimeType) || !accepts(accept, mimeType)) {
    throw new AppError('attachment_type_refused', `Formats acceptés : ${describeTypes(accept)}.`);
  }
  const sha256 = await deps.storage.put(bytes);
  const row = { id: randomBytes(16).toString('base64url'), sha256, size: bytes.length, mimeType, filename: sanitiseFilename(filename) };
  await attachmentRepository.insert(deps.db.kysely, organisationId, row, new Date().toISOString(), options.owner);
  return { ...row, caseId: null };
}

/** "5 Mo", "800 ko": sizes as French users read them. */
export function formatSize(bytes: number): string {
  if (bytes >= 1048576) return `${Number((bytes / 1048576).toFixed(1)).toLocaleString('fr-FR')} Mo`;
  return `${Math.max(1, Math.round(bytes / 1024))} ko`;
}

/** Keeps a display name only: no path, no control characters, bounded length. */
export function sanitiseFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean || 'fichier';
}
