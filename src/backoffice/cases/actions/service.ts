import { storeAttachment, type AttachmentDeps } from '../../../attachments/service.js';
import type { Actor } from '../../../cases/journal.js';
import { caseRepository, type CaseView } from '../../../cases/repository.js';
import type { Db } from '../../../db/database.js';
import { transaction } from '../../../db/transaction.js';
import { AppError, invalid, type FieldError } from '../../../http/errors.js';
import { organisationRepository } from '../../../organisations/repository.js';
import { transferCase } from '../../../routing/service.js';
import type { StatusCategory } from '../../../workflow/definition.js';
import { statusOf } from '../../../workflow/engine.js';
import { workflowRepository } from '../../../workflow/repository.js';
import { runTransition, type WorkflowDeps } from '../../../workflow/service.js';
import { mentionRepository } from '../../mentions/repository.js';
import { canSeeCase, workflowCallerOf, type AgentScope } from '../../policy.js';
import type { AgentSession } from '../../session.js';
import { caseActionsRepository, type AgentChoice, type RecentChange } from './repository.js';

/**
 * The actions an agent takes on one case from its page: take, assign, transfer, run a workflow
 * transition, write an internal note with mentions, attach a document, merge a duplicate.
 * Each one is version-checked against what the agent saw (`version` of their form), changes the
 * case and writes its journal entry in one transaction, or writes nothing.
 */
export interface ActionDeps extends WorkflowDeps {
  attachments: AttachmentDeps;
}

/** The signed-in agent doing the action, with their scope. */
export interface ActionAgent {
  session: AgentSession;
  scope: AgentScope;
}

/** Longest internal note and transfer reason kept in the journal. */
export const MAX_NOTE_LENGTH = 5_000;
export const MAX_REASON_LENGTH = 1_000;
/** The outcome a duplicate is closed with. */
export const DUPLICATE_OUTCOME = 'duplicate';

const actorOf = (agent: ActionAgent): Actor => ({ type: 'agent', id: String(agent.session.agentId) });

/** Reads the version a form carried; a form without one cannot be checked, so it is refused. */
export function parseVersion(raw: unknown): number {
  const version = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(version) || version < 1) throw new AppError('bad_request', 'La version du dossier manque au formulaire : rechargez la page et recommencez.');
  return version;
}

/** Refuses an action made on a stale page before anything else is looked at. */
function checkVersion(view: CaseView, version: number): void {
  if (view.version !== version) throw new AppError('version_conflict');
}

/** Writes a change of the case and its journal events, or refuses it when the case moved on. */
async function change(db: Db, view: CaseView, version: number, patch: Parameters<typeof caseRepository.applyChange>[3], events: { type: string; actor: Actor; payload: Record<string, unknown> }[], then?: (trx: Parameters<Parameters<typeof transaction>[1]>[0], now: string) => Promise<void>) {
  await transaction(db, async (trx) => {
    const now = new Date().toISOString();
    if (!(await caseRepository.applyChange(trx, view.id, version, patch, now))) throw new AppError('version_conflict');
    await caseRepository.appendJournal(trx, view.id, view.reference, events, now);
    if (then) await then(trx, now);
  });
}

/** « Prendre le dossier »: assigns the case to the agent themselves. */
export async function takeCase(deps: ActionDeps, agent: ActionAgent, view: CaseView, version: number): Promise<void> {
  checkVersion(view, version);
  if (view.closedAt !== null) throw invalid([{ field: 'take', code: 'closed', message: 'Ce dossier est clos : il ne peut plus être pris en charge.' }]);
  if (view.assignedAgentId === agent.session.agentId) return;
  await change(deps.db, view, version, { assignedAgentId: agent.session.agentId }, [
    { type: 'case.assigned', actor: actorOf(agent), payload: { agentId: agent.session.agentId, agentName: agent.session.name, previousAgentId: view.assignedAgentId, by: 'agent' } },
  ]);
}

/** Assigns the case to an agent of its department, or to nobody (`agentId` null). */
export async function assignCase(deps: ActionDeps, agent: ActionAgent, view: CaseView, version: number, rawAgentId: string): Promise<void> {
  checkVersion(view, version);
  const candidates = await caseActionsRepository.departmentAgents(deps.db.kysely, view.department.id);
  let target: AgentChoice | null = null;
  if (rawAgentId !== '') {
    target = candidates.find((c) => String(c.id) === rawAgentId) ?? null;
    if (!target) throw invalid([{ field: 'agent', code: 'unknown_agent', message: `Choisissez un agent du service ${view.department.name}, ou « Personne ».` }]);
  }
  const agentId = target?.id ?? null;
  if (agentId === view.assignedAgentId) return;
  await change(deps.db, view, version, { assignedAgentId: agentId }, [
    { type: 'case.assigned', actor: actorOf(agent), payload: { agentId, agentName: target?.name ?? null, previousAgentId: view.assignedAgentId, by: 'agent' } },
  ]);
}

/**
 * Hands the case to another department with a reason the journal keeps (the receiving department
 * reads it in the timeline). The assignment is dropped; the agent may then no longer see it.
 */
export async function transferToDepartment(
  deps: ActionDeps,
  agent: ActionAgent,
  view: CaseView,
  version: number,
  input: { departmentId: string; reason: string },
): Promise<{ departmentName: string; stillVisible: boolean }> {
  checkVersion(view, version);
  const errors: FieldError[] = [];
  const departments = await organisationRepository.listDepartments(deps.db.kysely, view.organisationId);
  const target = departments.find((d) => String(d.id) === input.departmentId);
  if (!target) errors.push({ field: 'department', code: 'required', message: 'Choisissez le service qui reprend le dossier.' });
  else if (target.id === view.department.id) errors.push({ field: 'department', code: 'same_department', message: `Le dossier est déjà au service ${target.name} : choisissez un autre service.` });
  const reason = input.reason.trim();
  if (reason === '') errors.push({ field: 'reason', code: 'required', message: 'Indiquez le motif du transfert : le service qui reçoit le dossier le lira.' });
  else if (reason.length > MAX_REASON_LENGTH) errors.push({ field: 'reason', code: 'too_long', message: `Le motif ne doit pas dépasser ${MAX_REASON_LENGTH} caractères.` });
  if (errors.length > 0 || !target) throw invalid(errors);
  const updated = await transferCase(deps.db, { organisationId: view.organisationId, reference: view.reference, actor: actorOf(agent), departmentId: target.id, reason, expectedVersion: version });
  return { departmentName: target.name, stillVisible: canSeeCase(agent.scope, updated) };
}

/**
 * Runs a workflow transition with the inputs typed in its form. Files of `document` inputs are
 * stored first and cited by id; if the transition fails they are forgotten.
 */
export async function transitionCase(
  deps: ActionDeps,
  agent: ActionAgent,
  view: CaseView,
  version: number,
  input: { name: string; values: Record<string, string>; files: Record<string, { filename: string; bytes: Buffer }[]> },
): Promise<void> {
  checkVersion(view, version);
  const inputs: Record<string, unknown> = {};
  // An empty optional field is no answer at all (HTML forms send every field).
  for (const [name, value] of Object.entries(input.values)) if (value.trim() !== '') inputs[name] = value;
  const stored: string[] = [];
  try {
    for (const [name, files] of Object.entries(input.files)) {
      for (const file of files) {
        try {
          const row = await storeAttachment(deps.attachments, view.organisationId, file.bytes, file.filename);
          stored.push(row.id);
          inputs[name] = [...((inputs[name] as string[] | undefined) ?? []), row.id];
        } catch (error) {
          if (error instanceof AppError) throw invalid([{ field: `inputs.${name}`, code: error.code, message: `${file.filename} : ${error.message}` }]);
          throw error;
        }
      }
    }
    await runTransition(deps, workflowCallerOf(agent.scope, agent.session, view.department.id), { reference: view.reference, name: input.name, inputs, expectedVersion: version });
  } catch (error) {
    for (const id of stored) await caseActionsRepository.deleteUnlinkedAttachment(deps.db.kysely, id);
    throw error instanceof AppError && error.code === 'validation_failed' ? await labelled(deps.db, view, input.name, error) : error;
  }
}

/** Names the field in each message of a refused transition (« Motif : ce champ est obligatoire »). */
async function labelled(db: Db, view: CaseView, transitionName: string, error: AppError): Promise<AppError> {
  const workflow = view.workflowId !== null ? await workflowRepository.byId(db.kysely, view.workflowId) : undefined;
  const inputs = workflow?.definition.transitions.find((t) => t.name === transitionName)?.inputs ?? [];
  return invalid(
    error.errors.map((e) => {
      const label = inputs.find((i) => e.field === `inputs.${i.name}` || e.field.startsWith(`inputs.${i.name}.`) || e.field.startsWith(`inputs.${i.name}[`))?.label;
      return label && !e.message.startsWith(label) ? { ...e, message: `${label} : ${e.message}` } : e;
    }),
    error.message,
  );
}

/** Finds `@prenom.nom` handles in a note (not the middle of an e-mail address). */
const HANDLE = /(?<![\p{L}\p{N}._-])@([\p{L}\p{N}][\p{L}\p{N}._-]*[\p{L}\p{N}])/gu;

/** The handle colleagues type to mention an agent: « Élise Martin » → `elise.martin`. */
export function handleOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
}

/**
 * The agents a note mentions, from `@handles` in its text (an agent's handle is their name as
 * `prenom.nom`, or the part of their e-mail address before the @) and from the agents picked in
 * the list. An unknown handle is an error rather than a silent miss.
 */
export function resolveMentions(text: string, picked: readonly string[], agents: readonly AgentChoice[]): { ids: number[]; errors: FieldError[] } {
  const ids = new Set<number>();
  const errors: FieldError[] = [];
  for (const match of text.matchAll(HANDLE)) {
    const handle = match[1]!.toLowerCase();
    const found = agents.filter((a) => handleOf(a.name) === handle || a.email.split('@')[0]!.toLowerCase() === handle);
    if (found.length === 1) ids.add(found[0]!.id);
    else if (found.length > 1) errors.push({ field: 'text', code: 'ambiguous_mention', message: `@${handle} désigne plusieurs agents : choisissez la bonne personne dans la liste « Mentionner ».` });
    else errors.push({ field: 'text', code: 'unknown_mention', message: `@${handle} ne correspond à aucun agent de la collectivité : vérifiez l’orthographe ou choisissez la personne dans la liste.` });
  }
  for (const raw of picked) {
    const found = agents.find((a) => String(a.id) === raw);
    if (found) ids.add(found.id);
    else errors.push({ field: 'mentions', code: 'unknown_agent', message: 'Une personne choisie dans la liste « Mentionner » n’existe plus.' });
  }
  return { ids: [...ids], errors };
}

/**
 * An internal note, never shown to the citizen (the portal's timeline lists only the events it
 * knows). Mentioned colleagues find it in « Mes mentions ».
 */
export async function addNote(deps: ActionDeps, agent: ActionAgent, view: CaseView, version: number, input: { text: string; mentions: string[] }): Promise<void> {
  checkVersion(view, version);
  const text = input.text.trim();
  const errors: FieldError[] = [];
  if (text === '') errors.push({ field: 'text', code: 'required', message: 'Écrivez le texte de la note.' });
  else if (text.length > MAX_NOTE_LENGTH) errors.push({ field: 'text', code: 'too_long', message: `La note ne doit pas dépasser ${MAX_NOTE_LENGTH} caractères.` });
  const agents = await caseActionsRepository.organisationAgents(deps.db.kysely, view.organisationId);
  const mentions = resolveMentions(text, input.mentions, agents);
  errors.push(...mentions.errors);
  if (errors.length > 0) throw invalid(errors);
  await change(deps.db, view, version, {}, [{ type: 'note_added', actor: actorOf(agent), payload: { text, mentions: mentions.ids } }], async (trx, now) => {
    const seq = await caseActionsRepository.lastJournalSeq(trx, view.id);
    const rows = mentions.ids.filter((id) => id !== agent.session.agentId).map((agentId) => ({ agentId, caseId: view.id, journalSeq: seq, authorAgentId: agent.session.agentId }));
    await mentionRepository.insert(trx, rows, now);
  });
}

/** A document an agent adds to the case (a scanned letter, a photo taken on site). */
export async function attachDocument(deps: ActionDeps, agent: ActionAgent, view: CaseView, version: number, file: { filename: string; bytes: Buffer } | null): Promise<void> {
  checkVersion(view, version);
  if (!file) throw invalid([{ field: 'document', code: 'required', message: 'Choisissez le fichier à joindre (PDF ou image).' }]);
  let stored;
  try {
    stored = await storeAttachment(deps.attachments, view.organisationId, file.bytes, file.filename);
  } catch (error) {
    if (error instanceof AppError) throw invalid([{ field: 'document', code: error.code, message: `${file.filename} : ${error.message}` }]);
    throw error;
  }
  try {
    await change(deps.db, view, version, {}, [
      { type: 'attachment_added', actor: actorOf(agent), payload: { attachmentId: stored.id, filename: stored.filename, mimeType: stored.mimeType, size: stored.size } },
    ], async (trx) => {
      if (!(await caseActionsRepository.linkAttachment(trx, stored.id, view.id))) throw new Error('a fresh upload was already linked');
    });
  } catch (error) {
    await caseActionsRepository.deleteUnlinkedAttachment(deps.db.kysely, stored.id);
    throw error;
  }
}

/**
 * Merges this case, a duplicate, into another the agent can see: the duplicate is closed (in
 * its workflow's « doublon » or other closed-without-action status when it has one) with the
 * outcome `duplicate`, and both journals say so; the kept case's journal lists the duplicate's
 * attachments and messages so its page can reach them. The duplicate's citizen is told nothing.
 */
export async function mergeInto(deps: ActionDeps, agent: ActionAgent, view: CaseView, version: number, rawReference: string): Promise<{ keptReference: string }> {
  checkVersion(view, version);
  const reference = rawReference.trim().toUpperCase();
  const fail = (message: string) => invalid([{ field: 'reference', code: 'merge_refused', message }]);
  if (reference === '') throw fail('Indiquez la référence du dossier à conserver.');
  if (reference === view.reference.toUpperCase()) throw fail('Un dossier ne peut pas être fusionné avec lui-même : indiquez la référence de l’autre dossier.');
  if (view.closedAt !== null) throw fail('Ce dossier est déjà clos : il ne peut plus être fusionné.');
  const kept = await caseRepository.findByReference(deps.db.kysely, view.organisationId, reference);
  // Another organisation's reference, or a case the agent may not see, is simply unknown here.
  if (!kept || !canSeeCase(agent.scope, kept)) throw fail(`Aucun dossier ${reference} parmi ceux de votre collectivité auxquels vous avez accès.`);
  if (kept.closedAt !== null) throw fail(`Le dossier ${kept.reference} est clos : on ne fusionne pas un doublon dans un dossier clos.`);
  const closing = await duplicateStatus(deps.db, view);
  const actor = actorOf(agent);
  await transaction(deps.db, async (trx) => {
    const now = new Date().toISOString();
    const contents = await caseActionsRepository.contentsOf(trx, view.id);
    const patch = { closedAt: now, outcome: DUPLICATE_OUTCOME, ...(closing ? { status: closing, statusEnteredAt: now } : {}) };
    if (!(await caseRepository.applyChange(trx, view.id, version, patch, now))) throw new AppError('version_conflict');
    if (!(await caseRepository.applyChange(trx, kept.id, kept.version, {}, now))) throw new AppError('version_conflict');
    await caseRepository.endOpenPauses(trx, view.id, now);
    await caseRepository.appendJournal(trx, view.id, view.reference, [{ type: 'case.merged_into', actor, payload: { into: kept.reference, intoId: kept.id, fromStatus: view.status, toStatus: closing ?? view.status } }], now);
    await caseRepository.appendJournal(trx, kept.id, kept.reference, [{ type: 'case.merged_from', actor, payload: { from: view.reference, fromId: view.id, ...contents } }], now);
  });
  return { keptReference: kept.reference };
}

/** A closed status of the duplicate's workflow that fits a duplicate, if it has one. */
async function duplicateStatus(db: Db, view: CaseView): Promise<string | null> {
  if (view.workflowId === null) return null;
  const workflow = await workflowRepository.byId(db.kysely, view.workflowId);
  if (!workflow) return null;
  const closedWithoutAction = workflow.definition.statuses.filter((s) => s.category === ('closed_without_action' satisfies StatusCategory));
  return (closedWithoutAction.find((s) => /doublon|duplicate/i.test(`${s.id} ${s.label}`)) ?? closedWithoutAction[0])?.id ?? null;
}

/**
 * What the agent is told when their form was stale: who changed the case last, when, and what.
 * « Ce dossier a été modifié par Élise Martin à 10 h 42 pendant que vous le consultiez : … ».
 */
export async function describeConflict(db: Db, timezone: string, caseId: number, seenVersion: number | null): Promise<string> {
  const current = await caseRepository.findById(db.kysely, caseId);
  if (!current) return 'Ce dossier a été modifié pendant que vous le consultiez. Vos modifications n’ont pas été enregistrées ; vérifiez puis recommencez.';
  const changes = await caseActionsRepository.latestChange(db.kysely, caseId, current.updatedAt);
  const author = changes.find((c) => c.actorType === 'agent') ?? changes[0];
  const who = !author ? 'quelqu’un' : author.actorType === 'agent' ? (author.actorName ?? 'un agent') : author.actorType === 'citizen' ? 'l’usager' : author.actorType === 'integration' ? 'un logiciel connecté' : 'le système';
  const time = new Intl.DateTimeFormat('fr-FR', { timeZone: timezone, hour: '2-digit', minute: '2-digit' }).format(new Date(current.updatedAt)).replace(':', ' h ');
  const statusLabel = await statusLabeller(db, current.workflowId);
  const whats = [...new Set(changes.map((c) => describeChange(c, statusLabel)))];
  const more = seenVersion !== null && current.version - seenVersion > 1 ? ` (et ${current.version - seenVersion - 1} autre(s) modification(s) avant)` : '';
  return `Ce dossier a été modifié par ${who} à ${time} pendant que vous le consultiez : ${whats.length > 0 ? whats.join(', ') : 'mise à jour du dossier'}${more}. Vos modifications n’ont pas été enregistrées ; vérifiez puis recommencez.`;
}

async function statusLabeller(db: Db, workflowId: number | null): Promise<(id: string) => string> {
  const workflow = workflowId !== null ? await workflowRepository.byId(db.kysely, workflowId) : undefined;
  return (id) => {
    if (!workflow) return id;
    try {
      return statusOf(workflow.definition, id).label;
    } catch {
      return id;
    }
  };
}

function describeChange(change: RecentChange, statusLabel: (id: string) => string): string {
  const p = change.payload;
  switch (change.type) {
    case 'status.changed':
      return `statut passé à « ${statusLabel(String(p['to'] ?? ''))} »`;
    case 'case.assigned':
      return p['agentId'] === null || p['agentId'] === undefined ? 'dossier remis sans attribution' : `dossier attribué à ${typeof p['agentName'] === 'string' ? p['agentName'] : 'un agent'}`;
    case 'case.transferred':
      return 'dossier transféré à un autre service';
    case 'note_added':
      return 'note interne ajoutée';
    case 'attachment_added':
      return 'document joint';
    case 'case.merged_into':
    case 'case.merged_from':
      return 'fusion de dossiers';
    case 'message.out':
    case 'message.in':
    case 'information.requested':
      return 'message échangé avec l’usager';
    default:
      return 'mise à jour du dossier';
  }
}
