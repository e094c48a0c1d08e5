import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** Who did something to a case. */
export interface Actor {
  type: 'citizen' | 'agent' | 'system' | 'integration';
  id: string | null;
}

/** One journal event as written; `hash` chains it to the previous event of the same case. */
export interface JournalEvent {
  seq: number;
  type: string;
  actor: Actor;
  payload: Record<string, unknown>;
  createdAt: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of an event chained to its predecessor. Any edit, deletion or reordering of past events
 * breaks the chain from that point on, which `guichet journal verify` reports.
 */
export function chainHash(previousHash: string, caseReference: string, event: JournalEvent): string {
  // RFC 8785 canonical JSON: PostgreSQL's jsonb gives keys back in its own order, so the hash
  // must not depend on the order in which they were written.
  const canonical = canonicalize([caseReference, event.seq, event.type, event.actor.type, event.actor.id, event.payload, event.createdAt]) ?? '';
  return createHash('sha256').update(previousHash).update('\n').update(canonical).digest('hex');
}

/** Checks a case's whole chain; returns the seq of the first event that does not verify, or null. */
export function firstBrokenLink(caseReference: string, events: (JournalEvent & { hash: string })[]): number | null {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  for (const event of events) {
    if (event.seq !== expectedSeq || chainHash(previous, caseReference, event) !== event.hash) return event.seq;
    previous = event.hash;
    expectedSeq += 1;
  }
  return null;
}
