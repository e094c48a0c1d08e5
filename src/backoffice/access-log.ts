import type { FastifyRequest } from 'fastify';
import { transaction, type Executor } from '../db/transaction.js';
import type { TokenPrincipal } from '../tokens/service.js';
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
  | 'split_citizens'
  /** A phone number confirmed by the agent (ADR 0002): the screen pop names the citizen from it. */
  | 'verify_contact';

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
  await write(request, session.organisationId, { agentId: session.agentId, apiTokenId: null }, [entry]);
}

/**
 * The same trace for an integration reading personal data through the API: the actor is its
 * token (id, and through it its name), one row per case read (a list page writes one per case, so
 * a citizen's access history shows every integration that received their data). Called before
 * answering: no trace, no data.
 */
export async function logApiAccess(request: FastifyRequest, principal: TokenPrincipal, entries: AccessEntry[]): Promise<void> {
  await write(request, principal.organisationId, { agentId: null, apiTokenId: principal.tokenId }, entries);
}

type Actor = { agentId: number; apiTokenId: null } | { agentId: null; apiTokenId: number };

async function write(request: FastifyRequest, organisationId: number, actor: Actor, entries: AccessEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const { db } = request.server.ctx;
  const now = new Date().toISOString();
  const rows = entries.map((entry) => ({
    organisationId,
    ...actor,
    action: entry.action,
    citizenId: entry.citizenId ?? null,
    caseId: entry.caseId ?? null,
    detail: entry.detail ?? null,
    ip: request.ip ?? null,
    now,
  }));
  // On SQLite an insert on its own is a commit, an fsync that blocks the process: through
  // transaction() the entries of concurrent pages share one. PostgreSQL groups commits itself, and
  // a BEGIN/COMMIT pair would only add two round trips.
  if (db.dialect === 'sqlite') await transaction(db, (trx) => accessLogRepository.insert(trx, rows));
  else await accessLogRepository.insert(db.kysely, rows);
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
  /** The agent who read, or null for an API token. */
  agentId: number | null;
  apiTokenId: number | null;
  /** The agent's name, or « Jeton d’API « name » ». */
  actorName: string;
  action: string;
  citizenId: number | null;
  caseId: number | null;
  caseReference: string | null;
  detail: string | null;
  ip: string | null;
  createdAt: string;
}

/** A row to write: its actor is an agent or an API token, exactly one of the two. */
interface NewAccessLogEntry {
  organisationId: number;
  agentId: number | null;
  apiTokenId?: number | null;
  action: string;
  citizenId: number | null;
  caseId: number | null;
  detail: string | null;
  ip: string | null;
  now: string;
}

/** The access log's queries. */
export const accessLogRepository = {
  /** One entry, or several written by one statement. */
  async insert(db: Executor, entries: NewAccessLogEntry | NewAccessLogEntry[]): Promise<void> {
    await db
      .insertInto('access_log')
      .values(
        (Array.isArray(entries) ? entries : [entries]).map((e) => ({
          organisation_id: e.organisationId,
          agent_id: e.agentId,
          api_token_id: e.apiTokenId ?? null,
          action: e.action,
          citizen_id: e.citizenId,
          case_id: e.caseId,
          detail: e.detail,
          ip: e.ip,
          created_at: e.now,
        })),
      )
      .execute();
  },

  /** The latest entries, newest first, optionally about one citizen or by one agent. */
  async list(db: Executor, organisationId: number, f: { citizenId?: number; agentId?: number; beforeId?: number; limit: number }): Promise<AccessLogRow[]> {
    let q = db
      .selectFrom('access_log as l')
      .leftJoin('agents as a', 'a.id', 'l.agent_id')
      .leftJoin('api_tokens as t', 't.id', 'l.api_token_id')
      .leftJoin('cases as c', 'c.id', 'l.case_id')
      .select(['l.id', 'l.agent_id', 'a.display_name', 'l.api_token_id', 't.name as token_name', 'l.action', 'l.citizen_id', 'l.case_id', 'c.reference', 'l.detail', 'l.ip', 'l.created_at'])
      .where('l.organisation_id', '=', organisationId);
    if (f.citizenId !== undefined) q = q.where('l.citizen_id', '=', f.citizenId);
    if (f.agentId !== undefined) q = q.where('l.agent_id', '=', f.agentId);
    if (f.beforeId !== undefined) q = q.where('l.id', '<', f.beforeId);
    const rows = await q.orderBy('l.id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      agentId: r.agent_id,
      apiTokenId: r.api_token_id,
      actorName: r.display_name ?? `Jeton d’API « ${r.token_name ?? r.api_token_id} »`,
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
