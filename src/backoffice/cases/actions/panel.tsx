import type { FastifyRequest } from 'fastify';
import type { CaseView } from '../../../cases/repository.js';
import type { AgentScope } from '../../policy.js';
import type { AgentSession } from '../../session.js';

/**
 * CONTRACT (owned by the case-actions module): what the case page shows of the actions on a case.
 * The case page calls `loadCaseActions` then renders `<CaseActionsPanel data={…} />`.
 */
export type CaseActionsData = { reference: string };

export async function loadCaseActions(_request: FastifyRequest, _session: AgentSession, _scope: AgentScope, view: CaseView): Promise<CaseActionsData> {
  return { reference: view.reference };
}

export function CaseActionsPanel(_props: { data: CaseActionsData }) {
  return null;
}
