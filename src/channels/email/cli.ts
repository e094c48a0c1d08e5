import pino from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import type { ProcessResult } from './process.js';
import { reprocessEmail, reprocessQuarantinedEmails } from './reprocess.js';

const OUTCOMES: Record<ProcessResult['status'], string> = {
  created: 'dossier créé',
  threaded: 'rattaché à un dossier',
  ignored: 'ignoré',
  quarantined: 'toujours en quarantaine',
  skipped: 'rien à faire (introuvable, ou déjà traité sans erreur)',
};

function describe(id: number, result: ProcessResult): string {
  return `Courriel ${id} : ${OUTCOMES[result.status]}${result.reason ? ` (${result.reason})` : ''}${result.caseId ? `, dossier n° interne ${result.caseId}` : ''}`;
}

/** `guichet channels reprocess ID | --all-quarantined`: processing again from the stored raw message. */
export async function reprocessCommand(db: Db, config: Config, args: string[]): Promise<number> {
  const deps = { db, config, log: pino({ level: config.LOG_LEVEL }) };
  const [target] = args;
  if (target === '--all-quarantined') {
    const results = await reprocessQuarantinedEmails(deps);
    for (const { inboundId, result } of results) console.log(describe(inboundId, result));
    console.log(`${results.length} courriel(s) retraité(s).`);
    return results.some((r) => r.result.status === 'quarantined') ? 1 : 0;
  }
  const id = Number(target);
  if (!target || !Number.isInteger(id) || id <= 0) {
    console.error('Usage : guichet channels reprocess ID | --all-quarantined');
    return 2;
  }
  const result = await reprocessEmail(deps, id);
  console.log(describe(id, result));
  return result.status === 'quarantined' ? 1 : 0;
}
