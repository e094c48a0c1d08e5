import { forgetConfiguration } from '../../configuration/cache.js';
import type { Executor } from '../../db/transaction.js';
import type { LegalSettings } from './content.js';

/** The queries of the legal pages: a town's legal settings live in `organisations.legal`. */
export const legalRepository = {
  /** Replaces the town's legal settings; the portal sees them at once (configuration cache forgotten). */
  async save(db: Executor, organisationId: number, legal: LegalSettings): Promise<void> {
    await db.updateTable('organisations').set({ legal: JSON.stringify(legal) }).where('id', '=', organisationId).execute();
    forgetConfiguration();
  },
};
