import type { FastifyRequest } from 'fastify';
import { caseRepository, type CaseView } from '../../cases/repository.js';
import { authorizeCase, scopeOf, type AgentScope } from '../policy.js';
import type { AgentSession } from '../session.js';

/** A case the signed-in agent may handle, with their scope. */
export interface AgentCase {
  view: CaseView;
  scope: AgentScope;
}

/**
 * Loads a case by reference for the signed-in agent: another organisation's or another
 * department's case is "not found" (never "forbidden": its existence is not revealed).
 */
export async function loadCaseForAgent(request: FastifyRequest, session: AgentSession, reference: string): Promise<AgentCase> {
  const scope = await scopeOf(request, session);
  const found = await caseRepository.findByReference(request.server.ctx.db.kysely, session.organisationId, reference);
  return { view: authorizeCase(scope, found, reference), scope };
}
