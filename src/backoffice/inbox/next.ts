import type { FastifyRequest } from 'fastify';
import type { AgentScope } from '../policy.js';
import type { AgentSession } from '../session.js';

/**
 * CONTRACT (owned by the inbox module): the case after `reference` in the inbox list described by
 * `listQuery` (the inbox's query string, as the case page received it in `?liste=`), for the
 * "next case" triage shortcut; null at the end of the list.
 */
export async function nextCaseReference(_request: FastifyRequest, _session: AgentSession, _scope: AgentScope, _listQuery: string, _reference: string): Promise<string | null> {
  return null;
}
