/**
 * Normalisation of answers chosen from a list: `select`, `radio`, `checkboxes`, `yesno`,
 * `householdMember` and `file` (a list of attachment ids).
 */
import { DEFAULTS } from './definition.js';
import type { CheckboxesField, FileField, HouseholdMemberField, RadioField, SelectField, YesNoField } from './definition.js';
import { countOf, fail, ok } from './field-errors.js';
import type { NormaliseContext, Outcome } from './field-errors.js';

const ATTACHMENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const YES = new Set(['true', 'oui']);
const NO = new Set(['false', 'non']);
const OPTION_MESSAGE = 'Choisissez une des options proposées.';

/** A scalar as submitted by a form or an API client, as a trimmed string. */
function asString(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** Non-blank items of a list, accepting a single value as a one-item list (HTML forms). */
function asList(raw: unknown): unknown[] {
  const items = Array.isArray(raw) ? raw : [raw];
  return items.filter((item) => item !== null && item !== undefined && !(typeof item === 'string' && item.trim() === ''));
}

function hasOption(field: SelectField | RadioField | CheckboxesField, value: string | undefined): value is string {
  return value !== undefined && Array.isArray(field.options) && field.options.some((option) => option.value === value);
}

/** `select` and `radio`: one of the option values. */
export function normaliseChoice(field: SelectField | RadioField, raw: unknown, path: string): Outcome {
  const value = asString(raw);
  return hasOption(field, value) ? ok(value) : fail(path, 'not_an_option', OPTION_MESSAGE);
}

/** `checkboxes`: distinct option values, between `minItems` and `maxItems` of them. */
export function normaliseCheckboxes(field: CheckboxesField, raw: unknown, path: string): Outcome {
  const values: string[] = [];
  for (const item of asList(raw)) {
    const value = asString(item);
    if (!hasOption(field, value)) return fail(path, 'not_an_option', OPTION_MESSAGE);
    if (!values.includes(value)) values.push(value);
  }
  if (field.minItems !== undefined && values.length < field.minItems) {
    return fail(path, 'too_few', `Cochez au moins ${countOf(field.minItems, 'case')}.`);
  }
  if (field.maxItems !== undefined && values.length > field.maxItems) {
    return fail(path, 'too_many', `Cochez au plus ${countOf(field.maxItems, 'case')}.`);
  }
  return ok(values);
}

/** `yesno`: a boolean, also read from `oui`/`non`/`true`/`false` in any case. */
export function normaliseYesNo(_field: YesNoField, raw: unknown, path: string): Outcome {
  if (typeof raw === 'boolean') return ok(raw);
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (YES.has(text)) return ok(true);
  if (NO.has(text)) return ok(false);
  return fail(path, 'not_an_option', 'Répondez par oui ou par non.');
}

/** `householdMember`: a member id, which must belong to the household when it is known. */
export function normaliseHouseholdMember(_field: HouseholdMemberField, raw: unknown, path: string, ctx: NormaliseContext): Outcome {
  const id = asString(raw);
  if (id === undefined || id === '' || id.length > 64) return fail(path, 'invalid_type', 'Choisissez une personne de votre foyer.');
  if (ctx.householdMemberIds !== undefined && !ctx.householdMemberIds.has(id)) {
    return fail(path, 'not_household_member', 'Cette personne ne fait pas partie de votre foyer.');
  }
  return ok(id);
}

/** `file`: distinct attachment ids, at most `maxFiles`; the files themselves are checked elsewhere. */
export function normaliseFile(field: FileField, raw: unknown, path: string): Outcome {
  const ids: string[] = [];
  for (const item of asList(raw)) {
    const id = typeof item === 'string' ? item.trim() : '';
    if (!ATTACHMENT_ID.test(id)) return fail(path, 'invalid_attachment', 'Une pièce jointe est invalide : déposez le fichier à nouveau.');
    if (!ids.includes(id)) ids.push(id);
  }
  const maxFiles = field.maxFiles ?? DEFAULTS.maxFiles;
  if (ids.length > maxFiles) return fail(path, 'too_many', `Vous pouvez joindre au plus ${countOf(maxFiles, 'fichier')}.`);
  return ok(ids);
}
