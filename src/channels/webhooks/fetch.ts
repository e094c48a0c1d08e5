/**
 * Attachments a delivery cites by URL (a photo under a post, a proposal's image): fetched with a
 * size limit and a timeout, then stored through the attachment service's own checks (type sniffed
 * from the bytes, size). A file that cannot be fetched or is refused never fails the delivery: its
 * URL is kept and noted on the case.
 */
import { storeAttachment, type AttachmentDeps } from '../../attachments/service.js';
import { AppError } from '../../http/errors.js';
import { isHttpUrl } from './mapping.js';

export interface FetchedAttachment {
  url: string;
  attachmentId: string;
  filename: string;
}

export interface FailedAttachment {
  url: string;
  reason: string;
}

/** Downloads one URL into a buffer, refusing anything over `maxBytes` as soon as it is known. */
export async function download(url: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  if (!isHttpUrl(url)) throw new Error('adresse non http(s)');
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!response.ok || !response.body) throw new Error(`réponse HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel();
    throw new Error('fichier trop volumineux');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error('fichier trop volumineux');
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The last segment of the URL's path, as the file's display name when the mapping gives none. */
function filenameOf(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop();
  return last ? decodeURIComponent(last) : 'piece-jointe';
}

/** Fetches and stores each attachment; the ones that fail are returned with their reason, in French. */
export async function fetchAttachments(
  deps: AttachmentDeps & { timeoutMs: number },
  organisationId: number,
  attachments: { url: string; filename: string | null }[],
  accept: { types?: readonly string[]; maxBytes?: number },
): Promise<{ fetched: FetchedAttachment[]; failed: FailedAttachment[] }> {
  const fetched: FetchedAttachment[] = [];
  const failed: FailedAttachment[] = [];
  for (const attachment of attachments) {
    try {
      const bytes = await download(attachment.url, Math.min(deps.maxBytes, accept.maxBytes ?? Infinity), deps.timeoutMs);
      const stored = await storeAttachment(deps, organisationId, bytes, attachment.filename ?? filenameOf(attachment.url), {
        ...(accept.types ? { accept: accept.types } : {}),
        ...(accept.maxBytes !== undefined ? { maxBytes: accept.maxBytes } : {}),
      });
      fetched.push({ url: attachment.url, attachmentId: stored.id, filename: stored.filename });
    } catch (error) {
      const reason = error instanceof AppError ? (error.detail ?? error.message) : error instanceof Error && error.name === 'TimeoutError' ? 'délai dépassé' : error instanceof Error ? error.message : String(error);
      failed.push({ url: attachment.url, reason });
    }
  }
  return { fetched, failed };
}
