import type { Actor } from '../cases/journal.js';
import { caseRepository, type CaseView } from '../cases/repository.js';
import type { Db } from '../db/database.js';
import { transaction } from '../db/transaction.js';
import { AppError, invalid, notFound } from '../http/errors.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { routingRepository } from './repository.js';
import { cachedConfiguration } from '../configuration/cache.js';
import type { Executor } from '../db/transaction.js';
import type { Department } from '../organisations/repository.js';
import { decideRoute, type RoutingDecision } from './rules.js';

/** What routing looks at: the case's form data and its point, if located. */
export interface RoutingSubject {
  data: Record<string, unknown>;
  location: { lat: number | null; lon: number | null } | null;
}

/**
 * Routes a case, at intake and when it is routed again: the procedure's rules in order, then the
 * procedure's owning department, then the reception desk. The town's configuration is read through
 * the per-process cache.
 */
export async function routeCase(
  db: Executor,
  organisationId: number,
  procedure: { id: number; departmentId: number } | null,
  subject: RoutingSubject,
): Promise<{ department: Department; decision: RoutingDecision; sector: string | null }> {
  const procedureId = procedure?.id ?? null;
  const rules = await cachedConfiguration(db, `rules:${organisationId}:${procedureId}`, () => routingRepository.rulesFor(db, organisationId, procedureId));
  const reception = await cachedConfiguration(db, `reception:${organisationId}`, () => organisationRepository.findReception(db, organisationId));
  const point = subject.location && subject.location.lat !== null && subject.location.lon !== null ? { lat: subject.location.lat, lon: subject.location.lon } : null;
  const owner = procedure?.departmentId ?? reception?.id;
  if (owner === undefined) throw new Error(`organisation ${organisationId} has no reception department to route to`);
  const decision = decideRoute(rules, { data: subject.data, point }, owner, reception?.id ?? owner);
  const department = await cachedConfiguration(db, `department:${decision.departmentId}`, () => organisationRepository.findDepartment(db, decision.departmentId));
  if (!department) throw new Error(`routing chose department ${decision.departmentId}, which does not exist`);
  // A rule drawn on the map names a sector (« Quartier des Tilleuls »): the inbox filters by it.
  const sector = decision.by === 'rule' && rules.find((r) => r.id === decision.rule.id)?.sector ? decision.rule.name : null;
  return { department, decision, sector };
}

export interface TransferRequest {
  organisationId: number;
  reference: string;
  actor: Actor;
  /** The department chosen by a person (a manual override); absent: the routing rules decide again. */
  departmentId?: number;
  reason: string;
  expectedVersion?: number;
}

/**
 * Hands a case to another department: to the one a person chose (recorded as manual), or to the
 * one the routing rules pick now (they may have changed since intake, or the case's data).
 * The assignment to an agent is dropped: the new department's inbox takes it.
 */
export async function transferCase(db: Db, request: TransferRequest): Promise<CaseView> {
  return transaction(db, async (trx) => {
    const view = await caseRepository.findByReference(trx, request.organisationId, request.reference);
    if (!view) throw notFound(`Aucun dossier ${request.reference}.`);
    if (request.expectedVersion !== undefined && request.expectedVersion !== view.version) {
      throw new AppError('version_conflict');
    }
    let decision: { departmentId: number; by: string; rule: string | null };
    if (request.departmentId !== undefined) {
      const target = await organisationRepository.findDepartment(trx, request.departmentId);
      if (!target || target.organisationId !== request.organisationId) {
        throw invalid([{ field: 'department', code: 'unknown_department', message: 'Ce service n’existe pas dans votre collectivité.' }]);
      }
      decision = { departmentId: target.id, by: 'manual', rule: null };
    } else {
      const procedure = view.procedureId !== null ? await procedureRepository.findById(trx, view.procedureId) : undefined;
      const { decision: routed } = await routeCase(trx, request.organisationId, procedure ?? null, { data: view.data, location: view.location });
      decision = { departmentId: routed.departmentId, by: routed.by, rule: routed.by === 'rule' ? routed.rule.name : null };
    }
    if (decision.departmentId === view.department.id) {
      throw new AppError('transition_not_available', 'Le dossier est déjà dans ce service.');
    }
    const now = new Date().toISOString();
    const changed = await caseRepository.applyChange(trx, view.id, view.version, { departmentId: decision.departmentId, assignedAgentId: null }, now);
    if (!changed) throw new AppError('version_conflict');
    const payload = { from: view.department.id, to: decision.departmentId, by: decision.by, rule: decision.rule, reason: request.reason };
    await caseRepository.appendJournal(trx, view.id, view.reference, [{ type: 'case.transferred', actor: request.actor, payload }], now);
    await caseRepository.enqueueOutbox(trx, 'case.transferred', view.id, { reference: view.reference, ...payload }, now);
    const updated = await caseRepository.findById(trx, view.id);
    return updated!;
  });
}
