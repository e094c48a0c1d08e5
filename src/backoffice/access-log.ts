import type { FastifyRequest } from 'fastify';
import { transaction, type Executor } from '../db/transaction.js';
import type { AgentSession } from './session.js';

/** What an agent did with personal data. */
export type AccessAction =
  | 'view_case'
  | 'view_citizen'
  | 'search_citizens'
  | 'export_case'
  | 'download_attachment'
  | 'print_case'
  | 'view_call'
  /** The raw bytes of an item a channel received (a quarantined e-mail), downloaded by an admin. */
  | 'download_inbound'
  /** A page of the inbox (case lists show citizens' names). */
  | 'list_cases'
  /** Two citizen records merged into one, or a merge split back (one row per record). */
  | 'merge_citizens'
  | 'split_citizens';

export interface AccessEntry {
  action: AccessAction;
  citizenId?: number | null;
  caseId?: number | null;
  /** A short, non-sensitive precision (the search terms are not kept, only that a search ran). */
  detail?: string | null;
}

/**
 * Writes who displayed which personal data, and when (RGPD art. 5-2 and 32: accountability and
 * traceability of access). Every back-office page or download that shows a citizen's data calls
 * it before answering; a failure to write the log fails the request rather than showing data
 * untraced.
 */
export async function logAccess(request: FastifyRequest, session: AgentSession, entry: AccessEntry): Promise<void> {
  const { db } = request.server.ctx;
  const row = {
    organisationId: session.organisationId,
    agentId: session.agentId,
    action: entry.action,
    citizenId: entry.citizenId ?? null,
    caseId: entry.caseId ?? null,
    detail: entry.detail ?? null,
    ip: request.ip ?? null,
    now: new Date().toISOString(),
  };
  // On SQLite an insert on its own is a commit, an fsync that blocks the process: through
  // transaction() the entries of concurrent pages share one. PostgreSQL groups commits itself, and
  // a BEGIN/COMMIT pair would only add two round trips.
  if (db.dialect === 'sqlite') await transaction(db, (trx) => accessLogRepository.insert(trx, row));
  else await accessLogRepository.insert(db.kysely, row);
}

/**
 * The same entry, written inside the caller's transaction: for a change of personal data (a
 * merge, a split) that must not be committed without its trace, nor traced without happening.
 */
export async function logAccessWithin(db: Executor, request: FastifyRequest, session: AgentSession, entry: AccessEntry): Promise<void> {
  await accessLogRepository.insert(db, {
    organisationId: session.organisationId,
    agentId: session.agentId,
    action: entry.action,
    citizenId: entry.citizenId ?? null,
    caseId: entry.caseId ?? null,
    detail: entry.detail ?? null,
    ip: request.ip ?? null,
    now: new Date().toISOString(),
  });
}

export interface AccessLogRow {
  id: number;
  agentId: number;
  agentName: string;
  action: string;
  citizenId: number | null;
  caseId: number | null;
  caseReference: string | null;
  detail: string | null;
  ip: string | null;
  createdAt: string;
}

/** The access log's queries. */
export const accessLogRepository = {
  async insert(
    db: Executor,
    e: { organisationId: number; agentId: number; action: string; citizenId: number | null; caseId: number | null; detail: string | null; ip: string | null; now: string },
  ): Promise<void> {
    await db
      .insertInto('access_log')
      .values({ organisation_id: e.organisationId, agent_id: e.agentId, action: e.action, citizen_id: e.citizenId, case_id: e.caseId, detail: e.detail, ip: e.ip, created_at: e.now })
      .execute();
  },

  /** The latest entries, newest first, optionally about one citizen or by one agent. */
  async list(db: Executor, organisationId: number, f: { citizenId?: number; agentId?: number; beforeId?: number; limit: number }): Promise<AccessLogRow[]> {
    let q = db
      .selectFrom('access_log as l')
      .innerJoin('agents as a', 'a.id', 'l.agent_id')
      .leftJoin('cases as c', 'c.id', 'l.case_id')
      .select(['l.id', 'l.agent_id', 'a.display_name', 'l.action', 'l.citizen_id', 'l.case_id', 'c.reference', 'l.detail', 'l.ip', 'l.created_at'])
      .where('l.organisation_id', '=', organisationId);
    if (f.citizenId !== undefined) q = q.where('l.citizen_id', '=', f.citizenId);
    if (f.agentId !== undefined) q = q.where('l.agent_id', '=', f.agentId);
    if (f.beforeId !== undefined) q = q.where('l.id', '<', f.beforeId);
    const rows = await q.orderBy('l.id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      agentId: r.agent_id,
      agentName: r.display_name,
      action: r.action,
      citizenId: r.citizen_id,
      caseId: r.case_id,
      caseReference: r.reference,
      detail: r.detail,
      ip: r.ip,
      createdAt: r.created_at,
    }));
  },
};
