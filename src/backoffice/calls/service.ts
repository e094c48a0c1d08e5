/**
 * Calls in the back-office: who sees which call, and a call as its screen pop and list show it.
 * The calls themselves are the phone channel's (src/channels/phone/).
 */
import { citizenDisplayName } from '../../citizens/search-repository.js';
import { CAUSE_LABELS } from '../../channels/phone/events.js';
import { phoneRepository, type PhoneCallView } from '../../channels/phone/repository.js';
import { caseRepository } from '../../cases/repository.js';
import type { Executor } from '../../db/transaction.js';
import { notFound } from '../../http/errors.js';
import type { AgentScope } from '../policy.js';

export const CALLS_URL = '/backoffice/appels';
export const CALL_EVENTS_URL = `${CALLS_URL}/evenements`;
/** The new-request screen, prefilled from a call (channel « phone », the caller or their number). */
export const newRequestFromCallUrl = (callId: number) => `/backoffice/nouvelle-demande?appel=${callId}`;

/** A ringing or ongoing call older than this is stale (a PBX that never sent its hang-up): no more pop. */
export const ACTIVE_CALL_WINDOW_MS = 4 * 3_600_000;

export interface CallModel {
  id: number;
  direction: 'in' | 'out';
  state: 'ringing' | 'answered' | 'ended';
  /** The citizen side's number: E.164 when it is valid, else as sent (« anonymous »). */
  number: string;
  e164: string | null;
  citizen: { id: number; name: string } | null;
  /** How many records hold the number (0: unknown, more than 1: the agent chooses). */
  matches: number;
  agentId: number | null;
  agentName: string | null;
  extension: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  cause: string | null;
  causeLabel: string | null;
  /** The request registered from the call. */
  caseReference: string | null;
}

export function callModel(v: PhoneCallView): CallModel {
  return {
    id: v.id,
    direction: v.direction,
    state: v.state,
    number: v.caller_e164 ?? (v.direction === 'in' ? v.from_number : v.to_number),
    e164: v.caller_e164,
    citizen: v.citizen_id === null ? null : { id: v.citizen_id, name: citizenDisplayName({ first_names: v.citizen_first_names, birth_name: v.citizen_birth_name, usage_name: v.citizen_usage_name }) },
    matches: v.citizen_matches,
    agentId: v.agent_id,
    agentName: v.agent_name,
    extension: v.extension,
    startedAt: v.started_at,
    answeredAt: v.answered_at,
    endedAt: v.ended_at,
    cause: v.cause,
    causeLabel: v.cause ? (CAUSE_LABELS[v.cause] ?? v.cause) : null,
    caseReference: v.case_reference,
  };
}

/**
 * An agent sees the calls given to them (their extension rang, or they answered); an admin sees
 * every call of the organisation. Managers see their own: a call belongs to whoever took it.
 */
export function canSeeCall(scope: AgentScope, call: { organisation_id: number; agent_id: number | null }): boolean {
  if (call.organisation_id !== scope.organisationId) return false;
  return call.agent_id === scope.agentId || scope.isAdmin;
}

/** The call if the agent may see it; otherwise it is simply not found. */
export async function visibleCall(db: Executor, scope: AgentScope, id: number): Promise<CallModel> {
  const call = await phoneRepository.view(db, scope.organisationId, id);
  if (!call || !canSeeCall(scope, call)) throw notFound('Aucun appel de ce numéro.');
  return callModel(call);
}

/** The calls page's list: the agent's own calls, or every call for an admin. */
export async function listCalls(db: Executor, scope: AgentScope, limit: number): Promise<CallModel[]> {
  const rows = await phoneRepository.list(db, scope.organisationId, scope.isAdmin ? null : scope.agentId, limit);
  return rows.filter((r) => canSeeCall(scope, r)).map(callModel);
}

/** The agent's calls that still ring or go on: their screen pops. */
export async function activeCalls(db: Executor, agentId: number, now = Date.now()): Promise<CallModel[]> {
  const rows = await phoneRepository.activeForAgent(db, agentId, new Date(now - ACTIVE_CALL_WINDOW_MS).toISOString());
  return rows.map(callModel);
}

/**
 * Links a call to the case registered from it, in the intake's transaction; a call from an
 * unknown number joins the citizen record the registration created.
 */
export async function linkCallToCase(trx: Executor, organisationId: number, callId: number, caseId: number): Promise<void> {
  const created = await caseRepository.findById(trx, caseId);
  await phoneRepository.linkToCase(trx, organisationId, callId, caseId, created?.citizenId ?? null);
}

/** A call seen again after it left the agent's active calls: ended (show it so), or moved (remove it). */
export async function callAfterwards(db: Executor, scope: AgentScope, id: number): Promise<CallModel | null> {
  const call = await phoneRepository.view(db, scope.organisationId, id);
  return call && call.agent_id === scope.agentId ? callModel(call) : null;
}

export const EXTENSIONS_URL = '/backoffice/admin/postes-telephoniques';
const EXTENSION = /^[0-9A-Za-z*#+._-]{1,50}$/;

export interface AgentExtension {
  id: number;
  name: string;
  email: string;
  extension: string | null;
}

/** The organisation's active agents and their extensions (admins' page). */
export async function agentExtensions(db: Executor, organisationId: number): Promise<AgentExtension[]> {
  return phoneRepository.agentExtensions(db, organisationId);
}

/**
 * Sets the extensions an admin typed (agent id → what was typed; empty clears it). Checks them
 * all first: a malformed value, or one extension given to two agents (the pop would go to one
 * of them only), changes nothing and is said field by field (`poste-<agent id>`).
 */
export async function saveExtensions(db: Executor, organisationId: number, typed: Map<number, string>): Promise<{ ok: true } | { ok: false; problems: { target: string; message: string }[] }> {
  const agents = await phoneRepository.agentExtensions(db, organisationId);
  const problems: { target: string; message: string }[] = [];
  const owner = new Map<string, string>();
  for (const agent of agents) {
    const value = (typed.get(agent.id) ?? agent.extension ?? '').trim();
    if (value === '') continue;
    if (!EXTENSION.test(value)) {
      problems.push({ target: `poste-${agent.id}`, message: `Le poste de ${agent.name} doit faire 1 à 50 caractères : chiffres, lettres, * # + . _ ou -.` });
    } else if (owner.has(value)) {
      problems.push({ target: `poste-${agent.id}`, message: `Le poste ${value} de ${agent.name} est aussi donné à ${owner.get(value)} : un poste ne sonne que chez un agent.` });
    } else {
      owner.set(value, agent.name);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  for (const agent of agents) {
    if (!typed.has(agent.id)) continue;
    const value = typed.get(agent.id)!.trim() || null;
    if (value !== agent.extension) await phoneRepository.setExtension(db, agent.id, value);
  }
  return { ok: true };
}
