/**
 * The durable receipt of an e-mail, shared by the SMTP receiver and the IMAP poller: the raw bytes
 * are written to disk and synced, then the receipt row and its processing job commit together.
 * Only then may the sender be told « 250 » (or the IMAP message be moved): a crash before that
 * leaves the mail with its sender, who delivers it again.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { AttachmentStorage } from '../../attachments/storage.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { transaction } from '../../db/transaction.js';
import { jobRepository } from '../../jobs/repository.js';
import { inboundRepository } from '../inbound-repository.js';
import { channelOrganisation } from '../organisation.js';

export interface EmailDeps {
  db: Db;
  config: Config;
  log: Logger;
}

/** Where a message came from: the SMTP envelope, or the IMAP mailbox it was fetched from. */
export interface EmailSource {
  kind: 'smtp' | 'imap';
  envelopeFrom?: string | null;
  recipients?: string[];
  remoteAddress?: string | null;
  /** The SMTP client's HELO/EHLO name (SPF checks it when the envelope sender is empty). */
  helo?: string | null;
  mailbox?: string;
}

/** The payload kept on the receipt row: what processing needs beyond the raw bytes. */
export interface EmailReceiptPayload {
  source: EmailSource;
  messageId: string | null;
  subject: string | null;
}

export const EMAIL_PROCESS_JOB = 'channel.email.process';

/** The raw messages' content-addressed store (DATA_DIR/inbound-mail). */
export function rawMailStore(config: Pick<Config, 'DATA_DIR'>): AttachmentStorage {
  return new AttachmentStorage(path.join(config.DATA_DIR, 'inbound-mail'));
}

/**
 * Stores the raw message durably (file fsynced + channel_inbound row 'pending' + a processing job,
 * the row and the job in one transaction) and resolves only once durable. The same Message-ID
 * received again gives `{ duplicate: true }` and writes nothing new. A message larger than
 * INBOUND_EMAIL_MAX_BYTES is kept too, but settled quarantined (`too_large`) with no job.
 */
export async function receiveEmail(deps: EmailDeps, raw: Buffer, source: EmailSource): Promise<{ inboundId: number; duplicate: boolean }> {
  const { db, config } = deps;
  const organisation = await channelOrganisation(db.kysely, config);
  if (!organisation) throw new Error('Aucune collectivité en base : le courriel ne peut pas être enregistré.');
  const headers = readHeaders(raw);
  const messageId = normaliseMessageId(headers.get('message-id')?.[0] ?? null);
  const externalId = messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const existing = await inboundRepository.findByExternalId(db.kysely, organisation.id, 'email', externalId);
  if (existing) return { inboundId: existing.id, duplicate: true };

  const rawKey = await rawMailStore(config).put(raw);
  const sender = addressOf(headers.get('from')?.[0] ?? null) ?? addressOf(source.envelopeFrom ?? null);
  const subject = decodeWords(headers.get('subject')?.[0] ?? '').slice(0, 300) || null;
  const payload: EmailReceiptPayload = { source, messageId, subject };
  const tooLarge = raw.length > config.INBOUND_EMAIL_MAX_BYTES;
  const now = new Date().toISOString();
  const result = await transaction(db, async (trx) => {
    const id = await inboundRepository.insert(
      trx,
      { organisationId: organisation.id, channel: 'email', source: source.kind, externalId, sender, summary: summaryOf(sender, subject), rawKey, rawSize: raw.length, payload },
      now,
    );
    if (id === undefined) return undefined;
    if (tooLarge) {
      await inboundRepository.settle(trx, id, { status: 'quarantined', reason: 'too_large', error: `Message de ${raw.length} octets (limite : ${config.INBOUND_EMAIL_MAX_BYTES}).` }, now);
    } else {
      await jobRepository.enqueue(trx, { type: EMAIL_PROCESS_JOB, payload: { inboundId: id }, runAt: now, dedupeKey: `email-inbound:${id}` }, now);
    }
    return id;
  });
  if (result === undefined) {
    // A concurrent delivery of the same message won the race.
    const winner = await inboundRepository.findByExternalId(db.kysely, organisation.id, 'email', externalId);
    return { inboundId: winner!.id, duplicate: true };
  }
  return { inboundId: result, duplicate: false };
}

/**
 * Records a message refused at the SMTP level for its size, without its body (we never read it):
 * the sender got a 552 and keeps the message, but admins see that it was attempted.
 */
export async function recordRefusedEmail(deps: EmailDeps, refused: { envelopeFrom: string | null; recipients: string[]; size: number; remoteAddress: string | null }): Promise<number | undefined> {
  const organisation = await channelOrganisation(deps.db.kysely, deps.config);
  if (!organisation) return undefined;
  const now = new Date().toISOString();
  const sender = addressOf(refused.envelopeFrom);
  return transaction(deps.db, async (trx) => {
    const id = await inboundRepository.insert(
      trx,
      {
        organisationId: organisation.id,
        channel: 'email',
        source: 'smtp',
        externalId: null,
        sender,
        summary: `Refusé (552, trop volumineux) : ${sender ?? 'expéditeur inconnu'}, plus de ${refused.size} octets`,
        rawSize: refused.size,
        payload: { source: { kind: 'smtp', envelopeFrom: refused.envelopeFrom, recipients: refused.recipients, remoteAddress: refused.remoteAddress }, refused: true },
      },
      now,
    );
    if (id !== undefined) {
      await inboundRepository.settle(trx, id, { status: 'quarantined', reason: 'too_large', error: `Refusé en SMTP (552) : le message dépasse ${deps.config.INBOUND_EMAIL_MAX_BYTES} octets ; son contenu n’a pas été gardé.` }, now);
    }
    return id;
  });
}

/**
 * The header block only, unfolded, by lower-case name: enough for the Message-ID and the sender
 * without parsing a 25 MB body (the full MIME parse happens in the processing job).
 */
export function readHeaders(raw: Buffer): Map<string, string[]> {
  const limit = Math.min(raw.length, 256 * 1024);
  let end = raw.indexOf('\r\n\r\n', 0, 'latin1');
  if (end < 0 || end > limit) {
    const lf = raw.indexOf('\n\n', 0, 'latin1');
    end = lf >= 0 && lf <= limit ? lf : limit;
  }
  const text = raw.subarray(0, end).toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
  }
  return headers;
}

/** `<Local@Example.ORG>` → `<Local@example.org>`: the id in its brackets, its domain in lower case. */
export function normaliseMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const inner = /<([^<>\s]+)>/.exec(value)?.[1] ?? value.trim().split(/\s+/)[0];
  if (!inner) return null;
  const at = inner.lastIndexOf('@');
  const id = at > 0 ? `${inner.slice(0, at)}@${inner.slice(at + 1).toLowerCase()}` : inner;
  return id.length > 0 && id.length <= 900 ? `<${id}>` : null;
}

/** The bare address of `Name <a@b>` or `a@b`, in lower case; null when there is none (`<>`). */
export function addressOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = /<([^<>]*)>/.exec(value)?.[1] ?? addressWords(value, /[\s<>"]+/)[0] ?? '';
  const address = match.trim().toLowerCase();
  return address.includes('@') ? address.slice(0, 320) : null;
}

/**
 * The words of `text` (split on `separators`, a character class with `+`) that hold an `@` with
 * something on both sides. It stands for /[^…]+@[^…]+/g, which is quadratic: each failed attempt
 * rescans the rest of the text, so a 20 KB header without `@` took 4 s — in the SMTP receiver.
 * Splitting on a character class is linear.
 */
export function addressWords(text: string, separators: RegExp): string[] {
  return text.split(separators).filter((word) => word.slice(1, -1).includes('@'));
}

function summaryOf(sender: string | null, subject: string | null): string {
  return `${sender ?? 'expéditeur inconnu'} — ${subject ?? '(sans objet)'}`.slice(0, 400);
}

/** RFC 2047 encoded words (=?utf-8?Q?…?=, =?utf-8?B?…?=) decoded for the summary. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=\s*/g, (_whole, charset: string, encoding: string, text: string) => {
    try {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
      return new TextDecoder(charset.toLowerCase()).decode(bytes);
    } catch {
      return text;
    }
  });
}
