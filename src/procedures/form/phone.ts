/**
 * Normalisation of `phone` values to E.164 with libphonenumber-js (full metadata, for
 * exact validity). National numbers are read as French; overseas numbers dialled the
 * national way (0690…, 0262…) are recognised too.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import type { PhoneField } from './definition.js';
import { fail, ok } from './field-errors.js';
import type { Outcome } from './field-errors.js';

/** France first, then the overseas departments and collectivities that use a leading 0. */
const NATIONAL_REGIONS: CountryCode[] = ['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF'];
const ALLOWED_CHARS = /^\+?[\d\s().\-/]{2,30}$/;
const PHONE_MESSAGE = 'Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.';

/** The E.164 form of a phone number typed by a person, or undefined if it is not valid. */
export function toE164(input: string): string | undefined {
  const value = input.trim();
  if (!ALLOWED_CHARS.test(value)) return undefined;
  for (const region of NATIONAL_REGIONS) {
    const parsed = parsePhoneNumberFromString(value, region);
    if (parsed?.isValid() === true) return parsed.number;
    if (value.startsWith('+') || value.startsWith('00')) return undefined;
  }
  return undefined;
}

/** `phone`: a valid French or international (`+…`) number, stored as E.164. */
export function normalisePhone(_field: PhoneField, raw: unknown, path: string): Outcome {
  const e164 = typeof raw === 'string' ? toE164(raw) : undefined;
  return e164 === undefined ? fail(path, 'invalid_phone', PHONE_MESSAGE) : ok(e164);
}
