import type { ChannelStatusCheck } from '../status.js';
import { webhookSourceRepository } from './repository.js';

/**
 * The webhooks channel's configuration status for the health page: one line per source, active or
 * off, with its last delivery. No secret is read into the page.
 */
export const webhooksStatus: ChannelStatusCheck = async ({ db, organisationId }) => {
  const sources = await webhookSourceRepository.listWithLastDelivery(db, organisationId);
  if (sources.length === 0) {
    return [{ label: 'Webhooks (réseaux sociaux, plateformes participatives)', state: 'off', detail: 'Aucune source déclarée (guichet channels webhook add).' }];
  }
  return sources.map((s) => ({
    label: `Webhook « ${s.name} » (/channels/webhooks/${s.slug})`,
    state: s.enabled ? 'active' : 'off',
    detail: `${s.enabled ? 'Active' : 'Désactivée'} ; dernier envoi : ${s.lastDeliveryAt ?? 'aucun'}.`,
  }));
};
