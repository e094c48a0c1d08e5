import type { ChannelStatusCheck } from '../status.js';
import { channelCounts } from './service.js';

/**
 * The Open311 channel for the health page: active once a procedure is exposed as a service and
 * a token may post; the GET endpoints answer in any case (an empty list without services).
 */
export const open311Status: ChannelStatusCheck = async ({ db, organisationId }) => {
  const { services, tokens } = await channelCounts(db, organisationId);
  return [
    {
      label: 'Services Open311 (démarches exposées)',
      state: services > 0 ? 'active' : 'off',
      detail: services > 0 ? `${services} démarche(s) proposée(s) aux applications de signalement.` : 'Aucune démarche n’a de code de service Open311.',
    },
    {
      label: 'Clés api_key Open311',
      state: tokens > 0 ? 'active' : services > 0 ? 'misconfigured' : 'off',
      detail: tokens > 0 ? `${tokens} jeton(s) avec la portée « open311 ».` : 'Aucun jeton avec la portée « open311 » : aucune application ne peut déposer de demande.',
    },
  ];
};
