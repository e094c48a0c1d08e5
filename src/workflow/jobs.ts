/**
 * Background work of workflows: status timers, generated documents, webhooks, and the sweep that
 * escalates overdue cases and records implicit decisions. Every handler may run more than once
 * (at-least-once delivery): each checks what is already done before doing it.
 */
import path from 'node:path';
import { attachmentRepository } from '../attachments/repository.js';
import { AttachmentStorage } from '../attachments/storage.js';
import type { Actor } from '../cases/journal.js';
import { caseRepository, type CaseView } from '../cases/repository.js';
import type { Config } from '../config.js';
import { transaction } from '../db/transaction.js';
import { textToPdf } from '../documents/pdf.js';
import { PermanentJobFailure, type JobContext, type JobType } from '../jobs/registry.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { JOB, notifyManagers, queueCitizenMessage, templateVariables, type WorkflowDeps } from './effects.js';
import { statusOf } from './engine.js';
import { workflowRepository } from './repository.js';
import { runTransition } from './service.js';
import { AppError } from '../http/errors.js';
import { dateAndTime } from '../acknowledgments/content.js';
import { OutboundRefused, outboundFor } from '../http/outbound.js';

const SYSTEM: Actor = { type: 'system', id: null };

export function depsOf(ctx: { db: JobContext['db']; config: Config }): WorkflowDeps {
  return { db: ctx.db, timezone: ctx.config.TIMEZONE, publicUrl: ctx.config.publicUrl };
}

interface TimerPayload {
  caseId: number;
  status: string;
  enteredAt: string;
  timer: number;
}

/** A status timer: if the case is still in the status it was set for, take its transition or escalate. */
export const timerJob: JobType<TimerPayload> = {
  type: JOB.timer,
  description: 'Minuterie d’un statut (transition automatique ou alerte des responsables)',
  async handle(ctx, payload) {
    const db = ctx.db.kysely;
    const view = await caseRepository.findById(db, payload.caseId);
    // The case moved on since: this timer belongs to a past stay in the status.
    if (!view || view.status !== payload.status || view.statusEnteredAt !== payload.enteredAt || view.workflowId === null) return;
    const workflow = await workflowRepository.byId(db, view.workflowId);
    const timer = workflow ? statusOf(workflow.definition, payload.status).timers?.[payload.timer] : undefined;
    if (!timer) return;
    if (timer.transition) {
      try {
        await runTransition(depsOf(ctx), { organisationId: view.organisationId, actor: SYSTEM, roles: 'system', name: 'Guichet' }, {
          reference: view.reference,
          name: timer.transition,
          expectedVersion: view.version,
        });
      } catch (error) {
        // Someone changed the case between our read and our write: the next read decides again.
        if (error instanceof AppError && error.code === 'version_conflict') throw error;
        if (error instanceof AppError) ctx.log.warn({ err: error, caseId: view.id }, 'timer transition refused');
        else throw error;
      }
      return;
    }
    await transaction(ctx.db, async (trx) => {
      const current = await caseRepository.findById(trx, view.id);
      if (!current || current.version !== view.version) return;
      const journal = await caseRepository.listJournal(trx, view.id);
      if (journal.some((e) => e.type === 'case.escalated' && e.payload['timerKey'] === timerKey(payload))) return;
      const now = new Date().toISOString();
      const notified = await notifyManagers(trx, current, `Dossier ${current.reference} : délai dépassé dans le statut « ${payload.status} »`, escalationText({ publicUrl: ctx.config.publicUrl, timezone: ctx.config.TIMEZONE }, current, `est dans le même statut depuis ${timer.after.value} ${unitLabel(timer.after.unit)}`), now);
      await caseRepository.appendJournal(trx, view.id, view.reference, [{ type: 'case.escalated', actor: SYSTEM, payload: { reason: 'status_timer', status: payload.status, timerKey: timerKey(payload), managersNotified: notified } }], now);
      await caseRepository.enqueueOutbox(trx, 'case.escalated', view.id, { reference: view.reference, reason: 'status_timer' }, now);
    });
  },
};

const timerKey = (p: TimerPayload) => `${p.status}:${p.enteredAt}:${p.timer}`;

function unitLabel(unit: string): string {
  return unit === 'business_days' ? 'jour(s) ouvré(s)' : unit === 'business_hours' ? 'heure(s) ouvrée(s)' : 'jour(s)';
}

/** The managers' alert, in their words: the due date as « 13 juin 2023 à 17 h 30 » in the town's zone. */
function escalationText(deps: Pick<WorkflowDeps, 'publicUrl' | 'timezone'>, view: CaseView, what: string): string {
  const publicUrl = deps.publicUrl;
  return [
    `Le dossier ${view.reference} (« ${view.subject} », service ${view.department.name}) ${what}.`,
    '',
    `Échéance : ${view.dueAt ? dateAndTime(view.dueAt, deps.timezone) : 'aucune'}.`,
    `Ouvrir le dossier : ${publicUrl}/backoffice/dossiers/${view.reference}`,
  ].join('\n');
}

/** A document made from a rendered template, attached to the case. */
export const documentJob: JobType<{ caseId: number; title: string; filename: string; text: string }> = {
  type: JOB.document,
  description: 'Production d’un document PDF joint au dossier',
  async handle(ctx, payload, job) {
    const db = ctx.db.kysely;
    const id = `document-${job.id}`;
    if ((await attachmentRepository.findById(db, id)) !== undefined) return;
    const view = await caseRepository.findById(db, payload.caseId);
    if (!view) return;
    const organisation = await organisationRepository.findById(db, view.organisationId);
    const bytes = await textToPdf(payload.title, payload.text, { author: organisation?.name ?? 'Guichet', subject: `Dossier ${view.reference}` });
    const storage = new AttachmentStorage(path.join(ctx.config.DATA_DIR, 'attachments'));
    const sha256 = await storage.put(bytes);
    await transaction(ctx.db, async (trx) => {
      const now = new Date().toISOString();
      await attachmentRepository.insert(trx, view.organisationId, { id, sha256, size: bytes.length, mimeType: 'application/pdf', filename: payload.filename }, now);
      await attachmentRepository.linkToCase(trx, [id], view.id);
      await caseRepository.appendJournal(trx, view.id, view.reference, [{ type: 'document.generated', actor: SYSTEM, payload: { attachmentId: id, title: payload.title, filename: payload.filename } }], now);
    });
  },
};

/**
 * Tells another system about a case event; any non-2xx answer is retried with back-off. An
 * address the outbound guard refuses (internal network, redirect) is not retried: the refusal is
 * written in the case's journal and the job dies with it as its last error.
 */
export const webhookJob: JobType<{ caseId: number; url: string; event: Record<string, unknown> }> = {
  type: JOB.webhook,
  description: 'Appel d’un webhook sortant',
  async handle(ctx, payload, job) {
    let status: number;
    try {
      ({ status } = await outboundFor(ctx.config).request(payload.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `guichet-job-${job.id}`, 'user-agent': 'Guichet' },
        body: JSON.stringify(payload.event),
        timeoutMs: 10_000,
        maxBytes: 0,
        readBody: false,
      }));
    } catch (error) {
      if (!(error instanceof OutboundRefused)) throw error;
      await recordWebhookRefusal(ctx, payload.caseId, job.id, payload.url, error.message);
      throw new PermanentJobFailure(`Le webhook ${payload.url} est refusé : ${error.message}`);
    }
    if (status < 200 || status > 299) throw new Error(`Le webhook ${payload.url} a répondu ${status}.`);
  },
};

/** Journals a refused webhook once per job (a job run twice does not write it twice). */
async function recordWebhookRefusal(ctx: JobContext, caseId: number, jobId: number, url: string, reason: string): Promise<void> {
  await transaction(ctx.db, async (trx) => {
    const view = await caseRepository.findById(trx, caseId);
    if (!view) return;
    const journal = await caseRepository.listJournal(trx, caseId);
    if (journal.some((e) => e.type === 'webhook.refused' && e.payload['jobId'] === jobId)) return;
    await caseRepository.appendJournal(trx, view.id, view.reference, [{ type: 'webhook.refused', actor: SYSTEM, payload: { jobId, url, reason } }], new Date().toISOString());
  });
}

/** How many cases one sweep handles at most; the next sweep takes the rest. */
const SWEEP_BATCH = 500;

/**
 * Escalates newly overdue cases to their managers and records implicit decisions whose date has
 * come. Run periodically by workers; safe to run in several processes at once: each case is
 * claimed by a conditional update, so it is escalated or decided exactly once.
 */
export async function sweepDeadlines(deps: WorkflowDeps, now = new Date().toISOString()): Promise<{ overdue: number; implicitDecisions: number }> {
  let overdue = 0;
  for (const caseId of await caseRepository.findNewlyOverdue(deps.db.kysely, now, SWEEP_BATCH)) {
    if (await escalateOverdue(deps, caseId, now)) overdue += 1;
  }
  let implicitDecisions = 0;
  for (const caseId of await caseRepository.findSilenceExpired(deps.db.kysely, now, SWEEP_BATCH)) {
    if (await recordImplicitDecision(deps, caseId, now)) implicitDecisions += 1;
  }
  return { overdue, implicitDecisions };
}

async function escalateOverdue(deps: WorkflowDeps, caseId: number, now: string): Promise<boolean> {
  return transaction(deps.db, async (trx) => {
    if (!(await caseRepository.markOverdueEscalated(trx, caseId, now))) return false;
    const view = await caseRepository.findById(trx, caseId);
    if (!view) return false;
    const notified = await notifyManagers(trx, view, `Dossier ${view.reference} en retard`, escalationText(deps, view, 'a dépassé son échéance de traitement'), now);
    await caseRepository.appendJournal(trx, view.id, view.reference, [{ type: 'case.overdue', actor: SYSTEM, payload: { dueAt: view.dueAt, managersNotified: notified } }], now);
    await caseRepository.enqueueOutbox(trx, 'case.overdue', view.id, { reference: view.reference, dueAt: view.dueAt }, now);
    return true;
  });
}

const IMPLICIT_MESSAGE = {
  accord: {
    subject: 'Votre demande {{ case.reference }} est acceptée (accord implicite)',
    body: `{% if citizen %}Bonjour {{ citizen.fullName }},{% else %}Bonjour,{% endif %}

Votre demande « {{ procedure.title }} » (dossier {{ case.reference }}), reçue le {{ case.receivedOn }}, n’a pas reçu de réponse dans le délai prévu par la loi.

Le silence gardé par l’administration vaut accord : votre demande est acceptée implicitement depuis le {{ case.implicitDecisionOn }}, sous réserve que votre dossier ait été complet.

Vous pouvez demander une attestation de cette décision implicite auprès de {{ department.name }}{% if department.email %} ({{ department.email }}){% endif %}.

Suivre votre demande : {{ case.trackingUrl }}

{{ organisation.name }}`,
  },
  rejet: {
    subject: 'Votre demande {{ case.reference }} : décision implicite de rejet',
    body: `{% if citizen %}Bonjour {{ citizen.fullName }},{% else %}Bonjour,{% endif %}

Votre demande « {{ procedure.title }} » (dossier {{ case.reference }}), reçue le {{ case.receivedOn }}, n’a pas reçu de réponse dans le délai prévu par la loi.

Dans ce cas, le silence gardé par l’administration vaut rejet : une décision implicite de rejet est née le {{ case.implicitDecisionOn }}.

Vous pouvez en demander les motifs dans un délai de deux mois auprès de {{ department.name }}{% if department.email %} ({{ department.email }}){% endif %}, et former un recours gracieux ou contentieux (tribunal administratif, y compris par www.telerecours.fr) dans les deux mois.

Suivre votre demande : {{ case.trackingUrl }}

{{ organisation.name }}`,
  },
} as const;

async function recordImplicitDecision(deps: WorkflowDeps, caseId: number, now: string): Promise<boolean> {
  return transaction(deps.db, async (trx) => {
    if (!(await caseRepository.markImplicitDecisionRecorded(trx, caseId, now))) return false;
    const view = await caseRepository.findById(trx, caseId);
    const procedure = view?.procedureId ? await procedureRepository.findById(trx, view.procedureId) : undefined;
    if (!view || !procedure || procedure.silence.regime === 'none') return false;
    const regime = procedure.silence.regime === 'accept' ? 'accord' : 'rejet';
    const status = view.workflowId !== null ? await workflowRepository.byId(trx, view.workflowId) : undefined;
    const statusLabel = status ? statusOf(status.definition, view.status).citizenLabel : view.status;
    const variables = await templateVariables(trx, deps, view, statusLabel, {});
    const message = await queueCitizenMessage(trx, view, IMPLICIT_MESSAGE[regime], variables, now);
    const labels = [...new Set([...view.labels, regime === 'accord' ? 'accord-implicite' : 'rejet-implicite'])];
    await caseRepository.applyChange(trx, view.id, view.version, { labels }, now);
    await caseRepository.appendJournal(trx, view.id, view.reference, [{ type: 'decision.implicit', actor: SYSTEM, payload: { regime, bornAt: view.implicitDecisionAt, messageId: message.messageId } }], now);
    await caseRepository.enqueueOutbox(trx, 'case.implicit_decision', view.id, { reference: view.reference, regime, bornAt: view.implicitDecisionAt }, now);
    return true;
  });
}

/** The sweep as a periodic job: workers enqueue one run a minute, whatever their number. */
export const deadlineSweepJob: JobType<Record<string, never>> = {
  type: 'deadlines.sweep',
  description: 'Alerte des dossiers en retard et décisions implicites (silence vaut accord / rejet)',
  every: 60_000,
  async handle(ctx) {
    const result = await sweepDeadlines(depsOf(ctx));
    if (result.overdue + result.implicitDecisions > 0) ctx.log.info(result, 'deadline sweep');
  },
};
