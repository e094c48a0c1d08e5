export interface MailboxMessage {
  /** Unique on the page: case messages and account mails are numbered apart. */
  key: string;
  /** The case's reference; null for an account mail, which belongs to no case. */
  reference: string | null;
  channel: string;
  recipient: string | null;
  subject: string;
  body: string;
  status: string;
  createdAt: string;
}

const CHANNELS: Record<string, string> = {
  email: 'Courriel à l’usager',
  letter: 'Courrier à imprimer',
  agent_email: 'Courriel à un agent',
  sms: 'SMS',
  portal: 'Message sur le portail',
  account: 'Courriel de compte usager',
};

/** Outgoing messages recorded without a mail server: the demo's whole loop, visible. */
export function MailboxPage({ messages }: { messages: MailboxMessage[] }) {
  return (
    <>
      <h1>Boîte de développement</h1>
      <p class="notice">
        Aucun serveur d’envoi (SMTP_URL) n’est configuré : les messages sont enregistrés (dans les dossiers, ou pour les courriels de compte dans la file
        d’envoi) et affichés ici, du plus récent au plus ancien, sans être envoyés.
      </p>
      {messages.length === 0 ? <p>Aucun message pour l’instant.</p> : null}
      {messages.map((m) => (
        <article aria-labelledby={`message-${m.key}`}>
          <h2 id={`message-${m.key}`}>{m.subject}</h2>
          <dl>
            <dt>Dossier</dt>
            <dd>{m.reference ?? 'aucun (compte usager)'}</dd>
            <dt>Canal</dt>
            <dd>{CHANNELS[m.channel] ?? m.channel}</dd>
            <dt>Destinataire</dt>
            <dd>{m.recipient ?? '(adresse postale du dossier)'}</dd>
            <dt>Écrit le</dt>
            <dd>{new Date(m.createdAt).toLocaleString('fr-FR', { timeZone: 'Europe/Paris' })}</dd>
          </dl>
          <pre class="message">{m.body}</pre>
        </article>
      ))}
    </>
  );
}
