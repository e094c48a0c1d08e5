import type { Logger } from 'pino';
import type { Config } from '../../../config.js';
import type { Db } from '../../../db/database.js';
import { channelOrganisation } from '../../organisation.js';
import { receiveEmail } from '../receive.js';
import { parseImapUrl } from './account.js';
import { ImapPoller, type ImapPollerOptions } from './poller.js';

export interface ImapDeps {
  db: Db;
  config: Config;
  log: Logger;
}

/**
 * The poller of IMAP_URL's mailbox feeding the durable e-mail receipt, started; null when IMAP_URL
 * is empty. Runs in the worker process (roles `worker` and `all`).
 */
export function startImapPoller(deps: ImapDeps, overrides: Partial<ImapPollerOptions> = {}): ImapPoller | null {
  const { db, config } = deps;
  if (!config.IMAP_URL) return null;
  const account = parseImapUrl(config.IMAP_URL);
  const log = deps.log.child({ channel: 'email', source: 'imap' });
  return new ImapPoller({
    db,
    log,
    account,
    processedFolder: config.IMAP_PROCESSED_FOLDER,
    pollSeconds: config.IMAP_POLL_SECONDS,
    organisationId: async () => {
      const organisation = await channelOrganisation(db.kysely, config);
      if (!organisation) throw new Error('Aucune collectivité en base : la boîte IMAP n’est pas relevée.');
      return organisation.id;
    },
    handle: async (raw, meta) => {
      const { inboundId, duplicate } = await receiveEmail({ db, config, log }, raw, { kind: 'imap', mailbox: meta.mailbox });
      if (duplicate) log.info({ inboundId, uid: meta.uid }, 'IMAP message already received (same Message-ID): moved without a new receipt');
    },
    ...overrides,
  }).start();
}
