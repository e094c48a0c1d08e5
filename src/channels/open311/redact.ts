/**
 * The public feed never carries a way to reach the reporter. The form asks them not to write one in
 * the description; what they wrote anyway is masked before it is published. Names cannot be told
 * from other words and are left to that warning. Both passes are linear in the text's length: the
 * description is citizen-supplied, so no backtracking pattern runs on it.
 */
import { findPhoneNumbersInText } from 'libphonenumber-js';

export const MASK = '[masqué]';

/** The text with e-mail addresses and phone numbers replaced by « [masqué] ». */
export function withoutContacts(text: string): string {
  return withoutPhones(withoutEmails(text));
}

/** A word holding an « @ » is an address, or near enough to one that masking it costs nothing. */
function withoutEmails(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => (word.includes('@') ? MASK : word))
    .join('');
}

function withoutPhones(text: string): string {
  let out = '';
  let from = 0;
  for (const found of findPhoneNumbersInText(text, 'FR')) {
    out += text.slice(from, found.startsAt) + MASK;
    from = found.endsAt;
  }
  return out + text.slice(from);
}
