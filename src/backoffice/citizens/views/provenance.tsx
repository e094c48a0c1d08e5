/** How the 360° view says where a contact came from and whether it was verified (ADR 0002): in words, never by colour alone. */
import type { ContactProvenance } from '../../../citizens/view-360.js';
import type { ContactSource, ContactVerification } from '../../../citizens/repository.js';
import { formatDate } from '../../../portal/cases/views/dates.js';

export const SOURCE_LABELS: Record<ContactSource, string> = {
  legacy: 'enregistré avant le suivi de provenance',
  portal_account: 'compte du portail',
  franceconnect: 'FranceConnect',
  email_channel: 'courriel reçu',
  sms: 'SMS reçu',
  phone_call: 'appel téléphonique',
  counter: 'accueil physique',
  postal_mail: 'courrier postal',
  api: 'API',
  open311: 'application Open311',
  web_form: 'formulaire en ligne',
  agent: 'saisi par un agent',
};

export const VERIFICATION_LABELS: Record<ContactVerification, string> = {
  portal_account: 'lien de confirmation du compte',
  franceconnect: 'FranceConnect',
  dmarc: 'courriel authentifié (DMARC)',
  agent: 'par un agent',
};

/** « vérifié le 7 déc. 2026 (FranceConnect) — source : … » or « déclaré, non vérifié — source : … ». */
export function Provenance({ contact, timezone }: { contact: ContactProvenance; timezone: string }) {
  const source = `source : ${SOURCE_LABELS[contact.source] ?? contact.source}`;
  if (contact.verifiedAt) {
    const how = contact.verifiedHow ? ` (${VERIFICATION_LABELS[contact.verifiedHow] ?? contact.verifiedHow})` : '';
    return (
      <span class="contact-provenance contact-verified">
        <strong>vérifié</strong> le <time datetime={contact.verifiedAt}>{formatDate(contact.verifiedAt, timezone)}</time>
        {how} — {source}
      </span>
    );
  }
  return (
    <span class="contact-provenance contact-declared">
      <strong>déclaré, non vérifié</strong> — {source}
    </span>
  );
}
