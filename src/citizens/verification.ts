/**
 * Contacts an agent confirms (ADR 0002): a number typed in a form is only declared and names nobody
 * on the screen pop; once the agent has called the citizen back on it, or seen them at the counter,
 * they confirm it and the next call names them.
 */
import type { Executor } from '../db/transaction.js';
import { notFound } from '../http/errors.js';
import { citizenRepository } from './repository.js';

/** Marks the citizen's phone number verified by this agent; 404 when it is not theirs or is verified already. */
export async function confirmPhoneByAgent(db: Executor, citizenId: number, phoneId: number, agentId: number): Promise<void> {
  if (!(await citizenRepository.markPhoneVerifiedByAgent(db, citizenId, phoneId, agentId, new Date().toISOString()))) {
    throw notFound('Ce numéro n’est pas sur cette fiche, ou il est déjà vérifié.');
  }
}
