import type { LegalContact } from '../content.js';

/** A phone number as dialled: "+33261910000" → "tel:+33261910000"; spaces and dots dropped. */
const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

/** "+33261910000" → "02 61 91 00 00" for reading; other shapes are shown as given. */
export function readablePhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  const national = digits.startsWith('+33') ? `0${digits.slice(3)}` : digits;
  return /^0\d{9}$/.test(national) ? national.replace(/(\d{2})(?=\d)/g, '$1 ') : phone;
}

/** A contact's lines: name, postal address, e-mail, phone, web page — whichever are known. */
export function ContactLines({ contact, withName = true }: { contact: LegalContact; withName?: boolean }) {
  return (
    <ul class="legal-contact">
      {withName && contact.name ? <li>{contact.name}</li> : null}
      {contact.address ? <li>Adresse postale : {contact.address}</li> : null}
      {contact.email ? (
        <li>
          Courriel : <a href={`mailto:${contact.email}`}>{contact.email}</a>
        </li>
      ) : null}
      {contact.phone ? (
        <li>
          Téléphone : <a href={telHref(contact.phone)}>{readablePhone(contact.phone)}</a>
        </li>
      ) : null}
      {contact.url ? (
        <li>
          En ligne : <a href={contact.url}>{contact.url}</a>
        </li>
      ) : null}
    </ul>
  );
}
