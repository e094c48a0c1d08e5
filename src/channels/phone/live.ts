import { EventEmitter } from 'node:events';

/**
 * Wakes the live streams of agents whose calls just changed, in this process. The streams also
 * poll the database, so a call recorded by another server process reaches them too, only a
 * little later: this is a shortcut, never the only path.
 */
const emitter = new EventEmitter();
emitter.setMaxListeners(0);

export function notifyAgentCalls(agentIds: Iterable<number | null>): void {
  for (const id of new Set(agentIds)) if (id !== null) emitter.emit(`agent:${id}`);
}

/** Calls `listener` when one of the agent's calls changes; returns the unsubscribe function. */
export function onAgentCalls(agentId: number, listener: () => void): () => void {
  emitter.on(`agent:${agentId}`, listener);
  return () => emitter.off(`agent:${agentId}`, listener);
}
