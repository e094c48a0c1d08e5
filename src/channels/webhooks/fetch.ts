/**
 * Attachments a delivery cites by URL (a photo under a post, a proposal's image): fetched with a
 * size limit and a timeout, from public addresses only unless the installation allows private ones, then stored through the attachment service's own checks (type sniffed
 * from the bytes, size). A file that cannot be fetched or is refused never fails the delivery: its
 * URL is kept and noted on the case.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { storeAttachment, type AttachmentDeps } from '../../attachments/service.js';
import { AppError } from '../../http/errors.js';

export interface FetchedAttachment {
  url: string;
  attachmentId: string;
  filename: string;
}

export interface FailedAttachment {
  url: string;
  reason: string;
}

/**
 * Addresses a relay must not make us fetch unless the installation allows it: the machine itself,
 * private and link-local networks (cloud metadata at 169.254.169.254), multicast and reserved.
 */
const PRIVATE = new net.BlockList();
for (const [prefix, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  PRIVATE.addSubnet(prefix, bits, 'ipv6');
}

/** Refuses a URL whose host is, or resolves to, a private address (checked again on each redirect). */
async function checkHost(url: URL, allowPrivate: boolean): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('adresse non http(s)');
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await lookup(host, { all: true });
  if (addresses.some((a) => PRIVATE.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'))) throw new Error('adresse d’un réseau privé refusée');
}

const MAX_REDIRECTS = 3;

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Allow hosts on private networks (tests, an internal relay); refused by default. */
  allowPrivate: boolean;
}

/** Downloads one URL into a buffer, refusing anything over `maxBytes` as soon as it is known. */
export async function download(url: string, options: DownloadOptions): Promise<Buffer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let target = new URL(url);
  let response: Response;
  for (let redirects = 0; ; redirects += 1) {
    await checkHost(target, options.allowPrivate);
    response = await fetch(target, { signal, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) break;
    await response.body?.cancel();
    if (redirects >= MAX_REDIRECTS) throw new Error('trop de redirections');
    target = new URL(location, target);
  }
  if (!response.ok || !response.body) throw new Error(`réponse HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
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
    if (size > options.maxBytes) {
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
  deps: AttachmentDeps & { timeoutMs: number; allowPrivate: boolean },
  organisationId: number,
  attachments: { url: string; filename: string | null }[],
  accept: { types?: readonly string[]; maxBytes?: number },
): Promise<{ fetched: FetchedAttachment[]; failed: FailedAttachment[] }> {
  const fetched: FetchedAttachment[] = [];
  const failed: FailedAttachment[] = [];
  for (const attachment of attachments) {
    try {
      const bytes = await download(attachment.url, { maxBytes: Math.min(deps.maxBytes, accept.maxBytes ?? Infinity), timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivate });
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
