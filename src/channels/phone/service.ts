/**
 * The phone channel: a call event from the telephony system is recorded (receipt, then the
 * call's row), the caller is matched to the citizen records by number, and the call is given to
 * the agent whose extension rings — their back-office shows it live (a screen pop). A call
 * creates no case by itself: the agent decides, from the pop, to register a request.
 */
import { citizenRepository } from '../../citizens/repository.js';
import type { Db } from '../../db/database.js';
import { transaction } from '../../db/transaction.js';
import { inboundRepository } from '../inbound-repository.js';
import { callerE164, type CallEvent } from './events.js';
import { notifyAgentCalls } from './live.js';
import { phoneRepository, type PhoneCallRow } from './repository.js';

/** Why every call event's receipt is settled `ignored`: calls never create cases by themselves. */
export const CALL_EVENT_REASON = 'call_event';

const STATE_ORDER = { ringing: 0, answered: 1, ended: 2 } as const;

export interface CallEventOutcome {
  /** True when this very event (same call id, same event) was already received: nothing changed. */
  duplicate: boolean;
  call: PhoneCallRow | null;
}

/**
 * Records one event. Its receipt (channel_inbound, external id `<callId>:<event>`) and the call's
 * change commit together, so a PBX retrying an event it saw fail changes nothing the second time.
 * Events may arrive out of order (a hang-up before its answer): a call's state only moves forward.
 */
export async function recordCallEvent(db: Db, organisationId: number, event: CallEvent, now = new Date().toISOString()): Promise<CallEventOutcome> {
  const touched: (number | null)[] = [];
  const outcome = await transaction(db, async (trx): Promise<CallEventOutcome> => {
    const receiptId = await inboundRepository.insert(
      trx,
      {
        organisationId,
        channel: 'phone',
        source: 'cti',
        externalId: `${event.callId}:${event.event}`,
        sender: event.direction === 'in' ? event.from : event.to,
        summary: `${event.event} ${event.direction === 'in' ? 'entrant' : 'sortant'} ${event.from} → ${event.to}`.slice(0, 200),
        payload: event,
      },
      now,
    );
    if (receiptId === undefined) return { duplicate: true, call: null };

    const citizenNumber = event.direction === 'in' ? event.from : event.to;
    const { row: existing, inserted } = await phoneRepository.findOrInsert(trx, {
      organisationId,
      callId: event.callId,
      direction: event.direction,
      from: event.from,
      to: event.to,
      callerE164: callerE164(citizenNumber),
      now,
    });
    const changes: Partial<PhoneCallRow> = { updated_at: now };
    if (inserted && existing.caller_e164) {
      // First event of the call: who is calling? Only a number verified on exactly one record names
      // its holder; a number merely declared (anyone can type one in a form) names nobody (ADR 0002).
      const matches = await citizenRepository.findByPhone(trx, organisationId, existing.caller_e164);
      const verified = matches.filter((m) => m.verified);
      changes.citizen_matches = matches.length;
      if (verified.length === 1) changes.citizen_id = verified[0]!.id;
    }
    // The agent: the extension sent, else the agent's side of the call (a direct line).
    const extension = event.extension ?? (event.event === 'newCall' ? (event.direction === 'in' ? event.to : event.from) : null);
    let agentId = extension ? await phoneRepository.agentByExtension(trx, organisationId, extension) : undefined;
    const agentExtension = agentId !== undefined ? extension : event.extension;
    // PBXs set up for Zammad name the agent instead (`user[]`): one name, one agent of that name.
    if (agentId === undefined && event.users.length === 1 && event.event !== 'hangup') agentId = await phoneRepository.agentByName(trx, organisationId, event.users[0]!);
    if (agentId !== undefined && (event.event !== 'newCall' || existing.agent_id === null)) {
      changes.agent_id = agentId;
      changes.extension = agentExtension;
    } else if (existing.extension === null && event.extension) {
      changes.extension = event.extension;
    }
    const state = event.event === 'newCall' ? 'ringing' : event.event === 'answer' ? 'answered' : 'ended';
    if (STATE_ORDER[state] > STATE_ORDER[existing.state]) changes.state = state;
    if (event.event === 'answer' && existing.answered_at === null) changes.answered_at = now;
    if (event.event === 'hangup') {
      if (existing.ended_at === null) changes.ended_at = now;
      if (event.cause) changes.cause = event.cause;
    }
    await phoneRepository.update(trx, existing.id, changes);
    await inboundRepository.settle(trx, receiptId, { status: 'ignored', reason: CALL_EVENT_REASON }, now);
    touched.push(existing.agent_id, changes.agent_id ?? null);
    return { duplicate: false, call: { ...existing, ...changes } };
  });
  notifyAgentCalls(touched);
  return outcome;
}
