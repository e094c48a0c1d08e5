import type { ChannelStatusCheck } from '../status.js';
import { imapSetting } from './imap/status.js';

/** The e-mail channel's configuration status for the health page: receiver, domains, reply tokens, IMAP. */
export const emailStatus: ChannelStatusCheck = async (ctx) => {
  const { config } = ctx;
  const smtpOn = config.INBOUND_SMTP_PORT !== null;
  const tls = Boolean(config.INBOUND_SMTP_TLS_KEY && config.INBOUND_SMTP_TLS_CERT);
  return [
    {
      label: 'Réception SMTP',
      state: !smtpOn ? 'off' : config.INBOUND_EMAIL_DOMAINS.length === 0 ? 'misconfigured' : 'active',
      detail: !smtpOn
        ? 'Arrêtée (INBOUND_SMTP_PORT vide).'
        : config.INBOUND_EMAIL_DOMAINS.length === 0
          ? `Écoute sur ${config.INBOUND_SMTP_HOST}:${config.INBOUND_SMTP_PORT}, mais aucun domaine accepté (INBOUND_EMAIL_DOMAINS vide) : tout destinataire est refusé.`
          : `Écoute sur ${config.INBOUND_SMTP_HOST}:${config.INBOUND_SMTP_PORT}${tls ? ' avec STARTTLS' : ' sans TLS'} ; domaines : ${config.INBOUND_EMAIL_DOMAINS.join(', ')} ; taille maximale ${config.INBOUND_EMAIL_MAX_BYTES} octets.`,
    },
    {
      label: 'Adresse de réponse',
      state: config.REPLY_ADDRESS ? 'active' : 'off',
      detail: config.REPLY_ADDRESS
        ? `Réponses rattachées par jeton signé : ${config.REPLY_ADDRESS.replace('@', '+r-…@')}.`
        : 'Aucune (REPLY_ADDRESS vide) : les réponses sont rattachées par In-Reply-To ou par le numéro de dossier.',
    },
    // The poller's last success or last error, as the worker recorded it.
    await imapSetting(ctx),
  ];
};
