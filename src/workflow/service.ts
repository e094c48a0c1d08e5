import { attachmentRepository } from '../attachments/repository.js';
import { responseTemplateRepository } from '../templates/repository.js';
import type { Actor } from '../cases/journal.js';
import { caseRepository, type CasePatch, type CaseView } from '../cases/repository.js';
import { forgetConfiguration } from '../configuration/cache.js';
import { configurationLookups } from '../configuration/lookups.js';
import { transaction, type Executor } from '../db/transaction.js';
import { computeDueAt, type Calendar } from '../deadlines/business-time.js';
import { implicitDecisionDate } from '../deadlines/silence.js';
import { AppError, invalid, notFound } from '../http/errors.js';
import { jobRepository } from '../jobs/repository.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository, type Procedure } from '../procedures/repository.js';
import type { Action, Status, Transition, WorkflowDefinition, WorkflowRole } from './definition.js';
import { after, calendarOf, JOB, queueCitizenMessage, scheduleStatusTimers, templateVariables, type WorkflowDeps } from './effects.js';
import { checkWorkflowDefinition } from './check-definition.js';
import { allowedTransitions, isClosedCategory, outcomeOf, statusOf, transitionsFrom, validateInputs } from './engine.js';
import { renderTemplate } from './templates.js';
import { workflowRepository, type WorkflowVersion } from './repository.js';

export type { WorkflowDeps } from './effects.js';

/**
 * Who asks to move a case, with the workflow roles they hold on it. The system (timers) may take
 * any transition its workflow names.
 */
export interface WorkflowCaller {
  organisationId: number;
  actor: Actor;
  roles: readonly WorkflowRole[] | 'system';
  /** Display name used in messages ({{ agent.name }}). */
  name?: string;
}

export interface TransitionRequest {
  reference: string;
  name: string;
  inputs?: unknown;
  /** The case version the caller saw; a mismatch means someone else changed it meanwhile. */
  expectedVersion?: number;
}

interface LoadedCase {
  view: CaseView;
  workflow: WorkflowVersion;
}

const ALL_ROLES: readonly WorkflowRole[] = ['agent', 'manager', 'admin', 'citizen', 'integration'];
const rolesOf = (caller: WorkflowCaller): readonly WorkflowRole[] => (caller.roles === 'system' ? ALL_ROLES : caller.roles);

/** The transitions the caller may take now on a case, with the status it is in. */
export async function listTransitions(db: Executor, caller: WorkflowCaller, reference: string) {
  const { view, workflow } = await loadCase(db, caller.organisationId, reference);
  return transitionsOf(view, workflow, caller);
}

/** `listTransitions` for a case its caller has read already (a page that shows it). */
export async function listTransitionsOfCase(db: Executor, caller: WorkflowCaller, view: CaseView) {
  const workflow = view.workflowId !== null ? await configurationLookups.workflowVersion(db, view.workflowId) : undefined;
  if (!workflow) throw new AppError('no_workflow');
  return transitionsOf(view, workflow, caller);
}

function transitionsOf(view: CaseView, workflow: WorkflowVersion, caller: WorkflowCaller) {
  const status = statusOf(workflow.definition, view.status);
  return {
    status: { id: status.id, label: status.label, citizenLabel: status.citizenLabel, category: status.category },
    version: view.version,
    transitions: allowedTransitions(workflow.definition, view.status, rolesOf(caller), view.data).map((t) => ({
      name: t.name,
      label: t.label,
      to: t.to,
      inputs: t.inputs ?? [],
    })),
  };
}

/**
 * Moves a case along its workflow: checks the transition exists, is available from the current
 * status, is allowed for the caller's roles and its condition holds, validates its inputs, then in
 * one transaction changes the case (version-checked), runs the transition's and the new status's
 * actions, journals everything and schedules the new status's timers.
 */
export async function runTransition(deps: WorkflowDeps, caller: WorkflowCaller, request: TransitionRequest): Promise<CaseView> {
  return transaction(deps.db, (trx) => runTransitionIn(trx, deps, caller, request));
}

/**
 * `runTransition` inside a transaction the caller already holds, so that a transition commits
 * together with the caller's own writes (a citizen's reply and the move it sets off).
 */
export async function runTransitionIn(trx: Executor, deps: WorkflowDeps, caller: WorkflowCaller, request: TransitionRequest): Promise<CaseView> {
  const { view, workflow } = await loadCase(trx, caller.organisationId, request.reference);
  const def = workflow.definition;
  const transition = def.transitions.find((t) => t.name === request.name);
  if (!transition) throw new AppError('transition_unknown', `Le circuit de ce dossier n’a pas d’action « ${request.name} ».`);
  if (!transitionsFrom(def, view.status).includes(transition)) {
    throw new AppError('transition_not_available', `L’action « ${transition.label} » n’est pas possible depuis le statut « ${statusOf(def, view.status).label} ».`);
  }
  const roles = rolesOf(caller);
  if (!transition.roles.some((r) => roles.includes(r)) && caller.roles !== 'system') {
    throw new AppError('transition_forbidden', `L’action « ${transition.label} » est réservée aux rôles : ${transition.roles.join(', ')}.`);
  }
  if (transition.condition && !allowedTransitions(def, view.status, ALL_ROLES, view.data).includes(transition)) {
    throw new AppError('transition_not_available', `Les conditions de l’action « ${transition.label} » ne sont pas remplies pour ce dossier.`);
  }
  if (request.expectedVersion !== undefined && request.expectedVersion !== view.version) throw new AppError('version_conflict');
  const inputs = validateInputs(transition, request.inputs);
  if (!inputs.ok) throw invalid(inputs.errors.map((e) => ({ ...e, field: e.field ? `inputs.${e.field}` : 'inputs' })));
  await attachDocuments(trx, caller.organisationId, view.id, transition, inputs.value);

  const now = new Date().toISOString();
  const changed = await applyTransition(trx, deps, caller, view, def, transition, inputs.value, now);
  if (!changed) throw new AppError('version_conflict');
  const updated = await caseRepository.findById(trx, view.id);
  if (!updated) throw new Error('case vanished inside its own transaction');
  return updated;
}

/** What a citizen's reply did to the workflow of its case. */
export interface CitizenReplyEffect {
  /** The transition taken through the status's `onCitizenReply`, if any. */
  transition: string | null;
  /** True when the case stopped waiting for the citizen (its clocks run again). */
  waitEnded: boolean;
}

/**
 * What a citizen's reply does to a case, inside the caller's transaction: in a status with
 * `onCitizenReply` the system takes that transition, which ends the wait for the citizen (the
 * pause closes, due time and implicit decision date are computed anew). Elsewhere — a status
 * without it (an appointment to come), a closed case — the reply is only recorded: agents decide.
 */
export async function applyCitizenReply(trx: Executor, deps: WorkflowDeps, caseId: number): Promise<CitizenReplyEffect> {
  const view = await caseRepository.findById(trx, caseId);
  if (!view || view.workflowId === null) return { transition: null, waitEnded: false };
  const workflow = await workflowRepository.byId(trx, view.workflowId);
  if (!workflow) return { transition: null, waitEnded: false };
  const status = statusOf(workflow.definition, view.status);
  if (isClosedCategory(status.category)) return { transition: null, waitEnded: false };
  const transition = status.onCitizenReply ? workflow.definition.transitions.find((t) => t.name === status.onCitizenReply) : undefined;
  // A condition on the case's data may rule the move out: the agents then decide.
  if (!transition || !allowedTransitions(workflow.definition, view.status, ALL_ROLES, view.data).includes(transition)) return { transition: null, waitEnded: false };
  const caller: WorkflowCaller = { organisationId: view.organisationId, actor: SYSTEM, roles: 'system', name: 'Guichet' };
  await runTransitionIn(trx, deps, caller, { reference: view.reference, name: transition.name, expectedVersion: view.version });
  return { transition: transition.name, waitEnded: status.category === 'waiting_citizen' && statusOf(workflow.definition, transition.to).category !== 'waiting_citizen' };
}

/**
 * Documents given as transition inputs (a signed decision, a scanned proof) are attachments
 * uploaded beforehand: they must exist in the organisation and be free or already on this case;
 * they are attached to the case in the transition's transaction.
 */
async function attachDocuments(trx: Executor, organisationId: number, caseId: number, transition: Transition, inputs: Record<string, unknown>): Promise<void> {
  for (const input of transition.inputs ?? []) {
    if (input.type !== 'document') continue;
    const ids = Array.isArray(inputs[input.name]) ? (inputs[input.name] as unknown[]).map(String) : [];
    if (ids.length === 0) continue;
    const found = await attachmentRepository.findMany(trx, organisationId, ids);
    const usable = found.filter((a) => a.caseId === null || a.caseId === caseId);
    if (usable.length !== ids.length) {
      throw invalid([{ field: `inputs.${input.name}`, code: 'unknown_attachment', message: 'Ce document est introuvable ou déjà joint à un autre dossier : déposez-le de nouveau.' }]);
    }
    await attachmentRepository.linkToCase(trx, ids, caseId);
  }
}


async function loadCase(db: Executor, organisationId: number, reference: string): Promise<LoadedCase> {
  const view = await caseRepository.findByReference(db, organisationId, reference);
  if (!view) throw notFound(`Aucun dossier ${reference}.`);
  if (view.workflowId === null) throw new AppError('no_workflow');
  const workflow = await workflowRepository.byId(db, view.workflowId);
  if (!workflow) throw new AppError('no_workflow');
  return { view, workflow };
}

async function applyTransition(
  trx: Executor,
  deps: WorkflowDeps,
  caller: WorkflowCaller,
  view: CaseView,
  def: WorkflowDefinition,
  transition: Transition,
  inputs: Record<string, unknown>,
  now: string,
): Promise<boolean> {
  const from = statusOf(def, view.status);
  const to = statusOf(def, transition.to);
  const patch: CasePatch = { status: to.id, statusEnteredAt: now };
  const events: ActionContext['events'] = [
    { type: 'status.changed', actor: caller.actor, payload: { from: from.id, to: to.id, transition: transition.name, inputs } },
  ];
  const closing = isClosedCategory(to.category);
  if (closing) {
    patch.closedAt = now;
    patch.outcome = outcomeOf(to.category);
  } else if (isClosedCategory(from.category)) {
    patch.closedAt = null;
    patch.outcome = null;
  }

  const context: ActionContext = { trx, deps, actor: caller.actor, agentName: caller.name ?? null, view, statusLabel: to.citizenLabel, inputs, now, patch, events, silenceMode: null };
  for (const action of [...(transition.actions ?? []), ...(to.onEnter ?? [])]) await runAction(context, action);
  await moveClocks(context, from, to);

  if (!(await caseRepository.applyChange(trx, view.id, view.version, patch, now))) return false;
  await caseRepository.appendJournal(trx, view.id, view.reference, events, now);
  await caseRepository.enqueueOutbox(trx, 'case.status_changed', view.id, { reference: view.reference, from: from.id, to: to.id, transition: transition.name, category: to.category }, now);
  if (!closing) await scheduleStatusTimers(trx, deps, view, to, now);
  return true;
}

/**
 * Waiting for the citizen stops the handling clock, and a request for missing pieces suspends or
 * restarts the legal silence delay; the reply (leaving that status) starts them again, and the
 * due time and the implicit decision date are computed anew from all pauses so far.
 */
async function moveClocks(ctx: ActionContext, from: Status, to: Status): Promise<void> {
  const { trx, deps, view, now, patch } = ctx;
  const waitingBefore = from.category === 'waiting_citizen';
  const waitingAfter = to.category === 'waiting_citizen';
  if (waitingAfter && !waitingBefore) {
    await caseRepository.startPause(trx, view.id, `status:${to.id}`, ctx.silenceMode, now);
    // While the pieces are awaited no implicit decision can be born: no date to show.
    if (ctx.silenceMode && view.implicitDecisionAt !== null) patch.implicitDecisionAt = null;
  }
  if (waitingBefore && !waitingAfter) {
    await caseRepository.endOpenPauses(trx, view.id, now);
    const dates = await recomputeDates(trx, deps, view);
    patch.dueAt = dates.dueAt;
    patch.implicitDecisionAt = dates.implicitDecisionAt;
    ctx.events.push({ type: 'deadlines.recomputed', actor: SYSTEM, payload: dates });
  }
}

/** Due time and implicit decision date from receipt, with every pause and suspension so far. */
async function recomputeDates(trx: Executor, deps: WorkflowDeps, view: CaseView): Promise<{ dueAt: string | null; implicitDecisionAt: string | null }> {
  const procedure = view.procedureId !== null ? await procedureRepository.findById(trx, view.procedureId) : undefined;
  if (!procedure) return { dueAt: view.dueAt, implicitDecisionAt: view.implicitDecisionAt };
  const pauses = await caseRepository.listPauses(trx, view.id);
  const received = new Date(view.receivedAt);
  const calendar = await calendarOf(trx, deps.timezone, view.department.id);
  const dueAt = computeDueAt(received, procedure.target, calendar, pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null }))).toISOString();
  return { dueAt, implicitDecisionAt: silenceDate(procedure, received, deps.timezone, pauses) };
}

function silenceDate(procedure: Procedure, received: Date, timezone: string, pauses: Awaited<ReturnType<typeof caseRepository.listPauses>>): string | null {
  if (procedure.silence.regime === 'none' || !procedure.silence.delay) return null;
  const suspensions = pauses.flatMap((p) => (p.silenceMode ? [{ from: new Date(p.from), to: p.to ? new Date(p.to) : null, mode: p.silenceMode }] : []));
  return implicitDecisionDate(received, procedure.silence.delay, timezone, suspensions)?.toISOString() ?? null;
}

interface ActionContext {
  trx: Executor;
  deps: WorkflowDeps;
  actor: Actor;
  agentName: string | null;
  view: CaseView;
  /** Citizen label of the status the case is going to. */
  statusLabel: string;
  inputs: Record<string, unknown>;
  now: string;
  patch: CasePatch;
  events: { type: string; actor: Actor; payload: Record<string, unknown> }[];
  /** Set by a request for missing pieces: how the pause acts on the silence delay. */
  silenceMode: 'suspend' | 'restart' | null;
}

const SYSTEM: Actor = { type: 'system', id: null };

/** Runs one action: changes to the case go into the patch, effects outside it become rows and jobs. */
async function runAction(ctx: ActionContext, action: Action): Promise<void> {
  switch (action.type) {
    case 'assign': {
      if (action.department) {
        const department = await organisationRepository.findDepartmentBySlug(ctx.trx, ctx.view.organisationId, action.department);
        if (!department) throw new Error(`workflow assigns to unknown department ${action.department}`);
        ctx.patch.departmentId = department.id;
        ctx.events.push({ type: 'case.transferred', actor: SYSTEM, payload: { from: ctx.view.department.id, to: department.id, by: 'workflow' } });
      }
      if (action.agent) {
        const agentId = await organisationRepository.findAgentIdByEmail(ctx.trx, ctx.view.organisationId, action.agent);
        if (agentId === undefined) throw new Error(`workflow assigns to unknown agent ${action.agent}`);
        ctx.patch.assignedAgentId = agentId;
        ctx.events.push({ type: 'case.assigned', actor: SYSTEM, payload: { agentId, by: 'workflow' } });
      }
      return;
    }
    case 'set_due': {
      const base = ctx.patch.dueAt ?? ctx.view.dueAt ?? ctx.now;
      ctx.patch.dueAt = await after(ctx.trx, ctx.deps.timezone, ctx.patch.departmentId ?? ctx.view.department.id, base, action.extendBy);
      ctx.events.push({ type: 'case.due_changed', actor: SYSTEM, payload: { dueAt: ctx.patch.dueAt } });
      return;
    }
    case 'set_label': {
      const labels = new Set(ctx.patch.labels ?? ctx.view.labels);
      labels.add(action.label);
      ctx.patch.labels = [...labels];
      ctx.events.push({ type: 'case.labelled', actor: SYSTEM, payload: { label: action.label } });
      return;
    }
    case 'notify_citizen': {
      const variables = await templateVariables(ctx.trx, ctx.deps, ctx.view, ctx.statusLabel, ctx.inputs, { agentName: ctx.agentName });
      const queued = await queueCitizenMessage(ctx.trx, ctx.view, action.message, variables, ctx.now);
      ctx.events.push({ type: 'message.out', actor: SYSTEM, payload: queued });
      return;
    }
    case 'request_information': {
      const replyBy = await after(ctx.trx, ctx.deps.timezone, ctx.view.department.id, ctx.now, action.replyWithin);
      const variables = await templateVariables(ctx.trx, ctx.deps, ctx.view, ctx.statusLabel, ctx.inputs, { agentName: ctx.agentName, replyBy });
      const queued = await queueCitizenMessage(ctx.trx, ctx.view, action.message, variables, ctx.now);
      // An incomplete file always restarts the delay once complete (CRPA L. 114-5); other requests follow the workflow.
      ctx.silenceMode = action.incompleteFile ? 'restart' : (action.silence ?? 'suspend');
      ctx.events.push({ type: 'information.requested', actor: SYSTEM, payload: { ...queued, replyBy, silence: ctx.silenceMode } });
      return;
    }
    case 'generate_document': {
      const variables = await templateVariables(ctx.trx, ctx.deps, ctx.view, ctx.statusLabel, ctx.inputs, { agentName: ctx.agentName });
      const text = await renderTemplate(action.body, variables);
      const payload = { caseId: ctx.view.id, title: action.title, filename: action.filename, text };
      const jobId = await jobRepository.enqueue(ctx.trx, { type: JOB.document, payload, runAt: ctx.now }, ctx.now);
      ctx.events.push({ type: 'document.scheduled', actor: SYSTEM, payload: { jobId, title: action.title, filename: action.filename } });
      return;
    }
    case 'webhook': {
      const event = { reference: ctx.view.reference, procedure: ctx.view.procedure?.slug ?? null, status: ctx.patch.status ?? ctx.view.status, at: ctx.now };
      const jobId = await jobRepository.enqueue(ctx.trx, { type: JOB.webhook, payload: { caseId: ctx.view.id, url: action.url, event }, runAt: ctx.now }, ctx.now);
      ctx.events.push({ type: 'webhook.scheduled', actor: SYSTEM, payload: { jobId, url: action.url } });
      return;
    }
  }
}

/**
 * The workflow a new case starts on: its procedure's latest version, whose initial status the
 * intake stores with the case. Later versions never change it.
 */
export async function workflowForNewCase(db: Executor, procedureId: number): Promise<{ workflowId: number; initial: Status } | null> {
  const workflow = await workflowRepository.latest(db, procedureId);
  if (!workflow) return null;
  return { workflowId: workflow.id, initial: statusOf(workflow.definition, workflow.definition.initial) };
}

/**
 * Runs what entering the initial status asks (its actions and timers) for a case the intake has
 * just written, inside the intake's transaction: a case and its first message or timer commit
 * together. `calendar` is the department's, already known to the intake.
 */
export async function enterInitialStatus(
  trx: Executor,
  deps: WorkflowDeps,
  created: { caseId: number; departmentId: number; calendar: Calendar },
  initial: Status,
  now: string,
): Promise<void> {
  if (initial.onEnter?.length || initial.category === 'waiting_citizen') {
    const view = await caseRepository.findById(trx, created.caseId);
    if (!view) throw new Error('case vanished inside its own transaction');
    const patch: CasePatch = {};
    const events: ActionContext['events'] = [];
    const context: ActionContext = { trx, deps, actor: SYSTEM, agentName: null, view, statusLabel: initial.citizenLabel, inputs: {}, now, patch, events, silenceMode: null };
    for (const action of initial.onEnter ?? []) await runAction(context, action);
    if (initial.category === 'waiting_citizen') await caseRepository.startPause(trx, view.id, `status:${initial.id}`, context.silenceMode, now);
    if (Object.keys(patch).length > 0 && !(await caseRepository.applyChange(trx, view.id, view.version, patch, now))) throw new Error('new case changed concurrently');
    if (events.length > 0) await caseRepository.appendJournal(trx, view.id, view.reference, events, now);
  }
  await scheduleStatusTimers(trx, deps, { id: created.caseId, department: { id: created.departmentId } }, initial, now, created.calendar);
}

/** A procedure of the organisation and its current workflow (none yet: undefined); undefined for an unknown slug. */
export async function procedureWorkflow(
  db: Executor,
  organisationId: number,
  slug: string,
): Promise<{ procedure: Procedure; workflow: WorkflowVersion | undefined } | undefined> {
  const procedure = await procedureRepository.findBySlug(db, organisationId, slug);
  return procedure ? { procedure, workflow: await workflowRepository.latest(db, procedure.id) } : undefined;
}

/**
 * Checks a definition against the organisation (departments, agents, the procedure's form) and
 * publishes it as the procedure's next version. Running cases keep their version.
 */
export async function publishWorkflow(
  db: Executor,
  organisationId: number,
  procedureSlug: string,
  definition: unknown,
  publishedBy: string,
): Promise<{ procedure: Procedure; workflow: WorkflowVersion }> {
  const procedure = await procedureRepository.findBySlug(db, organisationId, procedureSlug);
  if (!procedure) throw notFound(`Aucune démarche « ${procedureSlug} ».`);
  const [departments, agentEmails, templateSlugs] = await Promise.all([
    organisationRepository.listDepartments(db, organisationId),
    organisationRepository.listAgentEmails(db, organisationId),
    responseTemplateRepository.activeSlugs(db, organisationId),
  ]);
  const errors = checkWorkflowDefinition(definition, {
    departmentSlugs: departments.map((d) => d.slug),
    agentEmails,
    templateSlugs,
    formFieldNames: formFieldNames(procedure.form),
    formFields: procedure.form.pages.flatMap((page) => page.fields),
  });
  if (errors.length > 0) {
    throw invalid(
      errors.map((e) => ({ field: e.path === '' ? 'definition' : `definition.${e.path}`, code: 'invalid_workflow', message: e.message })),
      `${errors.length} erreur(s) dans la définition du circuit.`,
    );
  }
  const workflow = await workflowRepository.publish(db, procedure.id, definition as WorkflowDefinition, publishedBy, new Date().toISOString());
  forgetConfiguration();
  return { procedure, workflow };
}

/**
 * Names of a form's top-level fields: what conditions and `case.data.X` can refer to (a group's
 * fields live inside its items, not at the top of the data).
 */
export function formFieldNames(form: Procedure['form']): string[] {
  return form.pages.flatMap((page) => page.fields.map((field) => field.name));
}
