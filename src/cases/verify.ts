import type { Executor } from '../db/transaction.js';
import { firstBrokenLink } from './journal.js';
import { caseRepository } from './repository.js';

/**
 * Walks every case and checks its journal's hash chain: an edited, deleted or reordered event
 * shows up as a broken link. Reads in pages so that a million cases do not fill memory.
 */
export async function verifyAllJournals(db: Executor, onBroken: (b: { reference: string; seq: number }) => void): Promise<{ checked: number; broken: number }> {
  let checked = 0;
  let broken = 0;
  let afterId = 0;
  for (;;) {
    const page = await caseRepository.journalsAfter(db, afterId, 500);
    if (page.length === 0) return { checked, broken };
    for (const { reference, events } of page) {
      checked += 1;
      const seq = firstBrokenLink(reference, events);
      if (seq !== null) {
        broken += 1;
        onBroken({ reference, seq });
      }
    }
    afterId = page.at(-1)!.caseId;
  }
}
