/**
 * An agent's answer to the citizen: the message on the citizen's channel (or the one the agent
 * chose), its attachments, the journal, and — for a request of missing information — the
 * information request the portal shows and the move of the case to its waiting status, all in
 * one version-checked transaction. Sending (e-mail, SMS) is a job queued in that transaction.
 */
import { DateTime } from 'luxon';
import { attachmentRepository } from '../../../attachments/repository.js';
import type { Actor } from '../../../cases/journal.js';
import { citizenRepository } from '../../../citizens/repository.js';
import { caseRepository, type CaseView } from '../../../cases/repository.js';
import { transaction, type Executor } from '../../../db/transaction.js';
import { AppError, invalid, notFound, type FieldError } from '../../../http/errors.js';
import type { Transition } from '../../../workflow/definition.js';
import { citizenChannelOf, queueWrittenMessage, templateVariables, type CitizenChannel } from '../../../workflow/effects.js';
import { allowedTransitions, statusOf } from '../../../workflow/engine.js';
import { workflowRepository } from '../../../workflow/repository.js';
import { runTransitionIn, type WorkflowDeps } from '../../../workflow/service.js';
import { computeScope, workflowRolesOn } from '../../policy.js';

export interface AgentReply {
  organisationId: number;
  caseId: number;
  agent: { id: number; name: string };
  subject: string;
  body: string;
  /** `auto` picks the citizen's channel. */
  channel: 'auto' | 'email' | 'portal' | 'sms' | 'letter';
  /** Ids of attachments already stored for this case. */
  attachmentIds?: string[];
  /** The case version the agent saw. */
  expectedVersion?: number;
  /** When set, the reply asks for missing information, to be given by this date (YYYY-MM-DD). */
  informationRequest?: { dueOn: string | null };
}

export interface SentReply {
  messageId: number;
  channel: 'email' | 'portal' | 'sms' | 'letter';
  /** For a letter: where agents download the PDF to print. */
  letterUrl: string | null;
}

/** How a citizen can be reached, for the reply box: the default channel and the possible ones. */
export interface CitizenReach {
  channel: CitizenChannel;
  available: CitizenChannel[];
  email: string | null;
  mobile: string | null;
}

export const MAX_SUBJECT = 300;
export const MAX_BODY = 20_000;

/** Where the letter of a reply is downloaded to be printed. */
export const letterUrlOf = (reference: string, messageId: number) => `/backoffice/dossiers/${encodeURIComponent(reference)}/courrier/${messageId}.pdf`;

/** The channels a citizen can be written to on a case, and the one chosen by default. */
export async function citizenReach(db: Executor, view: CaseView): Promise<CitizenReach> {
  // The citizen's addresses alone: the other template variables play no part in the choice.
  const citizen = view.citizenId !== null ? await citizenRepository.findSummary(db, view.citizenId) : undefined;
  const reach = await citizenChannelOf(db, view, { citizen: citizen ? { email: view.contact.email ?? citizen.email, phone: view.contact.phone ?? citizen.phone } : null });
  const available: CitizenChannel[] = [];
  if (reach.email) available.push('email');
  if (reach.hasAccount) available.push('portal');
  if (reach.mobile) available.push('sms');
  available.push('letter');
  return { channel: reach.channel, available, email: reach.email, mobile: reach.mobile };
}

/** The problems of a reply before anything is written (empty subject or body, a due date in the past). */
export function checkReply(reply: Pick<AgentReply, 'subject' | 'body' | 'informationRequest'>, timezone: string): FieldError[] {
  const errors: FieldError[] = [];
  const subject = reply.subject.trim();
  if (subject === '') errors.push({ field: 'subject', code: 'required', message: 'Indiquez l’objet de la réponse.' });
  else if (subject.length > MAX_SUBJECT) errors.push({ field: 'subject', code: 'too_long', message: `L’objet dépasse ${MAX_SUBJECT} caractères.` });
  if (reply.body.trim() === '') errors.push({ field: 'body', code: 'required', message: 'Écrivez le texte de la réponse.' });
  else if (reply.body.length > MAX_BODY) errors.push({ field: 'body', code: 'too_long', message: `Le texte dépasse ${MAX_BODY} caractères.` });
  const dueOn = reply.informationRequest?.dueOn ?? null;
  if (dueOn !== null) {
    const date = DateTime.fromISO(dueOn, { zone: timezone });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dueOn) || !date.isValid) errors.push({ field: 'dueOn', code: 'invalid', message: 'La date limite doit être une date valide, par exemple 15/03/2026.' });
    else if (date < DateTime.now().setZone(timezone).startOf('day')) errors.push({ field: 'dueOn', code: 'past', message: 'La date limite ne peut pas être passée.' });
  }
  return errors;
}

/**
 * Sends an agent's reply (see the module comment). Refuses with `validation_failed` (nothing
 * written) for an empty subject or body, a past due date, a channel the citizen cannot be reached
 * on or a file that is not free; with `version_conflict` when the case changed since the agent
 * read it.
 */
export async function sendAgentReply(deps: WorkflowDeps, reply: AgentReply): Promise<SentReply> {
  const errors = checkReply(reply, deps.timezone);
  if (errors.length > 0) throw invalid(errors);
  return transaction(deps.db, (trx) => send(trx, deps, reply));
}

async function send(trx: Executor, deps: WorkflowDeps, reply: AgentReply): Promise<SentReply> {
  let view = await caseRepository.findById(trx, reply.caseId);
  if (!view || view.organisationId !== reply.organisationId) throw notFound('Aucun dossier.');
  if (reply.expectedVersion !== undefined && reply.expectedVersion !== view.version) throw new AppError('version_conflict');
  const now = new Date().toISOString();
  const actor: Actor = { type: 'agent', id: String(reply.agent.id) };

  const reach = await citizenReach(trx, view);
  const channel = reply.channel === 'auto' ? reach.channel : reply.channel;
  if (!reach.available.includes(channel)) {
    throw invalid([{ field: 'channel', code: 'unreachable', message: 'L’usager ne peut pas être joint par ce moyen : choisissez un autre mode d’envoi.' }]);
  }

  // The move to the waiting status comes first: the request is then the latest event, and the
  // portal shows it as open until the citizen answers or the case moves on.
  let transition: string | null = null;
  if (reply.informationRequest) {
    const waiting = await waitingTransition(trx, reply, view);
    if (waiting) {
      view = await runTransitionIn(trx, deps, { organisationId: reply.organisationId, actor, roles: await rolesOn(trx, reply, view), name: reply.agent.name }, {
        reference: view.reference,
        name: waiting.name,
        expectedVersion: view.version,
      });
      transition = waiting.name;
    }
  }
  // A reply changes the case (its exchanges): the version moves, so a concurrent change is caught.
  if (!transition && !(await caseRepository.applyChange(trx, view.id, view.version, {}, now))) throw new AppError('version_conflict');

  const variables = await templateVariables(trx, deps, view, view.status, {});
  const written = { subject: reply.subject.trim(), bodyText: reply.body.replace(/\r\n?/g, '\n').trimEnd() };
  const queued = await queueWrittenMessage(trx, view, written, variables, now, channel);
  const attachmentIds = [...new Set(reply.attachmentIds ?? [])];
  const linked = await attachmentRepository.linkToMessage(trx, reply.organisationId, attachmentIds, { caseId: view.id, messageId: queued.messageId, citizenId: null });
  if (linked !== attachmentIds.length) {
    throw invalid([{ field: 'attachments', code: 'unknown_attachment', message: 'Un fichier joint est introuvable ou déjà utilisé : déposez-le de nouveau.' }]);
  }
  const events: { type: string; actor: Actor; payload: Record<string, unknown> }[] = [
    { type: 'message.out', actor, payload: { ...queued, agentName: reply.agent.name, attachments: attachmentIds } },
  ];
  if (reply.informationRequest) {
    const dueOn = reply.informationRequest.dueOn;
    const replyBy = dueOn ? DateTime.fromISO(dueOn, { zone: deps.timezone }).endOf('day').toUTC().toISO() : null;
    events.push({ type: 'information.requested', actor, payload: { messageId: queued.messageId, channel: queued.channel, subject: queued.subject, replyBy, transition } });
  }
  await caseRepository.appendJournal(trx, view.id, view.reference, events, now);
  await caseRepository.enqueueOutbox(trx, 'case.message_sent', view.id, { reference: view.reference, messageId: queued.messageId, channel: queued.channel }, now);
  return { messageId: queued.messageId, channel: queued.channel, letterUrl: queued.channel === 'letter' ? letterUrlOf(view.reference, queued.messageId) : null };
}

async function rolesOn(trx: Executor, reply: AgentReply, view: CaseView) {
  return workflowRolesOn(await computeScope(trx, reply.agent.id, reply.organisationId), view.department.id);
}

/**
 * The transition that puts the case in a status waiting for the citizen, if its workflow offers
 * the agent one that needs nothing more: no required input and no message of its own (the
 * agent's reply is the message). Otherwise the request is recorded and the status stays.
 */
async function waitingTransition(trx: Executor, reply: AgentReply, view: CaseView): Promise<Transition | undefined> {
  if (view.workflowId === null) return undefined;
  const workflow = await workflowRepository.byId(trx, view.workflowId);
  if (!workflow) return undefined;
  const def = workflow.definition;
  if (statusOf(def, view.status).category === 'waiting_citizen') return undefined;
  const roles = await rolesOn(trx, reply, view);
  return allowedTransitions(def, view.status, roles, view.data).find(
    (t) =>
      statusOf(def, t.to).category === 'waiting_citizen' &&
      !(t.inputs ?? []).some((i) => i.required) &&
      ![...(t.actions ?? []), ...(statusOf(def, t.to).onEnter ?? [])].some((a) => a.type === 'notify_citizen' || a.type === 'request_information'),
  );
}
