/**
 * Reprocessing of a quarantined e-mail from its stored raw bytes (`guichet channels reprocess`, the
 * health page's button). Safe to repeat: a case is keyed by the Message-ID, so a mail that did
 * create its case before failing is never turned into a second one.
 */
import { inboundRepository } from '../inbound-repository.js';
import { channelOrganisation } from '../organisation.js';
import { processEmail, type ProcessDeps, type ProcessResult } from './process.js';
import type { EmailDeps } from './receive.js';

/** Runs processing again for one receipt (quarantined or still pending). */
export async function reprocessEmail(deps: EmailDeps | ProcessDeps, inboundId: number): Promise<ProcessResult> {
  return processEmail(deps, inboundId, { force: true });
}

/** Reprocesses every quarantined e-mail of the channels' organisation, oldest first. */
export async function reprocessQuarantinedEmails(deps: EmailDeps | ProcessDeps, limit = 1000): Promise<{ inboundId: number; result: ProcessResult }[]> {
  const organisation = await channelOrganisation(deps.db.kysely, deps.config);
  if (!organisation) return [];
  const items = await inboundRepository.listByStatus(deps.db.kysely, organisation.id, 'quarantined', limit, 'email');
  const results: { inboundId: number; result: ProcessResult }[] = [];
  for (const item of items.reverse()) results.push({ inboundId: item.id, result: await reprocessEmail(deps, item.id) });
  return results;
}
