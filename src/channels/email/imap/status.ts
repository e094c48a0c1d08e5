import type { ChannelSetting, ChannelStatusCheck } from '../../status.js';
import { parseImapUrl } from './account.js';
import { imapCheckpointRepository } from './repository.js';

const LABEL = 'Relève IMAP';

/**
 * The IMAP mailbox's state for the health page, read from the checkpoint row the poller keeps up
 * to date (the poller runs in the worker process, the page in the web process): off, working (last
 * successful check, last UID), or failing (its last error, when newer than its last success).
 */
export async function imapSetting(ctx: Parameters<ChannelStatusCheck>[0]): Promise<ChannelSetting> {
  const { db, config, organisationId } = ctx;
  if (!config.IMAP_URL) return { label: LABEL, state: 'off', detail: 'Arrêtée (IMAP_URL vide).' };
  let key: string;
  try {
    key = parseImapUrl(config.IMAP_URL).key;
  } catch (error) {
    return { label: LABEL, state: 'misconfigured', detail: (error as Error).message };
  }
  const how = `Boîte ${key}, courriels rangés dans « ${config.IMAP_PROCESSED_FOLDER} » ; IDLE si le serveur le propose, sinon relève toutes les ${config.IMAP_POLL_SECONDS} s.`;
  const checkpoint = await imapCheckpointRepository.find(db, organisationId, key);
  const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium', timeZone: config.TIMEZONE });
  const when = (iso: string) => dateTime.format(new Date(iso));
  if (checkpoint?.lastError && checkpoint.lastErrorAt && (!checkpoint.lastSuccessAt || checkpoint.lastErrorAt > checkpoint.lastSuccessAt)) {
    const since = checkpoint.lastSuccessAt ? `dernière relève réussie le ${when(checkpoint.lastSuccessAt)}` : 'aucune relève réussie';
    return { label: LABEL, state: 'misconfigured', detail: `${how} En échec depuis le ${when(checkpoint.lastErrorAt)} (${since}) : ${checkpoint.lastError}` };
  }
  if (!checkpoint?.lastSuccessAt) return { label: LABEL, state: 'active', detail: `${how} Pas encore relevée : un processus worker (rôle worker ou all) la relève.` };
  return { label: LABEL, state: 'active', detail: `${how} Dernière relève réussie le ${when(checkpoint.lastSuccessAt)} ; dernier message traité : UID ${checkpoint.lastUid}.` };
}
