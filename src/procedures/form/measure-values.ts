/** Normalisation of `number` and `date` values, with their bounds. */
import type { DateField, NumberField } from './definition.js';
import { formatFrenchDate, isIsoDate, parseDateInput, resolveDateBound } from './dates.js';
import { fail, formatNumber, ok } from './field-errors.js';
import type { NormaliseContext, Outcome } from './field-errors.js';

const NUMERIC_STRING = /^-?\d{1,20}(?:[.,]\d{1,20})?$/;
const NUMBER_MESSAGE = 'Saisissez un nombre, par exemple 12 ou 12,5.';

/** Reads a number, or a string of digits (optionally signed, decimal point or comma) as HTML forms send. */
export function parseNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!NUMERIC_STRING.test(text)) return undefined;
  const value = Number(text.replace(',', '.'));
  return Number.isFinite(value) ? value : undefined;
}

function rangeMessage(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `Saisissez un nombre compris entre ${formatNumber(min)} et ${formatNumber(max)}.`;
  if (min !== undefined) return `Saisissez un nombre supérieur ou égal à ${formatNumber(min)}.`;
  return `Saisissez un nombre inférieur ou égal à ${formatNumber(max ?? 0)}.`;
}

/** `number`: a finite number (from a number or a numeric string), integer if asked, within bounds. */
export function normaliseNumber(field: NumberField, raw: unknown, path: string): Outcome {
  const parsed = parseNumber(raw);
  if (parsed === undefined) {
    return fail(path, typeof raw === 'string' || typeof raw === 'number' ? 'invalid_number' : 'invalid_type', NUMBER_MESSAGE);
  }
  const value = parsed === 0 ? 0 : parsed;
  if (field.integer === true && !Number.isInteger(value)) return fail(path, 'not_integer', 'Saisissez un nombre entier, sans virgule.');
  if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)) {
    return fail(path, 'out_of_range', rangeMessage(field.min, field.max));
  }
  return ok(value);
}

/** `date`: an existing calendar day (ISO or JJ/MM/AAAA), stored as ISO, within bounds. */
export function normaliseDate(field: DateField, raw: unknown, path: string, ctx: NormaliseContext): Outcome {
  const value = typeof raw === 'string' ? parseDateInput(raw) : undefined;
  if (value === undefined) return fail(path, 'invalid_date', 'Saisissez une date valide, par exemple 14/07/2025.');
  const min = field.min === undefined ? undefined : resolveDateBound(field.min, ctx.today);
  const max = field.max === undefined ? undefined : resolveDateBound(field.max, ctx.today);
  if (isIsoDate(min) && value < min) {
    return fail(path, 'out_of_range', field.min === 'today' ? 'La date ne peut pas être dans le passé.' : `Saisissez une date à partir du ${formatFrenchDate(min)}.`);
  }
  if (isIsoDate(max) && value > max) {
    return fail(path, 'out_of_range', field.max === 'today' ? 'La date ne peut pas être dans le futur.' : `Saisissez une date au plus tard le ${formatFrenchDate(max)}.`);
  }
  return ok(value);
}
