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

/**
 * A tracking code as people type or dictate it ("k7qf 9m2x pd4a", "K7QF9M2XPD4A") in its canonical
 * form, or null when it cannot be one (wrong length or a symbol outside the alphabet).
 */
export function normaliseTrackingCode(input: string): string | null {
  const symbols = input.toUpperCase().replace(/[\s-]/g, '');
  if (symbols.length !== 12 || [...symbols].some((c) => !ALPHABET.includes(c))) return null;
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}
