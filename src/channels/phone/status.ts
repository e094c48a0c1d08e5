import type { ChannelStatusCheck } from '../status.js';
import { phoneRepository } from './repository.js';

/** The phone channel's set-up: the webhook's token, the agents who can receive screen pops, the last event. */
export const phoneStatus: ChannelStatusCheck = async ({ db, config, organisationId }) => {
  const [agents, last] = await Promise.all([phoneRepository.countAgentsWithExtension(db, organisationId), phoneRepository.lastEventAt(db, organisationId)]);
  return [
    config.CTI_TOKEN
      ? { label: 'Webhook de téléphonie', state: 'active', detail: `ouvert sur POST /channels/phone/events (jeton CTI_TOKEN défini)${last ? ` ; dernier événement le ${last}` : ' ; aucun événement reçu'}` }
      : { label: 'Webhook de téléphonie', state: 'off', detail: 'fermé : CTI_TOKEN est vide' },
    agents > 0
      ? { label: 'Remontée de fiche', state: 'active', detail: agents === 1 ? '1 agent a un numéro de poste' : `${agents} agents ont un numéro de poste` }
      : { label: 'Remontée de fiche', state: config.CTI_TOKEN ? 'misconfigured' : 'off', detail: 'aucun agent n’a de numéro de poste : les appels sont enregistrés sans être présentés' },
  ];
};
