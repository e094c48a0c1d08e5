/**
 * THE one way a citizen's reply reaches a case, whatever the channel it came through (the portal's
 * « Mes demandes » now, e-mail and SMS later): the message, its attachments, the journal, the end
 * of the wait for the citizen and the workflow's move commit together or not at all.
 */
import { attachmentRepository } from '../attachments/repository.js';
import type { Actor } from '../cases/journal.js';
import { caseRepository } from '../cases/repository.js';
import { transaction, type Executor } from '../db/transaction.js';
import { AppError, notFound } from '../http/errors.js';
import { applyCitizenReply, type WorkflowDeps } from '../workflow/service.js';
import { messageRepository } from './repository.js';

export interface CitizenReply {
  organisationId: number;
  caseId: number;
  /** The citizen who wrote, when known (signed in, or matched by address); null for an unknown sender. */
  citizenId: number | null;
  channel: 'portal' | 'email' | 'sms';
  subject?: string;
  body: string;
  /**
   * Files uploaded beforehand for this reply: free (on no case, no draft, no message) and, when the
   * citizen is known, uploaded by them.
   */
  attachmentIds: readonly string[];
  /** When the reply was received (an e-mail's arrival), ISO-8601. */
  receivedAt: string;
  /**
   * Run inside the reply's transaction once the message and its journal entry are written: a
   * channel's own records (its receipt marked « threaded ») commit with the reply or not at all.
   */
  withinTransaction?: (trx: Executor, recorded: { caseId: number; messageId: number }) => Promise<void>;
}

export interface RecordedReply {
  messageId: number;
  /** The transition the status's `onCitizenReply` took, if any. */
  transition: string | null;
  /** The journal seq of the information request this reply answers, if one was open. */
  answeredRequest: number | null;
}

/** An information request as the journal holds it. */
export interface InformationRequest {
  seq: number;
  messageId: number | null;
  replyBy: string | null;
  at: string;
}

type JournalEntry = { seq: number; type: string; payload: Record<string, unknown>; createdAt: string };

/**
 * The information request still waiting for the citizen: the latest one, unless a reply came
 * after it or the case moved on since (pieces handed in at the counter, a decision).
 */
export function openInformationRequest(events: readonly JournalEntry[]): InformationRequest | null {
  let open: InformationRequest | null = null;
  for (const event of events) {
    if (event.type === 'information.requested') {
      const messageId = event.payload['messageId'];
      const replyBy = event.payload['replyBy'];
      open = { seq: event.seq, messageId: typeof messageId === 'number' ? messageId : null, replyBy: typeof replyBy === 'string' ? replyBy : null, at: event.createdAt };
    } else if (event.type === 'message.in' || event.type === 'status.changed') {
      // The request's own status change is written just before it: any later one ends it.
      open = null;
    }
  }
  return open;
}

/** A version conflict means an agent moved the case meanwhile: the reply is recorded again on top. */
const ATTEMPTS = 3;

/**
 * Records a citizen's reply on a case in one transaction: the incoming message, its attachments
 * (linked to it and to the case), a `message.in` journal event that marks the open information
 * request answered, then the workflow's reaction (`onCitizenReply`: the wait ends and the case
 * moves, taken by the system). A reply to a closed case is recorded without reopening it.
 */
export async function recordCitizenReply(deps: WorkflowDeps, reply: CitizenReply): Promise<RecordedReply> {
  const attachmentIds = [...new Set(reply.attachmentIds)];
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transaction(deps.db, (trx) => record(trx, deps, reply, attachmentIds));
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'version_conflict') || attempt >= ATTEMPTS) throw error;
    }
  }
}

async function record(trx: Executor, deps: WorkflowDeps, reply: CitizenReply, attachmentIds: string[]): Promise<RecordedReply> {
  const view = await caseRepository.findById(trx, reply.caseId);
  if (!view || view.organisationId !== reply.organisationId) throw notFound('Aucun dossier.');
  const subject = reply.subject?.trim() || `Réponse de l’usager — dossier ${view.reference}`;
  const messageId = await messageRepository.insert(
    trx,
    { caseId: view.id, direction: 'in', channel: reply.channel, recipient: null, subject, bodyText: reply.body, bodyHtml: null, status: 'received' },
    reply.receivedAt,
  );
  const linked = await attachmentRepository.linkToMessage(trx, reply.organisationId, attachmentIds, { caseId: view.id, messageId, citizenId: reply.citizenId });
  if (linked !== attachmentIds.length) throw new AppError('unknown_attachment', 'Un fichier joint est introuvable ou déjà utilisé : déposez-le de nouveau.');
  const open = openInformationRequest(await caseRepository.listJournal(trx, view.id));
  const actor: Actor = { type: 'citizen', id: reply.citizenId === null ? null : String(reply.citizenId) };
  const now = new Date().toISOString();
  await caseRepository.appendJournal(
    trx,
    view.id,
    view.reference,
    [{ type: 'message.in', actor, payload: { messageId, channel: reply.channel, subject, attachments: attachmentIds, receivedAt: reply.receivedAt, answers: open?.seq ?? null } }],
    now,
  );
  await caseRepository.enqueueOutbox(trx, 'case.message_received', view.id, { reference: view.reference, messageId, channel: reply.channel }, now);
  const effect = await applyCitizenReply(trx, deps, view.id);
  if (reply.withinTransaction) await reply.withinTransaction(trx, { caseId: view.id, messageId });
  return { messageId, transition: effect.transition, answeredRequest: open?.seq ?? null };
}
