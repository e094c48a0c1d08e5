import type { Executor } from '../../db/transaction.js';
import { messageRepository } from '../../messages/repository.js';
import { smsRepository } from './repository.js';

/**
 * The notification side of STOP: the message job asks here before each SMS, and a number that
 * opted out gets nothing — its message is marked not sent with the reason the case shows. Kept
 * apart from the receiving service so the message job does not load the intake.
 */
export async function holdSmsIfOptedOut(db: Executor, messageId: number, phone: string): Promise<boolean> {
  const optOut = await smsRepository.findOptOut(db, phone);
  if (!optOut) return false;
  const reason = `Non envoyé : ce numéro a demandé à ne plus recevoir de SMS (« ${optOut.keyword} » reçu le ${optOut.optedOutAt.slice(0, 10)}) ; il peut les réactiver en répondant START.`;
  await messageRepository.markNotSent(db, messageId, reason);
  return true;
}
