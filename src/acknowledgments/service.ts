/**
 * Issuing the acknowledgment of receipt: queued inside the intake transaction (so a committed case
 * always has its acknowledgment on the way, and a replayed request sends nothing again), and
 * rebuilt from the case for the PDF downloads.
 */
import type { Actor } from '../cases/journal.js';
import { caseRepository, type CaseView, type Channel } from '../cases/repository.js';
import { citizenProfile } from '../citizens/profile.js';
import { citizenRepository } from '../citizens/repository.js';
import type { Executor } from '../db/transaction.js';
import type { IntakeReceipt } from '../intake/service.js';
import { jobRepository } from '../jobs/repository.js';
import { messageRepository, type NewMessage } from '../messages/repository.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { isMobile, JOB } from '../workflow/effects.js';
import { acknowledgmentContent, acknowledgmentHtml, acknowledgmentSms, acknowledgmentText, type AcknowledgmentFacts } from './content.js';
import { acknowledgmentPdf, type AcknowledgmentFormat } from './pdf.js';

/** How the acknowledgment reaches the citizen; `none` when another step sends it (or nobody can receive it). */
export type AcknowledgmentChannel = 'email' | 'sms' | 'letter' | 'none';
export const ACKNOWLEDGMENT_CHANNELS: readonly AcknowledgmentChannel[] = ['email', 'sms', 'letter', 'none'];

export interface AcknowledgmentDeps {
  timezone: string;
  publicUrl: string;
}

const SYSTEM: Actor = { type: 'system', id: null };

/**
 * The acknowledgment a channel gets when it does not choose: by e-mail for online requests (web,
 * mobile), where the law requires it (CRPA L112-11); none elsewhere, where the back-office or the
 * channel adapter decides case by case.
 */
export function defaultAcknowledgmentChannel(channel: Channel): AcknowledgmentChannel {
  return channel === 'web' || channel === 'mobile' ? 'email' : 'none';
}

/**
 * Writes the acknowledgment of a case being created, inside the intake transaction: the message
 * on the case, its sending job, and the journal event saying how it went out — or that it could
 * not (no address for the chosen channel), in which case the portal still offers the PDF.
 */
export async function queueAcknowledgment(
  trx: Executor,
  deps: AcknowledgmentDeps,
  receipt: IntakeReceipt,
  request: { organisationId: number; channel: AcknowledgmentChannel; phone: string | null },
  now: string,
): Promise<void> {
  if (request.channel === 'none') return;
  const mobile = request.phone && isMobile(request.phone) ? request.phone : null;
  if ((request.channel === 'email' && !receipt.contactEmail) || (request.channel === 'sms' && !mobile)) {
    const reason =
      request.channel === 'email'
        ? 'Aucune adresse électronique connue : l’accusé de réception n’a pas pu être envoyé.'
        : 'Aucun numéro de mobile connu : l’accusé de réception n’a pas pu être envoyé par SMS.';
    await caseRepository.appendJournal(trx, receipt.caseId, receipt.reference, [{ type: 'acknowledgment.not_sent', actor: SYSTEM, payload: { channel: request.channel, reason } }], now);
    return;
  }
  const facts = await factsOfReceipt(trx, deps, receipt, request.organisationId, request.channel === 'letter', now);
  const content = acknowledgmentContent(facts);
  const sms = acknowledgmentSms(facts);
  const message: Omit<NewMessage, 'caseId' | 'direction'> =
    request.channel === 'sms'
      ? { channel: 'sms', recipient: mobile, subject: sms.subject, bodyText: sms.text, bodyHtml: null, status: 'queued' }
      : request.channel === 'email'
        ? { channel: 'email', recipient: receipt.contactEmail, subject: content.subject, bodyText: acknowledgmentText(content), bodyHtml: acknowledgmentHtml(content), status: 'queued' }
        : // A letter is printed by an agent (the API's PDF, format=letter): recorded on the case, no job.
          { channel: 'letter', recipient: null, subject: `${content.title} n° ${content.reference}`, bodyText: acknowledgmentText(content), bodyHtml: acknowledgmentHtml(content), status: 'recorded' };
  const messageId = await messageRepository.insert(trx, { caseId: receipt.caseId, direction: 'out', ...message }, now);
  if (message.status === 'queued') {
    await jobRepository.enqueue(trx, { type: JOB.message, payload: { messageId }, runAt: now, dedupeKey: `message:${messageId}` }, now);
  }
  await caseRepository.appendJournal(trx, receipt.caseId, receipt.reference, [{ type: 'acknowledgment.sent', actor: SYSTEM, payload: { channel: request.channel, messageId } }], now);
}

async function factsOfReceipt(trx: Executor, deps: AcknowledgmentDeps, receipt: IntakeReceipt, organisationId: number, withAddress: boolean, now: string): Promise<AcknowledgmentFacts> {
  const [organisation, citizen] = await Promise.all([
    organisationRepository.findById(trx, organisationId),
    receipt.citizen ? citizenFacts(trx, receipt.citizen.id, withAddress) : Promise.resolve(null),
  ]);
  return {
    reference: receipt.reference,
    trackingCode: receipt.trackingCode,
    trackingUrl: `${deps.publicUrl}/suivi/${receipt.trackingCode}`,
    receivedAt: receipt.receivedAt,
    issuedAt: now,
    timezone: deps.timezone,
    procedureTitle: receipt.procedure.title,
    target: receipt.procedure.target,
    dueAt: receipt.dueAt,
    silence: receipt.procedure.silence,
    implicitDecisionAt: receipt.implicitDecisionAt,
    department: { name: receipt.department.name, email: receipt.department.email, phone: receipt.department.phone, address: receipt.department.address },
    organisation: { name: organisation?.name ?? '', address: organisation?.address ?? null },
    citizen,
  };
}

async function citizenFacts(db: Executor, citizenId: number, withAddress: boolean): Promise<AcknowledgmentFacts['citizen']> {
  if (withAddress) {
    const profile = await citizenProfile(db, citizenId);
    if (!profile) return null;
    const lastName = profile.usageName ?? profile.birthName ?? '';
    return { civility: profile.civility, fullName: [profile.firstNames, lastName].filter(Boolean).join(' '), address: profile.address };
  }
  const summary = await citizenRepository.findSummary(db, citizenId);
  return summary ? { civility: summary.civility, fullName: summary.fullName, address: null } : null;
}

/**
 * The acknowledgment of an existing case, rebuilt from its current state: after a transfer it names
 * the department now handling the case, after a suspension the implicit decision date now known.
 */
export async function acknowledgmentFactsOfCase(db: Executor, deps: AcknowledgmentDeps, view: CaseView, withAddress: boolean): Promise<AcknowledgmentFacts | undefined> {
  if (view.procedureId === null) return undefined;
  const [procedure, department, organisation, citizen] = await Promise.all([
    procedureRepository.findById(db, view.procedureId),
    organisationRepository.findDepartment(db, view.department.id),
    organisationRepository.findById(db, view.organisationId),
    view.citizenId !== null ? citizenFacts(db, view.citizenId, withAddress) : Promise.resolve(null),
  ]);
  if (!procedure) return undefined;
  return {
    reference: view.reference,
    trackingCode: view.trackingCode,
    trackingUrl: `${deps.publicUrl}/suivi/${view.trackingCode}`,
    receivedAt: view.receivedAt,
    issuedAt: view.createdAt,
    timezone: deps.timezone,
    procedureTitle: procedure.title,
    target: procedure.target,
    dueAt: view.dueAt,
    silence: procedure.silence,
    implicitDecisionAt: view.implicitDecisionAt,
    department: { name: department?.name ?? view.department.name, email: department?.email ?? null, phone: department?.phone ?? null, address: department?.address ?? null },
    organisation: { name: organisation?.name ?? '', address: organisation?.address ?? null },
    citizen,
  };
}

/** Who asks for a PDF: the case is looked up by the key they hold, and refused as unknown otherwise. */
export type AcknowledgmentKey =
  | { by: 'owner'; organisationId: number; citizenId: number; reference: string }
  | { by: 'tracking'; trackingCode: string }
  | { by: 'organisation'; organisationId: number; reference: string };

/** The acknowledgment PDF of a case its holder may see, or undefined (unknown, or not theirs). */
export async function acknowledgmentPdfFor(
  db: Executor,
  deps: AcknowledgmentDeps,
  key: AcknowledgmentKey,
  format: AcknowledgmentFormat,
): Promise<{ reference: string; pdf: Buffer } | undefined> {
  const view =
    key.by === 'tracking' ? await caseRepository.findByTrackingCode(db, key.trackingCode) : await caseRepository.findByReference(db, key.organisationId, key.reference);
  if (!view || (key.by === 'owner' && view.citizenId !== key.citizenId)) return undefined;
  const facts = await acknowledgmentFactsOfCase(db, deps, view, format === 'letter');
  if (!facts) return undefined;
  return { reference: view.reference, pdf: await acknowledgmentPdf(acknowledgmentContent(facts), format) };
}
