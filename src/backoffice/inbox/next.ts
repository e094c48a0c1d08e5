import type { FastifyRequest } from 'fastify';
import { inboxRepository } from '../../cases/inbox-repository.js';
import type { AgentScope } from '../policy.js';
import type { AgentSession } from '../session.js';
import { resolveInboxQuery } from './service.js';

/**
 * CONTRACT (owned by the inbox module): the case after `reference` in the inbox list described by
 * `listQuery` (the inbox's query string, as the case page received it in `?liste=`), for the
 * "next case" triage shortcut; null at the end of the list, or when the list's query is not valid
 * any more (a department withdrawn from the agent meanwhile).
 */
export async function nextCaseReference(request: FastifyRequest, _session: AgentSession, scope: AgentScope, listQuery: string, reference: string): Promise<string | null> {
  const { db, config } = request.server.ctx;
  const query = await resolveInboxQuery(db.kysely, scope, config.TIMEZONE, new URLSearchParams(listQuery.slice(0, 2_000)));
  if (query.problems.length > 0) return null;
  const inboxScope = { organisationId: scope.organisationId, agentId: scope.agentId, departmentIds: scope.departmentIds };
  const cursor = await inboxRepository.cursorOf(db.kysely, db.dialect, inboxScope, query.filter, reference);
  if (!cursor) return null;
  const { rows } = await inboxRepository.page(db.kysely, db.dialect, inboxScope, query.filter, cursor, 1);
  return rows[0]?.reference ?? null;
}
