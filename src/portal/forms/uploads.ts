/**
 * What a form page posts besides its answers: files (multipart), documents picked from the
 * document safe, files taken off. A draft cites only files uploaded for it; any other id posted
 * is dropped, so an id seen elsewhere cannot be smuggled into a request.
 */
import type { FastifyRequest } from 'fastify';
import { attachmentRepository } from '../../attachments/repository.js';
import { accepts, formatSize, storeAttachment, type AttachmentDeps } from '../../attachments/service.js';
import { AppError } from '../../http/errors.js';
import type { Field, FileField } from '../../procedures/form/definition.js';
import type { VaultDocument } from '../space/vault-repository.js';
import { fileInputName, readFileActions } from './fields/index.js';
import { newDraftId } from './service.js';

/** One file part of a multipart post, read into memory (bounded by the multipart limits). */
export interface PostedFile {
  /** The input's name (`fileInputName(path)`). */
  name: string;
  filename: string;
  bytes: Buffer | null;
}

/** A posted form: its text values (string or repeated strings) and its files. */
export interface PostedForm {
  body: Record<string, string | string[]>;
  files: PostedFile[];
}

/**
 * Reads an urlencoded or multipart post. A file over the installation's limit is kept with
 * `bytes: null`, so the page can say which one; empty file inputs (nothing chosen) are ignored.
 */
export async function readPostedForm(request: FastifyRequest): Promise<PostedForm> {
  const body: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const files: PostedFile[] = [];
  if (!request.isMultipart()) {
    const parsed = (request.body ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') body[key] = value;
      else if (Array.isArray(value)) body[key] = value.filter((v): v is string => typeof v === 'string');
    }
    return { body, files };
  }
  const { FilesLimitError, PartsLimitError, FieldsLimitError } = request.server.multipartErrors;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string' || part.fieldname === '__proto__') continue;
        const previous = body[part.fieldname];
        body[part.fieldname] = previous === undefined ? part.value : [...(Array.isArray(previous) ? previous : [previous]), part.value];
        continue;
      }
      // The plugin truncates a file over the limit (throwFileSizeLimit off) instead of failing the whole post.
      const bytes = await part.toBuffer();
      if (part.file.truncated) files.push({ name: part.fieldname, filename: part.filename, bytes: null });
      else if (part.filename && bytes.length > 0) files.push({ name: part.fieldname, filename: part.filename, bytes });
    }
  } catch (error) {
    if (error instanceof FilesLimitError || error instanceof PartsLimitError || error instanceof FieldsLimitError) {
      throw new AppError('payload_too_large', 'Trop de fichiers ou de champs envoyés en une fois.');
    }
    throw error;
  }
  return { body, files };
}

/** Where file changes happen: the draft, its owner, and what they may pick from. */
export interface FileChangeScope {
  organisationId: number;
  draftId: string;
  citizenId: number | null;
  vault: VaultDocument[];
}

/**
 * Applies a page's file changes to its freshly read answers (`values`, changed in place): keeps
 * only the draft's own files, takes off the ones ticked "Retirer", adds the documents picked from
 * the safe and stores the uploads. Returns the upload errors by field path.
 */
export async function applyFileChanges(deps: AttachmentDeps, scope: FileChangeScope, fields: Field[], posted: PostedForm, values: Record<string, unknown>): Promise<Map<string, string>> {
  const db = deps.db.kysely;
  const errors = new Map<string, string>();
  const owned = new Set((await attachmentRepository.listForDraft(db, scope.draftId)).map((a) => a.id));
  const owner = { citizenId: scope.citizenId, draftId: scope.draftId };
  const paths = fileFieldPaths(fields, values);

  for (const path of paths.keys()) {
    const kept = getAt(values, path);
    if (kept !== undefined) setAt(values, path, asIds(kept).filter((id) => owned.has(id)));
  }
  for (const action of readFileActions(fields, posted.body)) {
    const field = paths.get(action.path);
    if (!field) continue;
    const ids = asIds(getAt(values, action.path)).filter((id) => !action.removeIds.includes(id));
    for (const vaultId of action.vaultIds) {
      const document = scope.vault.find((d) => d.id === vaultId);
      if (!document || (field.accept && !accepts(field.accept, document.mimeType))) continue;
      const copy = await attachmentRepository.duplicate(db, document.attachmentId, newDraftId(), owner, new Date().toISOString());
      if (copy) ids.push(copy.id);
    }
    setAt(values, action.path, ids);
  }
  for (const file of posted.files) {
    const path = pathOfInput(file.name);
    const field = path === null ? undefined : paths.get(path);
    if (!path || !field) continue;
    const limit = Math.min(deps.maxBytes, field.maxSizeBytes ?? Infinity);
    if (file.bytes === null || file.bytes.length > limit) {
      errors.set(path, `Le fichier « ${file.filename} » dépasse la taille maximale de ${formatSize(limit)}.`);
      continue;
    }
    try {
      const stored = await storeAttachment(deps, scope.organisationId, file.bytes, file.filename, {
        ...(field.accept ? { accept: field.accept } : {}),
        ...(field.maxSizeBytes ? { maxBytes: field.maxSizeBytes } : {}),
        owner,
      });
      setAt(values, path, [...asIds(getAt(values, path)), stored.id]);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors.set(path, uploadMessage(error, file.filename));
    }
  }
  return errors;
}

function uploadMessage(error: AppError, filename: string): string {
  switch (error.code) {
    case 'attachment_type_refused':
      return `Le fichier « ${filename} » n’est pas dans un format accepté. ${error.detail ?? ''}`.trim();
    case 'payload_too_large':
      return `Le fichier « ${filename} » est trop volumineux. ${error.detail ?? ''}`.trim();
    default:
      return `Le fichier « ${filename} » n’a pas pu être enregistré : ${error.detail ?? error.message}`;
  }
}

const asIds = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' && value ? [value] : []);

const INPUT_SUFFIX = fileInputName('x').slice(1);

/** The field path of a file input's name, or null when the name is not one of ours. */
function pathOfInput(name: string): string | null {
  return name.endsWith(INPUT_SUFFIX) ? name.slice(0, -INPUT_SUFFIX.length) : null;
}

/** The file fields of a page by path: top-level ones, and those of each item of its groups. */
function fileFieldPaths(fields: Field[], values: Record<string, unknown>): Map<string, FileField> {
  const paths = new Map<string, FileField>();
  for (const field of fields) {
    if (field.type === 'file') paths.set(field.name, field);
    if (field.type !== 'group') continue;
    const items = Array.isArray(values[field.name]) ? (values[field.name] as unknown[]) : [];
    items.forEach((_, index) => {
      for (const sub of field.fields) if (sub.type === 'file') paths.set(`${field.name}[${index}].${sub.name}`, sub);
    });
  }
  return paths;
}

const PATH = /^([A-Za-z][A-Za-z0-9_]*)(?:\[(\d{1,3})\]\.([A-Za-z][A-Za-z0-9_]*))?$/;

function getAt(values: Record<string, unknown>, path: string): unknown {
  const match = PATH.exec(path);
  if (!match) return undefined;
  const [, name, index, sub] = match;
  if (index === undefined) return Object.hasOwn(values, name!) ? values[name!] : undefined;
  const item = (values[name!] as unknown[] | undefined)?.[Number(index)];
  return item && typeof item === 'object' ? (item as Record<string, unknown>)[sub!] : undefined;
}

function setAt(values: Record<string, unknown>, path: string, value: string[]): void {
  const match = PATH.exec(path);
  if (!match) return;
  const [, name, index, sub] = match;
  if (index === undefined) {
    values[name!] = value;
    return;
  }
  const item = (values[name!] as unknown[] | undefined)?.[Number(index)];
  if (item && typeof item === 'object') (item as Record<string, unknown>)[sub!] = value;
}
