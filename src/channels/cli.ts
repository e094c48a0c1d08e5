import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { reprocessCommand } from './email/cli.js';
import { OPEN311_USAGE, open311Command } from './open311/cli.js';
import { WEBHOOK_USAGE, webhookCommand } from './webhooks/cli.js';

export const CHANNELS_USAGE = `Usage : guichet channels <sous-commande>
  (les sous-commandes des canaux sont listées ici à mesure qu’elles existent)
  reprocess ID | --all-quarantined   retraite un courriel en quarantaine depuis son message brut
${WEBHOOK_USAGE}
${OPEN311_USAGE}`;

/** Runs `guichet channels …` (quarantine, reprocessing, webhook sources); returns the exit code. */
export async function channelsCommand(_db: Db, _config: Config, args: string[]): Promise<number> {
  const [sub] = args;
  if (sub === 'reprocess') return reprocessCommand(_db, _config, args.slice(1));
  if (sub === 'webhook') return webhookCommand(_db, _config, args.slice(1));
  if (sub === 'open311') return open311Command(_db, _config, args.slice(1));
  console.error(`${sub ? `Sous-commande inconnue : ${sub}\n` : ''}${CHANNELS_USAGE}`);
  return 2;
}
