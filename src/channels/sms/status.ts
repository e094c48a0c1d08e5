import type { ChannelSetting, ChannelStatusCheck } from '../status.js';
import { smsRepository } from './repository.js';

/** The SMS channel's configuration: the incoming webhook, the sending gateway, the opted-out numbers. */
export const smsStatus: ChannelStatusCheck = async ({ db, config }) => {
  const optOuts = await smsRepository.countOptOuts(db);
  const webhook: ChannelSetting = !config.SMS_WEBHOOK_SECRET
    ? { label: 'Réception des SMS', state: 'off', detail: 'Désactivée : SMS_WEBHOOK_SECRET n’est pas configuré.' }
    : config.SMS_WEBHOOK_PROVIDER === 'twilio' && !config.PUBLIC_URL
      ? { label: 'Réception des SMS', state: 'misconfigured', detail: 'Twilio signe l’URL publique : PUBLIC_URL doit être configurée.' }
      : { label: 'Réception des SMS', state: 'active', detail: `Format ${config.SMS_WEBHOOK_PROVIDER}, sur ${config.publicUrl}/channels/sms/${config.SMS_WEBHOOK_PROVIDER} (signature vérifiée).` };
  return [
    webhook,
    config.SMS_URL
      ? { label: 'Envoi des SMS', state: 'active', detail: `Par la passerelle ${new URL(config.SMS_URL).host}, expéditeur « ${config.SMS_SENDER} ».` }
      : { label: 'Envoi des SMS', state: 'off', detail: 'Aucune passerelle (SMS_URL) : les SMS sont seulement enregistrés dans les dossiers.' },
    { label: 'Désinscriptions (STOP)', state: 'active', detail: optOuts === 0 ? 'Aucun numéro désinscrit.' : `${optOuts} numéro(s) désinscrit(s) : aucun SMS ne leur est envoyé.` },
  ];
};
