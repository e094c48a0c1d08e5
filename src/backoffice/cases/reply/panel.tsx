import type { FastifyRequest } from 'fastify';
import type { CaseView } from '../../../cases/repository.js';
import type { AgentScope } from '../../policy.js';
import type { AgentSession } from '../../session.js';

/**
 * CONTRACT (owned by the reply module): the reply box of the case page (reply on the citizen's
 * channel with a template, request missing information). The case page calls `loadReplyPanel`
 * then renders `<ReplyPanel data={…} />`; its container has id `reponse` (the "r" shortcut).
 */
export type ReplyPanelData = { reference: string };

export async function loadReplyPanel(_request: FastifyRequest, _session: AgentSession, _scope: AgentScope, view: CaseView): Promise<ReplyPanelData> {
  return { reference: view.reference };
}

export function ReplyPanel(_props: { data: ReplyPanelData }) {
  return null;
}
