/** Normalisation of compound place values: `address` and `geolocation`. */
import { DEFAULTS } from './definition.js';
import type { AddressField, AddressValue, GeolocationField, GeolocationValue } from './definition.js';
import { countOf, fail, formatNumber, isPlainObject, ok, REQUIRED_MESSAGE, setOwn } from './field-errors.js';
import type { FieldError, Outcome } from './field-errors.js';
import { parseNumber } from './measure-values.js';
import { cleanText } from './text-values.js';

interface Part { key: string; required: boolean; maxLength: number }
const ADDRESS_PARTS: Part[] = [
  { key: 'line1', required: true, maxLength: 200 },
  { key: 'line2', required: false, maxLength: 200 },
  { key: 'postcode', required: true, maxLength: 16 },
  { key: 'city', required: true, maxLength: 100 },
  { key: 'country', required: false, maxLength: 100 },
  { key: 'banId', required: false, maxLength: 64 },
];
const GEOLOCATION_KEYS = ['lat', 'lon', 'address'];
const FRENCH_POSTCODE = /^(?!00)\d{5}$/;
const FOREIGN_POSTCODE = /^[A-Za-z0-9][A-Za-z0-9 -]{0,14}$/;
const COUNTRY = /^[A-Z]{2}$/;
const BAN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Reports the keys of a compound value that are not among `known`. */
function unknownKeys(raw: Record<string, unknown>, known: string[], path: string): FieldError[] {
  return Object.keys(raw)
    .filter((key) => !known.includes(key))
    .map((key) => ({ field: `${path}.${key}`, code: 'unknown_field', message: 'Cette information n’est pas attendue ici.' }));
}

function readPart(raw: Record<string, unknown>, part: Part, path: string, value: Record<string, unknown>): FieldError | undefined {
  const field = `${path}.${part.key}`;
  const input = Object.hasOwn(raw, part.key) ? raw[part.key] : undefined;
  if (input !== undefined && input !== null && typeof input !== 'string') return { field, code: 'invalid_type', message: 'Saisissez un texte.' };
  const text = cleanText(input ?? '');
  if (text === '') return part.required ? { field, code: 'required', message: REQUIRED_MESSAGE } : undefined;
  if (text.length > part.maxLength) return { field, code: 'too_long', message: `Saisissez au plus ${countOf(part.maxLength, 'caractère')}.` };
  setOwn(value, part.key, text);
  return undefined;
}

function checkCodes(value: Record<string, unknown>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const country = typeof value['country'] === 'string' ? value['country'].toUpperCase() : DEFAULTS.country;
  if (!COUNTRY.test(country)) {
    errors.push({ field: `${path}.country`, code: 'invalid_country', message: 'Indiquez le pays par son code à deux lettres, par exemple FR.' });
  }
  value['country'] = country;
  const postcode = value['postcode'];
  if (typeof postcode === 'string') {
    const compact = country === 'FR' ? postcode.replace(/\s/g, '') : postcode;
    if (country === 'FR' && !FRENCH_POSTCODE.test(compact)) {
      errors.push({ field: `${path}.postcode`, code: 'invalid_postcode', message: 'Saisissez un code postal valide de 5 chiffres, par exemple 75001.' });
    } else if (country !== 'FR' && !FOREIGN_POSTCODE.test(compact)) {
      errors.push({ field: `${path}.postcode`, code: 'invalid_postcode', message: 'Saisissez un code postal valide.' });
    }
    value['postcode'] = compact;
  }
  const banId = value['banId'];
  if (typeof banId === 'string' && !BAN_ID.test(banId)) {
    errors.push({ field: `${path}.banId`, code: 'invalid_ban_id', message: 'L’identifiant d’adresse (Base Adresse Nationale) est invalide.' });
  }
  return errors;
}

/** `address`: line1, postcode and city required; French postcodes are 5 digits not starting with 00. */
export function normaliseAddress(_field: AddressField, raw: unknown, path: string): Outcome {
  if (!isPlainObject(raw)) return fail(path, 'invalid_type', 'Saisissez une adresse : numéro et voie, code postal et commune.');
  const value: Record<string, unknown> = {};
  const errors = unknownKeys(raw, ADDRESS_PARTS.map((part) => part.key), path);
  for (const part of ADDRESS_PARTS) {
    const error = readPart(raw, part, path, value);
    if (error !== undefined) errors.push(error);
  }
  errors.push(...checkCodes(value, path));
  const address: AddressValue = value as unknown as AddressValue;
  return errors.length > 0 ? { ok: false, errors } : ok(address);
}

function readCoordinate(raw: Record<string, unknown>, key: 'lat' | 'lon', path: string, errors: FieldError[]): number | undefined {
  const limit = key === 'lat' ? 90 : 180;
  const label = key === 'lat' ? 'La latitude' : 'La longitude';
  const input = Object.hasOwn(raw, key) ? raw[key] : undefined;
  const value = parseNumber(input);
  if (input === undefined || input === null || input === '') {
    errors.push({ field: `${path}.${key}`, code: 'required', message: REQUIRED_MESSAGE });
  } else if (value === undefined) {
    errors.push({ field: `${path}.${key}`, code: 'invalid_number', message: `${label} doit être un nombre, par exemple 48.8566.` });
  } else if (Math.abs(value) > limit) {
    errors.push({ field: `${path}.${key}`, code: 'out_of_range', message: `${label} doit être comprise entre ${formatNumber(-limit)} et ${formatNumber(limit)}.` });
  } else {
    return value === 0 ? 0 : value;
  }
  return undefined;
}

/**
 * `geolocation`: latitude and longitude in range (WGS 84), with an optional address label; or,
 * where no map could be used (no JavaScript, no tiles), the address label alone. A lone latitude or
 * longitude is an error.
 */
export function normaliseGeolocation(_field: GeolocationField, raw: unknown, path: string): Outcome {
  if (!isPlainObject(raw)) return fail(path, 'invalid_type', 'Indiquez une position par sa latitude et sa longitude.');
  const errors = unknownKeys(raw, GEOLOCATION_KEYS, path);
  const address = Object.hasOwn(raw, 'address') ? raw['address'] : undefined;
  const label = typeof address === 'string' ? cleanText(address) : undefined;
  if (address !== undefined && address !== null && typeof address !== 'string') {
    errors.push({ field: `${path}.address`, code: 'invalid_type', message: 'Saisissez un texte.' });
  } else if (label !== undefined && label.length > 500) {
    errors.push({ field: `${path}.address`, code: 'too_long', message: `Saisissez au plus ${countOf(500, 'caractère')}.` });
  }
  const blank = (key: string) => !Object.hasOwn(raw, key) || raw[key] === undefined || raw[key] === null || raw[key] === '';
  if (blank('lat') && blank('lon') && label) {
    return errors.length > 0 ? { ok: false, errors } : ok({ address: label } satisfies GeolocationValue);
  }
  const lat = readCoordinate(raw, 'lat', path, errors);
  const lon = readCoordinate(raw, 'lon', path, errors);
  if (errors.length > 0 || lat === undefined || lon === undefined) return { ok: false, errors };
  const value: GeolocationValue = label === undefined || label === '' ? { lat, lon } : { lat, lon, address: label };
  return ok(value);
}
