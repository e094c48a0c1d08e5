/**
 * Everything the agents' case page (and its print view and PDF export) shows, loaded once: the
 * case with its workflow labels, deadlines, citizen, answers with the form's labels, files, the
 * timeline. Access is decided before (`loadCaseForAgent`); this only reads.
 */
import type { FastifyRequest } from 'fastify';
import { citizenProfile, householdMembers, type CitizenProfile, type HouseholdMember } from '../../../citizens/profile.js';
import { caseRepository, type CaseView } from '../../../cases/repository.js';
import { urgencyOf, type Urgency } from '../../../cases/urgency.js';
import { configurationLookups } from '../../../configuration/lookups.js';
import type { Executor } from '../../../db/transaction.js';
import { isVisible } from '../../../procedures/form/conditions.js';
import type { Field } from '../../../procedures/form/definition.js';
import type { Procedure } from '../../../procedures/repository.js';
import type { WorkflowDefinition } from '../../../workflow/definition.js';
import type { AgentScope } from '../../policy.js';
import { casePageRepository, type CaseAttachment } from '../repository.js';
import { agentIdsOf, buildTimeline, mergedFilesOf, type TimelineEntry } from '../timeline.js';

export interface CaseCitizen {
  id: number;
  name: string;
  assurance: CitizenProfile['identityAssurance'];
  email: string | null;
  phone: string | null;
  address: string | null;
}

export interface CasePageModel {
  view: CaseView;
  scope: AgentScope;
  timezone: string;
  status: { label: string; closed: boolean };
  assignedAgent: string | null;
  urgency: Urgency;
  /** The open wait for the citizen, if any: since when. */
  waitingSince: string | null;
  /** The legal silence date with its regime, while it can still be born. */
  silence: { at: string; regime: 'accept' | 'reject' } | null;
  /** The recorded implicit decision, once born. */
  implicitDecision: { regime: 'accept' | 'reject'; recordedAt: string } | null;
  citizen: CaseCitizen | null;
  answers: { fields: Field[]; values: Record<string, unknown>; householdMembers: HouseholdMember[]; uploads: Map<string, CaseAttachment> } | null;
  attachments: CaseAttachment[];
  timeline: TimelineEntry[];
}

/**
 * A file the agent may fetch through this case: its own, or one of a duplicate merged into it;
 * undefined otherwise (another case's file is as unknown as a made-up id).
 */
export async function caseFileFor(db: Executor, view: CaseView, attachmentId: string): Promise<CaseAttachment | undefined> {
  const own = await casePageRepository.attachment(db, view.id, attachmentId);
  if (own) return own;
  const merged = mergedFilesOf(await caseRepository.listJournal(db, view.id));
  return merged.has(attachmentId) ? (await casePageRepository.attachmentsByIds(db, view.organisationId, [attachmentId]))[0] : undefined;
}

/** The case page's model for a case the agent may see. */
export async function loadCasePageModel(request: FastifyRequest, scope: AgentScope, view: CaseView): Promise<CasePageModel> {
  const db = request.server.ctx.db.kysely;
  const timezone = request.server.ctx.config.TIMEZONE;
  const [journal, messages, ownAttachments, pauses, departments, procedure, workflow, profile] = await Promise.all([
    caseRepository.listJournal(db, view.id),
    casePageRepository.messages(db, view.id),
    casePageRepository.attachments(db, view.id),
    caseRepository.listPauses(db, view.id),
    configurationLookups.departments(db, view.organisationId).then((all) => new Map(all.map((d) => [d.id, d.name]))),
    view.procedureId !== null ? configurationLookups.procedure(db, view.procedureId) : Promise.resolve(undefined),
    view.workflowId !== null ? workflowOf(db, view.workflowId) : Promise.resolve(null),
    view.citizenId !== null ? citizenProfile(db, view.citizenId) : Promise.resolve(undefined),
  ]);
  const merged = mergedFilesOf(journal);
  const [agents, mergedFiles] = await Promise.all([
    casePageRepository.agentNames(db, view.organisationId, [...agentIdsOf(journal), ...(view.assignedAgentId !== null ? [view.assignedAgentId] : [])]),
    casePageRepository.attachmentsByIds(db, view.organisationId, [...merged.keys()]),
  ]);
  const own = new Set(ownAttachments.map((a) => a.id));
  const attachments = [...ownAttachments, ...mergedFiles.filter((f) => !own.has(f.id)).map((f) => ({ ...f, fromReference: merged.get(f.id) ?? '' }))];
  const status = workflow?.statuses.find((s) => s.id === view.status);
  const regime = procedure && procedure.silence.regime !== 'none' ? procedure.silence.regime : null;
  return {
    view,
    scope,
    timezone,
    status: { label: status?.label ?? (view.closedAt ? 'Clos' : (STATUS_WITHOUT_WORKFLOW[view.status] ?? view.status)), closed: view.closedAt !== null },
    assignedAgent: view.assignedAgentId !== null ? (agents.get(view.assignedAgentId) ?? `agent n° ${view.assignedAgentId}`) : null,
    urgency: urgencyOf(view),
    waitingSince: view.closedAt === null ? (pauses.find((p) => p.to === null)?.from ?? null) : null,
    silence: regime && view.implicitDecisionAt && view.closedAt === null && !view.implicitDecisionRecordedAt ? { at: view.implicitDecisionAt, regime } : null,
    implicitDecision: regime && view.implicitDecisionRecordedAt ? { regime, recordedAt: view.implicitDecisionRecordedAt } : null,
    citizen: profile ? citizenOf(profile) : null,
    answers: await answersOf(db, view, procedure, profile, ownAttachments),
    attachments,
    timeline: buildTimeline({ journal, messages, attachments, agents, departments, workflow, timezone }),
  };
}

async function workflowOf(db: Executor, workflowId: number): Promise<WorkflowDefinition | null> {
  return (await configurationLookups.workflowVersion(db, workflowId))?.definition ?? null;
}

function citizenOf(p: CitizenProfile): CaseCitizen {
  const last = p.usageName || p.birthName;
  // « M. » takes its full stop in French; the record stores « M ».
  const name = [p.civility === 'M' ? 'M.' : p.civility, p.firstNames, last, p.usageName && p.birthName && p.usageName !== p.birthName ? `(née ou né ${p.birthName})` : null].filter(Boolean).join(' ');
  const address = p.address ? [p.address.line1, p.address.line2, `${p.address.postcode} ${p.address.city}`].filter(Boolean).join(', ') : null;
  return { id: p.id, name: name || 'Usager sans nom connu', assurance: p.identityAssurance, email: p.email, phone: p.phone, address };
}

/**
 * The answers as `AnswerList` shows them: the fields of the pages the answers showed, the values,
 * the household members a field may name and the files a file field cites.
 */
async function answersOf(db: Executor, view: CaseView, procedure: Procedure | undefined, profile: CitizenProfile | undefined, files: CaseAttachment[]): Promise<CasePageModel['answers']> {
  if (!procedure) return null;
  const fields = procedure.form.pages.filter((page) => !page.visibleWhen || isVisible(page.visibleWhen, view.data)).flatMap((page) => page.fields);
  const namesMember = fields.some((f) => f.type === 'householdMember' || (f.type === 'group' && f.fields.some((g) => g.type === 'householdMember')));
  return {
    fields,
    values: view.data,
    householdMembers: namesMember && profile?.householdId ? await householdMembers(db, profile.householdId) : [],
    uploads: new Map(files.map((f) => [f.id, f])),
  };
}

/** A case without workflow keeps the intake's status ids. */
const STATUS_WITHOUT_WORKFLOW: Record<string, string> = { new: 'Nouvelle demande' };

export const ASSURANCE_LABEL: Record<CitizenProfile['identityAssurance'], string> = {
  declared: 'Identité déclarée par l’usager (non vérifiée)',
  franceconnect: 'Identité certifiée par FranceConnect',
  counter: 'Identité vérifiée au guichet sur pièce',
};
