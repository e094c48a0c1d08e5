/**
 * Processing of a received e-mail (the `channel.email.process` job): machines are recognised and
 * ignored (a bounce marks the address as failing on its case), the sender's authenticity is
 * checked, a reply is threaded onto its case, anything else becomes a case in the triage
 * procedure. Each outcome is settled on the receipt inside the transaction that produced it.
 */
import path from 'node:path';
import type { DnsResolver } from 'mailauth';
import { simpleParser, type ParsedMail } from 'mailparser';
import { storeAttachment } from '../../attachments/service.js';
import { AttachmentStorage } from '../../attachments/storage.js';
import { attachmentRepository } from '../../attachments/repository.js';
import { caseRepository } from '../../cases/repository.js';
import { citizenRepository } from '../../citizens/repository.js';
import { transaction, type Executor } from '../../db/transaction.js';
import { AppError } from '../../http/errors.js';
import { hashRequest } from '../../intake/idempotency.js';
import { submitCase } from '../../intake/service.js';
import { recordCitizenReply } from '../../messages/citizen-reply.js';
import { messageRepository } from '../../messages/repository.js';
import { procedureRepository } from '../../procedures/repository.js';
import { inboundRepository, type Inbound, type InboundOutcome } from '../inbound-repository.js';
import { checkAuthenticity, type Authenticity } from './authenticity.js';
import { namesOf, newTextOf, sanitiseHtml } from './content.js';
import { classifyMachine, readBounce, topLevelParts, type MachineVerdict } from './machine.js';
import { addressWords, rawMailStore, readHeaders, normaliseMessageId, type EmailDeps, type EmailReceiptPayload } from './receive.js';
import { messageIdOfReplyAddress } from './reply-token.js';
import { triageAnswers } from './triage-form.js';

export interface ProcessDeps extends EmailDeps {
  /** DNS for SPF/DKIM/DMARC; the system's resolver when absent (tests give their own records). */
  resolver?: DnsResolver;
}

/** At most this many automatic acknowledgments to one sender in ACK_WINDOW_MS. */
export const ACK_CAP = 3;
export const ACK_WINDOW_MS = 10 * 60_000;

/** A failure that retrying will not cure: the message goes to quarantine with this reason. */
export class QuarantineError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export type ProcessResult = { status: InboundOutcome['status'] | 'skipped'; caseId?: number | null; reason?: string; messageId?: number };

/**
 * Processes one receipt. Idempotent: a receipt already settled is left alone (unless `force`, for
 * reprocessing a quarantined one), and a new case is keyed by the Message-ID, so running it again
 * never creates a second case. Transient errors (the database) are thrown for the job to retry.
 */
export async function processEmail(deps: ProcessDeps, inboundId: number, options: { force?: boolean } = {}): Promise<ProcessResult> {
  const { db } = deps;
  const inbound = await inboundRepository.findById(db.kysely, inboundId);
  if (!inbound || inbound.channel !== 'email') return { status: 'skipped' };
  if (inbound.status !== 'pending' && !(options.force && inbound.status === 'quarantined')) return { status: 'skipped' };
  try {
    return await processReceipt(deps, inbound);
  } catch (error) {
    if (!(error instanceof QuarantineError)) throw error;
    await inboundRepository.settle(db.kysely, inbound.id, { status: 'quarantined', reason: error.reason, error: error.message.slice(0, 2000) }, new Date().toISOString());
    return { status: 'quarantined', reason: error.reason };
  }
}

/** Settles a receipt as quarantined after the job's last attempt: it stays visible and can be reprocessed. */
export async function quarantineAfterFailures(deps: EmailDeps, inboundId: number, error: unknown): Promise<void> {
  const inbound = await inboundRepository.findById(deps.db.kysely, inboundId);
  if (!inbound || inbound.status !== 'pending') return;
  const text = error instanceof Error ? error.message : String(error);
  await inboundRepository.settle(deps.db.kysely, inboundId, { status: 'quarantined', reason: 'processing_error', error: text.slice(0, 2000) }, new Date().toISOString());
}

async function processReceipt(deps: ProcessDeps, inbound: Inbound): Promise<ProcessResult> {
  const { db, config } = deps;
  const payload = (inbound.payload ?? {}) as Partial<EmailReceiptPayload>;
  const source = payload.source ?? { kind: 'smtp' as const };
  if (!inbound.rawKey) throw new QuarantineError('missing_raw', 'Le contenu de ce courriel n’a pas été gardé (refusé à la réception) : rien à retraiter.');
  const raw = await readRaw(config, inbound.rawKey);
  if (raw.length > config.INBOUND_EMAIL_MAX_BYTES) throw new QuarantineError('too_large', `Message de ${raw.length} octets (limite : ${config.INBOUND_EMAIL_MAX_BYTES}).`);
  const headers = readHeaders(raw);
  const now = () => new Date().toISOString();

  const machine = classifyMachine(headers, source.envelopeFrom, ownDomains(config.publicUrl));
  if (machine) return settleMachine(deps, inbound, raw, headers, machine);

  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipImageLinks: true });
  } catch (error) {
    throw new QuarantineError('parse_error', `Message illisible : ${(error as Error).message}`);
  }
  const from = mail.from?.value[0];
  const sender = from?.address?.trim().toLowerCase();
  if (!sender || !sender.includes('@')) throw new QuarantineError('invalid', 'Le courriel n’indique pas d’expéditeur (en-tête From).');

  const authenticity = await checkAuthenticity(raw, source, new URL(config.publicUrl).hostname, deps.resolver).catch(
    (error: Error): Authenticity => ({ spf: 'temperror', dkim: 'temperror', dmarc: 'temperror', dkimDomains: [], authentic: false, failing: true, error: error.message }),
  );
  const fullText = (mail.text ?? '').trim();
  const reply = await newTextOf(fullText);
  const newText = reply.text;
  if (reply.unseparated) deps.log.warn({ inboundId: inbound.id, reason: reply.unseparated, detail: reply.detail }, 'reply not separated from its quoted history; whole text kept');
  const html = sanitiseHtml(mail.html);
  const subject = (mail.subject ?? '').trim();
  await inboundRepository.recordPayload(db.kysely, inbound.id, {
    ...payload,
    authenticity,
    sender,
    subject,
    hasHtml: html !== null,
    quotedHistory: newText !== fullText,
    // The parser overran its time limit or failed: the message keeps the whole text, history included.
    ...(reply.unseparated ? { replyUnseparated: reply.unseparated } : {}),
    // The full text, quoted history included, for admins (a reply's message keeps only the new text).
    fullText: fullText.slice(0, 64_000),
  });

  const target = await threadTarget(deps, inbound, headers, mail, sender, authenticity);
  if (target) {
    const view = await caseRepository.findById(db.kysely, target.caseId);
    const citizenId = view?.citizenId != null && !authenticity.failing && (await isCitizensAddress(db.kysely, inbound.organisationId, view.citizenId, sender)) ? view.citizenId : null;
    const files = await storeFiles(deps, inbound.organisationId, mail, citizenId);
    const { messageId } = await recordCitizenReply(
      { db, timezone: config.TIMEZONE, publicUrl: config.publicUrl },
      {
        organisationId: inbound.organisationId,
        caseId: target.caseId,
        citizenId,
        channel: 'email',
        subject: subject || undefined,
        body: withNotes(newText || '(Courriel sans texte.)', files.refused),
        attachmentIds: files.stored.map((f) => f.id),
        receivedAt: inbound.receivedAt,
        withinTransaction: (trx, recorded) => inboundRepository.settle(trx, inbound.id, { status: 'threaded', caseId: recorded.caseId, messageId: recorded.messageId }, now()),
      },
    );
    return { status: 'threaded', caseId: target.caseId, reason: target.by, messageId };
  }
  return createCase(deps, inbound, mail, { sender, name: from?.name, subject, fullText, newText, html, authenticity });
}

/** Our own Message-ID domain: a message carrying it came from us, and coming back is a loop. */
function ownDomains(publicUrl: string): string[] {
  try {
    return [new URL(publicUrl).hostname.toLowerCase()];
  } catch {
    return [];
  }
}

async function readRaw(config: EmailDeps['config'], rawKey: string): Promise<Buffer> {
  try {
    return await rawMailStore(config).read(rawKey);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new QuarantineError('storage_error', `Le fichier du courriel est introuvable (${rawKey}).`);
    throw error;
  }
}

/** Ignores a machine's message; a bounce of a message we sent marks its address as failing on the case. */
async function settleMachine(deps: EmailDeps, inbound: Inbound, raw: Buffer, headers: Map<string, string[]>, machine: MachineVerdict): Promise<ProcessResult> {
  const { db } = deps;
  const now = new Date().toISOString();
  if (machine.kind !== 'bounce') {
    await inboundRepository.settle(db.kysely, inbound.id, { status: 'ignored', reason: machine.kind }, now);
    return { status: 'ignored', reason: machine.kind };
  }
  const report = readBounce(headers, topLevelParts(raw, headers.get('content-type')?.[0]));
  const sent = await messageRepository.findSentByMessageIds(db.kysely, inbound.organisationId, report.originalMessageIds);
  const view = sent && (await caseRepository.findById(db.kysely, sent.caseId));
  await transaction(db, async (trx) => {
    if (sent && view) {
      const address = report.recipient ?? sent.recipient;
      await caseRepository.appendJournal(
        trx,
        view.id,
        view.reference,
        [{ type: 'contact.failed', actor: { type: 'system', id: null }, payload: { channel: 'email', address, diagnostic: report.diagnostic, messageId: sent.id } }],
        now,
      );
      await messageRepository.markFailed(trx, sent.id, `Courriel non remis${report.diagnostic ? ` : ${report.diagnostic}` : ''}`);
    }
    await inboundRepository.settle(trx, inbound.id, { status: 'ignored', reason: 'bounce', caseId: view?.id ?? null }, now);
  });
  return { status: 'ignored', reason: 'bounce', caseId: view?.id ?? null };
}

/**
 * The case a reply belongs to: by the signed reply token in a recipient address, then by the
 * Message-IDs it answers, then by a case reference in its subject — the last only when the sender
 * passes authentication and is that case's citizen (a reference alone is not a secret).
 */
async function threadTarget(
  deps: EmailDeps,
  inbound: Inbound,
  headers: Map<string, string[]>,
  mail: ParsedMail,
  sender: string,
  authenticity: Authenticity,
): Promise<{ caseId: number; by: 'token' | 'in_reply_to' | 'subject' } | undefined> {
  const { db, config } = deps;
  const source = (inbound.payload as Partial<EmailReceiptPayload> | null)?.source;
  const recipients = [
    ...(source?.recipients ?? []),
    ...['to', 'cc', 'delivered-to', 'x-original-to'].flatMap((name) => (headers.get(name) ?? []).flatMap((v) => addressWords(v, /[\s<>",;]+/))),
  ];
  for (const address of recipients) {
    const messageId = messageIdOfReplyAddress(config, address);
    const sent = messageId !== null ? await messageRepository.findSentById(db.kysely, inbound.organisationId, messageId) : undefined;
    if (sent) return { caseId: sent.caseId, by: 'token' };
  }
  const answered = [...(headers.get('in-reply-to') ?? []), ...(headers.get('references') ?? [])]
    .flatMap((v) => v.match(/<[^<>\s]+>/g) ?? [])
    .map((id) => normaliseMessageId(id))
    .filter((id): id is string => id !== null);
  const sent = await messageRepository.findSentByMessageIds(db.kysely, inbound.organisationId, answered.reverse());
  if (sent) return { caseId: sent.caseId, by: 'in_reply_to' };
  if (authenticity.failing) return undefined;
  for (const reference of (mail.subject ?? '').match(/\b\d{4}-\d{6}\b/g) ?? []) {
    const view = await caseRepository.findByReference(db.kysely, inbound.organisationId, reference);
    if (!view) continue;
    const sendersCase = view.contact.email?.toLowerCase() === sender || (view.citizenId !== null && (await isCitizensAddress(db.kysely, inbound.organisationId, view.citizenId, sender)));
    if (sendersCase) return { caseId: view.id, by: 'subject' };
  }
  return undefined;
}

async function isCitizensAddress(db: Executor, organisationId: number, citizenId: number, address: string): Promise<boolean> {
  return (await citizenRepository.findByEmail(db, organisationId, address)).some((c) => c.id === citizenId);
}

interface StoredFiles {
  stored: { id: string; mimeType: string; size: number }[];
  /** Files not taken, with why (a type or a size the attachment checks refuse). */
  refused: string[];
}

/** Stores the attachments through the attachment checks; a refused one is named in the text, a storage failure quarantines the mail. */
async function storeFiles(deps: EmailDeps, organisationId: number, mail: ParsedMail, citizenId: number | null): Promise<StoredFiles> {
  const storage = new AttachmentStorage(path.join(deps.config.DATA_DIR, 'attachments'));
  const result: StoredFiles = { stored: [], refused: [] };
  for (const attachment of mail.attachments) {
    // Images of the HTML body (logos, signatures) are part of the text, not pieces of the file.
    if (attachment.related || attachment.contentType.startsWith('message/')) continue;
    const filename = attachment.filename ?? 'piece-jointe';
    try {
      const row = await storeAttachment({ db: deps.db, storage, maxBytes: deps.config.ATTACHMENT_MAX_BYTES }, organisationId, attachment.content, filename, citizenId !== null ? { owner: { citizenId } } : {});
      result.stored.push({ id: row.id, mimeType: row.mimeType, size: row.size });
    } catch (error) {
      if (error instanceof AppError) result.refused.push(`${filename} (${error.detail ?? error.message})`);
      else if ((error as NodeJS.ErrnoException).code && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
        throw new QuarantineError('storage_error', `Pièce jointe « ${filename} » non enregistrée : ${(error as Error).message}`);
      } else throw error;
    }
  }
  return result;
}

function withNotes(text: string, refused: string[]): string {
  return refused.length === 0 ? text : `${text}\n\n[Pièces jointes non reprises : ${refused.join(' ; ')}]`;
}

interface NewRequest {
  sender: string;
  name: string | undefined;
  subject: string;
  fullText: string;
  newText: string;
  html: string | null;
  authenticity: Authenticity;
}

/**
 * A new case in the triage procedure. The sender becomes the citizen: an authenticated sender
 * (aligned DMARC or DKIM pass) binds to the one record holding the address as verified; any other
 * gets a record of its own, flagged as a possible duplicate of the address's holders, so a forged
 * From never lands in someone's file (ADR 0002, applied by the intake). The full e-mail (text
 * and sanitised HTML) is kept as the case's first incoming message.
 */
async function createCase(deps: ProcessDeps, inbound: Inbound, mail: ParsedMail, request: NewRequest): Promise<ProcessResult> {
  const { db, config } = deps;
  const organisationId = inbound.organisationId;
  const procedure = await procedureRepository.findBySlug(db.kysely, organisationId, config.CHANNELS_TRIAGE_PROCEDURE);
  if (!procedure) throw new QuarantineError('invalid', `La démarche de tri « ${config.CHANNELS_TRIAGE_PROCEDURE} » n’existe pas (CHANNELS_TRIAGE_PROCEDURE).`);
  const key = inbound.externalId ?? `inbound:${inbound.id}`;
  const idempotency = { scope: 'channel:email', key, requestHash: hashRequest({ key }) };
  const files = await storeFiles(deps, organisationId, mail, null);
  const { data, leftOver } = triageAnswers(procedure.form, { subject: request.subject, text: withNotes(request.newText, files.refused), attachments: files.stored });
  const since = new Date(Date.now() - ACK_WINDOW_MS).toISOString();
  const acknowledged = await inboundRepository.countFromSender(db.kysely, organisationId, 'email', request.sender, since, ['created']);
  // No acknowledgment to a sender we cannot trust (it would go to whoever was impersonated), nor beyond the cap.
  const acknowledgment = request.authenticity.failing || acknowledged >= ACK_CAP ? 'none' : 'email';
  const now = () => new Date().toISOString();
  try {
    const { receipt, replayed } = await submitCase(
      { db, timezone: config.TIMEZONE, publicUrl: config.publicUrl },
      {
        organisationId,
        procedureSlug: procedure.slug,
        channel: 'email',
        actor: { type: 'citizen', id: null },
        citizen: { email: request.sender, ...namesOf(request.name) },
        // Only an authenticated sender's address is verified, and so may bind to the record holding it verified.
        contactOrigin: { source: 'email_channel', ...(request.authenticity.authentic ? { verified: { email: 'dmarc' } } : {}) },
        data,
        subject: request.subject.slice(0, 200) || undefined,
        receivedAt: inbound.receivedAt,
        hiddenFields: 'drop',
        idempotency,
        acknowledgment,
        withinTransaction: async (trx, created) => {
          const messageId = await messageRepository.insert(
            trx,
            { caseId: created.caseId, direction: 'in', channel: 'email', recipient: null, subject: request.subject || '(sans objet)', bodyText: withNotes(request.fullText, files.refused), bodyHtml: request.html, status: 'received' },
            inbound.receivedAt,
          );
          await attachmentRepository.linkToMessage(trx, organisationId, leftOver, { caseId: created.caseId, messageId, citizenId: null });
          await caseRepository.appendJournal(
            trx,
            created.caseId,
            created.reference,
            [
              {
                type: 'message.in',
                actor: { type: 'citizen', id: null },
                payload: { messageId, channel: 'email', subject: request.subject, attachments: leftOver, receivedAt: inbound.receivedAt, answers: null, authenticity: request.authenticity },
              },
            ],
            now(),
          );
          await inboundRepository.settle(trx, inbound.id, { status: 'created', caseId: created.caseId }, now());
        },
      },
    );
    if (replayed) await inboundRepository.settle(db.kysely, inbound.id, { status: 'created', caseId: receipt.caseId }, now());
    return { status: 'created', caseId: receipt.caseId };
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      const fields = error.errors.map((e) => `${e.field} : ${e.message}`).join(' ; ');
      throw new QuarantineError('invalid', `${error.detail ?? error.message}${fields ? ` (${fields})` : ''}`);
    }
    throw error;
  }
}

