import type { FastifyRequest } from 'fastify';
import type { MergeAccess } from '../citizens/merge.js';
import type { AgentRoleTable } from '../db/schema.js';
import { AppError, notFound } from '../http/errors.js';
import type { WorkflowCaller } from '../workflow/service.js';
import type { WorkflowRole } from '../workflow/definition.js';
import { policyRepository } from './policy-repository.js';
import type { AgentSession } from './session.js';

/**
 * Who may see and do what in the back-office — the one place these rules live.
 *
 * - An **agent** handles the cases of the departments they belong to.
 * - A **manager** sees their departments *and their sub-departments*, with their indicators.
 * - An **admin** configures the organisation (admin pages); for cases an admin role on a
 *   department counts as a manager's.
 * - A case assigned to an agent stays visible to them wherever it is transferred.
 *
 * A case or citizen the agent may not see answers "not found", never revealing that it exists.
 * Roles are read from the database on every request (never cached): a withdrawn role takes
 * effect at once.
 */
export interface AgentScope {
  agentId: number;
  organisationId: number;
  /** Departments whose cases the agent sees (their own, plus sub-departments where they manage). */
  departmentIds: readonly number[];
  /** Departments where the agent is manager or admin (sub-departments included): indicators. */
  managedDepartmentIds: readonly number[];
  /** The agent's own roles, department by department. */
  roles: readonly { departmentId: number; role: AgentRoleTable['role'] }[];
  isAdmin: boolean;
  isManager: boolean;
}

const scopeCache = new WeakMap<FastifyRequest, Promise<AgentScope>>();

/** The scope of the signed-in agent of a request, computed once per request. */
export function scopeOf(request: FastifyRequest, session: AgentSession): Promise<AgentScope> {
  let scope = scopeCache.get(request);
  if (!scope) {
    scope = computeScope(request.server.ctx.db.kysely, session.agentId, session.organisationId);
    scopeCache.set(request, scope);
  }
  return scope;
}

/** The scope of an agent, outside of a request (jobs, SSE streams, tests). */
export async function computeScope(db: Parameters<typeof policyRepository.rolesOf>[0], agentId: number, organisationId: number): Promise<AgentScope> {
  const [roles, tree] = await Promise.all([policyRepository.rolesOf(db, agentId), policyRepository.departmentTree(db, organisationId)]);
  const known = new Set(tree.map((d) => d.id));
  const own = roles.filter((r) => known.has(r.departmentId));
  const children = new Map<number, number[]>();
  for (const d of tree) if (d.parentId !== null) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d.id]);
  const withDescendants = (id: number): number[] => [id, ...(children.get(id) ?? []).flatMap(withDescendants)];
  const managed = new Set(own.filter((r) => r.role !== 'agent').flatMap((r) => withDescendants(r.departmentId)));
  const visible = new Set([...own.map((r) => r.departmentId), ...managed]);
  return {
    agentId,
    organisationId,
    departmentIds: [...visible],
    managedDepartmentIds: [...managed],
    roles: own,
    isAdmin: own.some((r) => r.role === 'admin'),
    isManager: own.some((r) => r.role !== 'agent'),
  };
}

/** What the access rules need to know of a case. */
export interface CaseAccessFacts {
  organisationId: number;
  department: { id: number };
  assignedAgentId: number | null;
}

/** True when the agent may see (and handle) the case. */
export function canSeeCase(scope: AgentScope, c: CaseAccessFacts): boolean {
  if (c.organisationId !== scope.organisationId) return false;
  return scope.departmentIds.includes(c.department.id) || c.assignedAgentId === scope.agentId;
}

/** Asserts the agent may see the case; otherwise the case is simply not found. */
export function authorizeCase<C extends CaseAccessFacts>(scope: AgentScope, c: C | undefined, reference = ''): C {
  if (!c || !canSeeCase(scope, c)) throw notFound(reference ? `Aucun dossier ${reference}.` : undefined);
  return c;
}

/** The ids of the given cases the agent may see (bulk actions check access as a set). */
export function visibleCaseIds(scope: AgentScope, cases: readonly (CaseAccessFacts & { id: number })[]): number[] {
  return cases.filter((c) => canSeeCase(scope, c)).map((c) => c.id);
}

/** Asserts the agent is an admin of the organisation (configuration pages). */
export function authorizeAdmin(scope: AgentScope): void {
  if (!scope.isAdmin) throw new AppError('forbidden', 'Cette page est réservée aux administrateurs.');
}

/** Asserts the agent manages at least one department (indicators of a team). */
export function authorizeManager(scope: AgentScope): void {
  if (!scope.isManager) throw new AppError('forbidden', 'Cette page est réservée aux responsables de service.');
}

/**
 * Asserts the agent may work with citizen records — search, 360° view, duplicates: any agent
 * holding a role in the organisation (they register requests for anyone, so they must find
 * anyone), never an account whose roles were all withdrawn. What a 360° view shows of the cases
 * is still cut down by `canSeeCase`; merges are further limited by `citizenMergeAccess`.
 */
export function authorizeCitizenRecords(scope: AgentScope): void {
  if (scope.roles.length === 0) throw new AppError('forbidden', 'Votre compte n’a aucun rôle dans un service : demandez-en un à un administrateur.');
}

/**
 * Who may merge two citizen records, or split a merge back: managers and admins any record of the
 * organisation; any other agent only records whose every case they see (checked as a set, in SQL,
 * by `mergeableCitizens`). A merge hands every case of both records to one person — and to the
 * portal account of the kept record — so an agent must not move cases they could not read.
 */
export function citizenMergeAccess(scope: AgentScope): MergeAccess {
  return scope.isManager ? { everyRecord: true } : { everyRecord: false, departmentIds: scope.departmentIds, agentId: scope.agentId };
}

/** The workflow roles the agent holds on a case of this department, for `runTransition`. */
export function workflowRolesOn(scope: AgentScope, departmentId: number): WorkflowRole[] {
  const roles: WorkflowRole[] = ['agent'];
  if (scope.managedDepartmentIds.includes(departmentId)) roles.push('manager');
  if (scope.isAdmin) roles.push('admin');
  return roles;
}

/** The caller a workflow transition is made by, for the signed-in agent. */
export function workflowCallerOf(scope: AgentScope, session: AgentSession, departmentId: number): WorkflowCaller {
  return {
    organisationId: scope.organisationId,
    actor: { type: 'agent', id: String(scope.agentId) },
    roles: workflowRolesOn(scope, departmentId),
    name: session.name,
  };
}

/** Where a response template applies: a department, a procedure's department, or neither (everywhere). */
export interface TemplateScopeFacts {
  departmentId: number | null;
  procedureDepartmentId: number | null;
}

/** Every agent reads the templates of the organisation and of their departments (and their procedures'). */
export function canReadTemplate(scope: AgentScope, t: TemplateScopeFacts): boolean {
  const department = t.departmentId ?? t.procedureDepartmentId;
  return scope.isAdmin || department === null || scope.departmentIds.includes(department);
}

/**
 * Response templates are written by admins anywhere and by managers for the departments they
 * manage (and those departments' procedures); organisation-wide ones by admins only.
 */
export function canEditTemplate(scope: AgentScope, t: TemplateScopeFacts): boolean {
  if (scope.isAdmin) return true;
  const department = t.departmentId ?? t.procedureDepartmentId;
  return department !== null && scope.managedDepartmentIds.includes(department);
}

/** True when the agent may write templates somewhere (shows the « new template » button). */
export function canWriteTemplates(scope: AgentScope): boolean {
  return scope.isAdmin || scope.isManager;
}

/** Asserts the agent may write this template. */
export function authorizeTemplateEdit(scope: AgentScope, t: TemplateScopeFacts): void {
  if (!canEditTemplate(scope, t)) throw new AppError('forbidden', 'Seuls les responsables du service concerné et les administrateurs modifient ce modèle.');
}

/** Asserts the agent may write templates somewhere (the « new template » page). */
export function authorizeTemplateWriter(scope: AgentScope): void {
  if (!canWriteTemplates(scope)) throw new AppError('forbidden', 'Seuls les responsables de service et les administrateurs écrivent des modèles de réponse.');
}
