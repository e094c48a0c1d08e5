import type { Config } from '../config.js';
import type { Executor } from '../db/transaction.js';
import { organisationRepository } from '../organisations/repository.js';

/**
 * The organisation that the installation-wide channels (the SMTP receiver, the IMAP mailbox, the
 * SMS and telephony webhooks) feed: the one named by CHANNELS_ORGANISATION, else the first one (an
 * installation usually serves one town). Undefined when the database holds no organisation yet.
 */
export async function channelOrganisation(db: Executor, config: Config): Promise<{ id: number; slug: string; name: string } | undefined> {
  const organisation = config.CHANNELS_ORGANISATION
    ? await organisationRepository.findBySlug(db, config.CHANNELS_ORGANISATION)
    : await organisationRepository.findDefault(db);
  return organisation && { id: organisation.id, slug: organisation.slug, name: organisation.name };
}
