/**
 * Normalisation of free-text values (`text`, `textarea`, `email`): Unicode clean-up,
 * trimming, length bounds, pattern and e-mail syntax.
 */
import { DEFAULTS } from './definition.js';
import type { EmailField, TextareaField, TextField } from './definition.js';
import { countOf, fail, formatNumber, ok } from './field-errors.js';
import type { Outcome } from './field-errors.js';
import { compilePattern } from './text-pattern.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LINE_BREAKS = /\r\n?|\n|\t/g;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;
const EMAIL_MESSAGE = 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr.';

/**
 * Makes a string safe to store and compare: lone surrogates replaced, control characters
 * (including NUL, refused by PostgreSQL) removed, NFC-composed, trimmed. Single-line text
 * turns line breaks and tabs into spaces; multi-line text keeps `\n` only.
 */
export function cleanText(value: string, multiline = false): string {
  const safe = value.replace(LONE_SURROGATE, '\uFFFD');
  const lines = multiline ? safe.replace(/\r\n?/g, '\n') : safe.replace(LINE_BREAKS, ' ');
  return lines.replace(CONTROL_CHARS, '').normalize('NFC').trim();
}

/** Number of characters as a person counts them (code points), computed only when needed. */
function lengthOf(value: string, limit: number): number {
  return value.length <= limit ? value.length : Array.from(value).length;
}

function checkLength(field: string, value: string, min: number | undefined, max: number): Outcome | undefined {
  const length = lengthOf(value, max);
  if (length > max) return fail(field, 'too_long', `Saisissez au plus ${countOf(max, 'caractère')} (vous en avez saisi ${formatNumber(length)}).`);
  if (min !== undefined && length < min) return fail(field, 'too_short', `Saisissez au moins ${countOf(min, 'caractère')}.`);
  return undefined;
}

/** `text` and `textarea`: a trimmed string within its bounds, matching `pattern` if any. */
export function normaliseText(field: TextField | TextareaField, raw: unknown, path: string): Outcome {
  if (typeof raw !== 'string') return fail(path, 'invalid_type', 'Saisissez un texte.');
  const multiline = field.type === 'textarea';
  const value = cleanText(raw, multiline);
  const max = field.maxLength ?? (multiline ? DEFAULTS.textareaMaxLength : DEFAULTS.textMaxLength);
  const lengthError = checkLength(path, value, field.minLength, max);
  if (lengthError !== undefined) return lengthError;
  if (field.type === 'text' && typeof field.pattern === 'string') {
    const pattern = compilePattern(field.pattern);
    if (pattern !== undefined && !pattern.test(value)) {
      return fail(path, 'pattern', field.patternMessage ?? 'Le format de votre saisie n’est pas valide.');
    }
  }
  return ok(value);
}

/** `email`: syntax checked pragmatically (a dot in the domain is required), domain lower-cased. */
export function normaliseEmail(_field: EmailField, raw: unknown, path: string): Outcome {
  if (typeof raw !== 'string') return fail(path, 'invalid_email', EMAIL_MESSAGE);
  const value = cleanText(raw);
  if (value.length > 254 || !EMAIL.test(value)) return fail(path, 'invalid_email', EMAIL_MESSAGE);
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return fail(path, 'invalid_email', EMAIL_MESSAGE);
  return ok(`${local}@${value.slice(at + 1).toLowerCase()}`);
}
