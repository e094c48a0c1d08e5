/**
 * What a workflow does outside the case row: messages to the citizen, documents, webhooks,
 * timers and deadline alarms. Everything here runs inside the transaction that changes the case
 * and only writes rows (messages, jobs); the jobs do the slow or fallible work afterwards, so a
 * transition is never half-done and a retry never sends twice what was committed once.
 */
import { DateTime } from 'luxon';
import type { CaseView } from '../cases/repository.js';
import { profileRepository } from '../citizens/profile-repository.js';
import { citizenRepository } from '../citizens/repository.js';
import type { Db } from '../db/database.js';
import type { Executor } from '../db/transaction.js';
import { responseTemplateRepository } from '../templates/repository.js';
import { computeDueAt, departmentCalendar, type Calendar } from '../deadlines/business-time.js';
import { invalid } from '../http/errors.js';
import { jobRepository } from '../jobs/repository.js';
import { messageRepository } from '../messages/repository.js';
import { durationInWords } from '../deadlines/duration-words.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import type { Duration, MessageTemplate, Status } from './definition.js';
import { renderTemplate, type TemplateVariables } from './templates.js';

export interface WorkflowDeps {
  db: Db;
  timezone: string;
  /** Base of the links written to citizens (tracking page). */
  publicUrl: string;
}

/** Job types this module schedules; their handlers live in jobs.ts. */
export const JOB = {
  timer: 'workflow.timer',
  webhook: 'webhook.call',
  document: 'document.generate',
  message: 'message.send',
} as const;

/** The business calendar of a department: its opening hours in the organisation's time zone. */
export async function calendarOf(db: Executor, timezone: string, departmentId: number): Promise<Calendar> {
  const department = await organisationRepository.findDepartment(db, departmentId);
  return departmentCalendar(department?.openingHours ?? {}, timezone);
}

/** The instant a duration after `from` ends, in the department's business time. */
export async function after(db: Executor, timezone: string, departmentId: number, from: string, duration: Duration): Promise<string> {
  const calendar = await calendarOf(db, timezone, departmentId);
  return computeDueAt(new Date(from), { value: duration.value, unit: duration.unit }, calendar).toISOString();
}

function frenchDate(iso: string | null, timezone: string): string | null {
  return iso === null ? null : DateTime.fromISO(iso, { zone: timezone }).setLocale('fr').toLocaleString(DateTime.DATE_FULL);
}

/** What templates may use, read at the moment the message is written. */
export async function templateVariables(
  db: Executor,
  deps: Pick<WorkflowDeps, 'timezone' | 'publicUrl'>,
  view: CaseView,
  statusLabel: string,
  inputs: Record<string, unknown>,
  extra: { replyBy?: string | null; agentName?: string | null; agentEmail?: string | null; agentDepartment?: string | null } = {},
): Promise<TemplateVariables> {
  const [organisation, department, citizen, procedure] = await Promise.all([
    organisationRepository.findById(db, view.organisationId),
    organisationRepository.findDepartment(db, view.department.id),
    view.citizenId !== null ? citizenRepository.findSummary(db, view.citizenId) : Promise.resolve(undefined),
    view.procedureId !== null ? procedureRepository.findById(db, view.procedureId) : Promise.resolve(undefined),
  ]);
  return {
    organisation: { name: organisation?.name ?? '' },
    case: {
      reference: view.reference,
      trackingCode: view.trackingCode,
      subject: view.subject,
      receivedAt: view.receivedAt,
      receivedOn: frenchDate(view.receivedAt, deps.timezone)!,
      dueOn: frenchDate(view.dueAt, deps.timezone),
      implicitDecisionOn: frenchDate(view.implicitDecisionAt, deps.timezone),
      status: statusLabel,
      trackingUrl: `${deps.publicUrl}/suivi/${view.trackingCode}`,
      data: view.data,
    },
    citizen: citizen
      ? {
          civility: citizen.civility,
          firstNames: citizen.firstNames || null,
          lastName: citizen.lastName || null,
          fullName: citizen.fullName,
          email: view.contact.email ?? citizen.email,
          phone: view.contact.phone ?? citizen.phone,
        }
      : null,
    procedure: {
      title: view.procedure?.title ?? view.subject,
      slug: view.procedure?.slug ?? '',
      delay: procedure ? durationInWords(procedure.target.value, procedure.target.unit) : null,
    },
    department: { name: department?.name ?? view.department.name, email: department?.email ?? null, phone: department?.phone ?? null, address: department?.address ?? null },
    inputs,
    agent: extra.agentName ? { name: extra.agentName, email: extra.agentEmail ?? null, department: extra.agentDepartment ?? null } : null,
    replyBy: frenchDate(extra.replyBy ?? null, deps.timezone),
  };
}

/**
 * Writes a message to the citizen on the channel they can be reached on: email when the case or
 * the citizen has an address, else SMS to a mobile number, else a letter to print (anonymous or
 * postal requests). A citizen with a portal account chooses: without e-mail notifications the
 * message is only recorded on the case (channel `portal`, readable in « Mes demandes »), and with
 * SMS notifications a short notice goes to their mobile too. Email and SMS are sent by a job; the
 * message is part of the case whatever happens to the sending.
 */
export async function queueCitizenMessage(
  trx: Executor,
  view: CaseView,
  template: MessageTemplate,
  variables: TemplateVariables,
  now: string,
): Promise<QueuedCitizenMessage> {
  const source = await messageSource(trx, view.organisationId, template);
  const subject = (await renderTemplate(source.subject, variables)).trim();
  const bodyText = await renderTemplate(source.body, variables);
  return queueWrittenMessage(trx, view, { subject, bodyText }, variables, now);
}

/**
 * The Liquid of a workflow message: written in the workflow, or the response template it names
 * (read when the action runs, so a corrected template serves at once). A template deactivated
 * since the workflow was published stops the transition with a message rather than sending nothing.
 */
async function messageSource(trx: Executor, organisationId: number, message: MessageTemplate): Promise<{ subject: string; body: string }> {
  if (!('template' in message)) return message;
  const template = await responseTemplateRepository.findBySlug(trx, organisationId, message.template);
  if (!template?.isActive) {
    throw invalid([{ field: 'template', code: 'unknown_template', message: `Le modèle de réponse « ${message.template} » que ce circuit utilise n’existe plus ou est désactivé : réactivez-le ou corrigez le circuit.` }]);
  }
  return { subject: template.subject, body: template.body };
}

export type CitizenChannel = 'email' | 'sms' | 'letter' | 'portal';
export type QueuedCitizenMessage = { messageId: number; channel: CitizenChannel; subject: string; noticeId?: number };

/** The channel `queueCitizenMessage` picks for a citizen (see there), with their preferences. */
export async function citizenChannelOf(
  trx: Executor,
  view: CaseView,
  variables: { citizen: { email: string | null; phone: string | null } | null },
): Promise<{ channel: CitizenChannel; email: string | null; mobile: string | null; notifySms: boolean; hasAccount: boolean }> {
  const email = variables.citizen?.email ?? view.contact.email;
  const phone = variables.citizen?.phone ?? view.contact.phone;
  const preferences = view.citizenId !== null ? await profileRepository.notificationPreferences(trx, view.citizenId) : undefined;
  const mobile = phone && isMobile(phone) ? phone : null;
  const channel = preferences
    ? preferences.notifyEmail && email ? 'email' : 'portal'
    : email ? 'email' : mobile ? 'sms' : 'letter';
  return { channel, email: email ?? null, mobile, notifySms: preferences?.notifySms === true, hasAccount: preferences !== undefined };
}

/**
 * `queueCitizenMessage` for a text already written (an agent's reply): nothing is rendered again.
 * `chosen` forces a channel the agent picked; the SMS notice of a portal account still follows
 * the citizen's preferences.
 */
export async function queueWrittenMessage(
  trx: Executor,
  view: CaseView,
  written: { subject: string; bodyText: string },
  variables: TemplateVariables,
  now: string,
  chosen?: CitizenChannel,
): Promise<QueuedCitizenMessage> {
  const { subject, bodyText } = written;
  const phone = variables.citizen?.phone ?? view.contact.phone;
  const reach = await citizenChannelOf(trx, view, variables);
  const { email, mobile } = reach;
  const channel = chosen ?? reach.channel;
  const recipient = channel === 'email' ? email : channel === 'sms' ? (mobile ?? phone) : null;
  const sent = channel === 'email' || channel === 'sms';
  const messageId = await messageRepository.insert(
    trx,
    { caseId: view.id, direction: 'out', channel, recipient, subject, bodyText, bodyHtml: null, status: sent ? 'queued' : 'recorded' },
    now,
  );
  if (sent) await jobRepository.enqueue(trx, { type: JOB.message, payload: { messageId }, runAt: now, dedupeKey: `message:${messageId}` }, now);
  // The notice says a message waits in « Mes demandes »: useless when the message itself is the SMS.
  if (!reach.notifySms || !mobile || channel === 'sms') return { messageId, channel, subject };
  const notice = {
    subject: `${variables.organisation.name} – demande ${view.reference}`,
    bodyText: `Vous avez un nouveau message. Lisez-le dans « Mes demandes » ou sur ${variables.case.trackingUrl}`,
  };
  const noticeId = await messageRepository.insert(
    trx,
    { caseId: view.id, direction: 'out', channel: 'sms', recipient: mobile, ...notice, bodyHtml: null, status: 'queued' },
    now,
  );
  await jobRepository.enqueue(trx, { type: JOB.message, payload: { messageId: noticeId }, runAt: now, dedupeKey: `message:${noticeId}` }, now);
  return { messageId, channel, subject, noticeId };
}

/** Numbers that can receive an SMS: French mobiles (06, 07) and foreign numbers in E.164. */
export function isMobile(phone: string): boolean {
  return /^\+33[67]\d{8}$/.test(phone) || (/^\+\d{8,15}$/.test(phone) && !phone.startsWith('+33'));
}

/** Schedules the timers of a status the case just entered; each fires only if the case is still there. */
export async function scheduleStatusTimers(
  trx: Executor,
  deps: Pick<WorkflowDeps, 'timezone'>,
  view: { id: number; department: { id: number } },
  status: Status,
  enteredAt: string,
  calendar?: Calendar,
): Promise<void> {
  const timers = status.timers ?? [];
  if (timers.length === 0) return;
  const clock = calendar ?? (await calendarOf(trx, deps.timezone, view.department.id));
  for (const [index, timer] of timers.entries()) {
    const runAt = computeDueAt(new Date(enteredAt), { value: timer.after.value, unit: timer.after.unit }, clock).toISOString();
    await jobRepository.enqueue(
      trx,
      { type: JOB.timer, payload: { caseId: view.id, status: status.id, enteredAt, timer: index }, runAt, dedupeKey: `timer:${view.id}:${status.id}:${enteredAt}:${index}` },
      enteredAt,
    );
  }
}

/** Managers (and admins) of a department, who hear of escalations. */
export async function notifyManagers(trx: Executor, view: CaseView, subject: string, bodyText: string, now: string): Promise<number> {
  const managers = await organisationRepository.listDepartmentManagers(trx, view.department.id);
  for (const manager of managers) {
    const messageId = await messageRepository.insert(
      trx,
      { caseId: view.id, direction: 'out', channel: 'agent_email', recipient: manager.email, subject, bodyText, bodyHtml: null, status: 'queued' },
      now,
    );
    await jobRepository.enqueue(trx, { type: JOB.message, payload: { messageId }, runAt: now, dedupeKey: `message:${messageId}` }, now);
  }
  return managers.length;
}
