import type { Actor } from '../cases/journal.js';
import { caseRepository, type CaseView } from '../cases/repository.js';
import type { Db } from '../db/database.js';
import { transaction } from '../db/transaction.js';
import { AppError, invalid, notFound } from '../http/errors.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { routingRepository } from './repository.js';
import { decideRoute } from './rules.js';

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
      throw new AppError('version_conflict', 'Quelqu’un d’autre a modifié ce dossier depuis que vous l’avez ouvert. Rechargez-le pour voir ses changements.');
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
      const rules = await routingRepository.rulesFor(trx, request.organisationId, view.procedureId);
      const reception = await organisationRepository.findReception(trx, request.organisationId);
      const point = view.location?.lat != null && view.location.lon != null ? { lat: view.location.lat, lon: view.location.lon } : null;
      const fallback = reception?.id ?? view.department.id;
      const routed = decideRoute(rules, { data: view.data, point }, procedure?.departmentId ?? fallback, fallback);
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
