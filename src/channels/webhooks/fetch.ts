/**
 * Attachments a delivery cites by URL (a photo under a post, a proposal's image): fetched with a
 * size limit and a timeout through the outbound guard (src/http/outbound.ts: public addresses or
 * the operator's allowlist, no redirect), then stored through the attachment service's own
 * checks (type sniffed from the bytes, size). A file that cannot be fetched or is refused never fails the delivery: its
 * URL is kept and noted on the case.
 */
import { storeAttachment, type AttachmentDeps } from '../../attachments/service.js';
import { AppError } from '../../http/errors.js';
import { OutboundRefused, type OutboundClient } from '../../http/outbound.js';

export interface FetchedAttachment {
  url: string;
  attachmentId: string;
  filename: string;
}

export interface FailedAttachment {
  url: string;
  reason: string;
}

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
}

/**
 * Downloads one URL into a buffer through the outbound guard: public addresses only (or the
 * operator's allowlist), no redirect, refused over `maxBytes` as soon as it is known.
 */
export async function download(outbound: OutboundClient, url: string, options: DownloadOptions): Promise<Buffer> {
  const response = await outbound.request(url, { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes }).catch((error: unknown) => {
    throw error instanceof OutboundRefused && error.reason === 'too_large' ? new Error('fichier trop volumineux') : error;
  });
  if (!response.ok) throw new Error(`réponse HTTP ${response.status}`);
  return response.body;
}

/** The last segment of the URL's path, as the file's display name when the mapping gives none. */
function filenameOf(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop();
  return last ? decodeURIComponent(last) : 'piece-jointe';
}

/** Fetches and stores each attachment; the ones that fail are returned with their reason, in French. */
export async function fetchAttachments(
  deps: AttachmentDeps & { timeoutMs: number; outbound: OutboundClient },
  organisationId: number,
  attachments: { url: string; filename: string | null }[],
  accept: { types?: readonly string[]; maxBytes?: number },
): Promise<{ fetched: FetchedAttachment[]; failed: FailedAttachment[] }> {
  const fetched: FetchedAttachment[] = [];
  const failed: FailedAttachment[] = [];
  for (const attachment of attachments) {
    try {
      const bytes = await download(deps.outbound, attachment.url, { maxBytes: Math.min(deps.maxBytes, accept.maxBytes ?? Infinity), timeoutMs: deps.timeoutMs });
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
