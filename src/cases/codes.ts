import { randomInt } from 'node:crypto';

// Crockford-style alphabet without the look-alikes 0/O, 1/I/L and U: easy to read out on the phone.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * An unguessable tracking code such as "K7QF-9M2X-PD4A" (12 symbols, ~59 bits): whoever holds it
 * can follow an anonymous case, so it must not be derivable from the reference.
 */
export function newTrackingCode(): string {
  let code = '';
  for (let i = 0; i < 12; i++) {
    if (i > 0 && i % 4 === 0) code += '-';
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
}

/** "2026-000123": the year of receipt and the organisation's yearly sequence number. */
export function formatReference(year: number, n: number): string {
  return `${year}-${String(n).padStart(6, '0')}`;
}
