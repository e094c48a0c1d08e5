/**
 * THE validator of form submissions. Every entry point (REST API, citizen portal,
 * back-office, e-mail intake…) goes through `validateSubmission`, so a submission is
 * accepted or refused with the same rules and the same French messages everywhere.
 */
import { DEFAULTS } from './definition.js';
import type { Field, FormDefinition, FormPage, GroupField } from './definition.js';
import { isVisible } from './conditions.js';
import type { ConditionValues } from './conditions.js';
import { isIsoDate, todayUtc } from './dates.js';
import { countOf, fail, isPlainObject, REQUIRED_MESSAGE, setOwn } from './field-errors.js';
import type { FieldError, NormaliseContext, Outcome } from './field-errors.js';
import { normaliseLeaf } from './leaf-values.js';

export type { FieldError } from './field-errors.js';
export { isEmptyValue, isVisible } from './conditions.js';
export type { ConditionValues } from './conditions.js';

/** How a submission is validated. */
export interface ValidationContext {
  /**
   * What to do with a value sent for a field hidden by its conditions: `reject` (API
   * clients, which should know better) or `drop` (HTML forms, which post every input).
   */
  hiddenFields: 'reject' | 'drop';
  /** ISO date used for `today` bounds; defaults to today in UTC. */
  today?: string;
  /** Ids of the citizen's household members, when known; `householdMember` values must be among them. */
  householdMemberIds?: string[];
}

/** Outcome of `validateSubmission`: the normalised values, or every error found. */
export type ValidationResult = { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldError[] };

/** A top-level field with the page it is on. */
export interface ListedField { field: Field; page: FormPage }

interface Run extends NormaliseContext { hiddenFields: 'reject' | 'drop'; errors: FieldError[] }

/** Where a list of fields reads its values from and writes its normalised values to. */
interface Container {
  raw: Record<string, unknown>;
  output: Record<string, unknown>;
  /** Path prefix of the container's fields: `''` or `children[0].`. */
  prefix: string;
  /** Values outside the container that conditions can see (top-level values, for a group item). */
  outer?: ConditionValues;
}

const blankScalar = (item: unknown): boolean =>
  item === undefined || item === null || (typeof item === 'string' && item.trim() === '');

/**
 * True when the raw value means "no answer": nothing, a blank string, a list of blanks
 * or, for places, an object whose parts are all blank (a country alone is no address).
 */
function isBlank(field: Field, raw: unknown): boolean {
  if (blankScalar(raw)) return true;
  if (Array.isArray(raw)) return raw.every(blankScalar);
  if ((field.type === 'address' || field.type === 'geolocation') && isPlainObject(raw)) {
    return Object.entries(raw).every(([key, part]) => key === 'country' || blankScalar(part));
  }
  return false;
}

function pagesOf(def: FormDefinition): FormPage[] {
  return Array.isArray(def?.pages) ? def.pages : [];
}

function fieldsOf(container: { fields?: unknown } | undefined): Field[] {
  return Array.isArray(container?.fields) ? (container.fields as Field[]) : [];
}

function unknownKeys(raw: Record<string, unknown>, fields: Field[], prefix: string): FieldError[] {
  const known = new Set(fields.map((field) => field.name));
  return Object.keys(raw)
    .filter((key) => !known.has(key))
    .map((key) => ({ field: `${prefix}${key}`, code: 'unknown_field', message: 'Ce champ n’existe pas dans le formulaire.' }));
}

function conditionValues(container: Container): ConditionValues {
  return container.outer === undefined ? container.output : { ...container.outer, ...container.output };
}

/** Validates `fields` of `container` in order; `shown` is false when their page is hidden. */
function validateFields(fields: Field[], container: Container, shown: boolean, run: Run): void {
  for (const field of fields) {
    const path = `${container.prefix}${field.name}`;
    const present = Object.hasOwn(container.raw, field.name);
    const raw = present ? container.raw[field.name] : undefined;
    if (!shown || !isVisible(field.visibleWhen, conditionValues(container))) {
      if (present && run.hiddenFields === 'reject' && !isBlank(field, raw)) {
        run.errors.push({ field: path, code: 'hidden_field', message: 'Ce champ ne s’applique pas compte tenu des autres réponses : ne le renseignez pas.' });
      }
      continue;
    }
    if (isBlank(field, raw)) {
      if (field.required === true) run.errors.push({ field: path, code: 'required', message: REQUIRED_MESSAGE });
      continue;
    }
    const outcome = field.type === 'group'
      ? validateGroup(field, raw, path, conditionValues(container), run)
      : normaliseLeaf(field, raw, path, run);
    if (outcome.ok) setOwn(container.output, field.name, outcome.value);
    else run.errors.push(...outcome.errors);
  }
}

/** A repeatable group: a bounded list of objects, each validated like a small form. */
function validateGroup(group: GroupField, raw: unknown, path: string, outer: ConditionValues, run: Run): Outcome {
  if (!Array.isArray(raw)) return fail(path, 'invalid_type', 'Ce bloc doit contenir une liste d’éléments.');
  const maxItems = group.maxItems ?? DEFAULTS.groupMaxItems;
  if (raw.length > maxItems) return fail(path, 'too_many', `Vous pouvez ajouter au plus ${countOf(maxItems, 'élément')}.`);
  if (group.minItems !== undefined && raw.length < group.minItems) {
    return fail(path, 'too_few', `Ajoutez au moins ${countOf(group.minItems, 'élément')}.`);
  }
  const itemRun: Run = { ...run, errors: [] };
  const fields = fieldsOf(group);
  const items = raw.map((item: unknown, index) => {
    const prefix = `${path}[${index}].`;
    const output: Record<string, unknown> = {};
    if (!isPlainObject(item)) {
      itemRun.errors.push({ field: `${path}[${index}]`, code: 'invalid_type', message: 'Cet élément doit être un objet.' });
      return output;
    }
    validateFields(fields, { raw: item, output, prefix, outer }, true, itemRun);
    itemRun.errors.push(...unknownKeys(item, fields, prefix));
    return output;
  });
  return itemRun.errors.length > 0 ? { ok: false, errors: itemRun.errors } : { ok: true, value: items };
}

/**
 * Validates and normalises a submission of the form `def`. Visibility is evaluated in
 * form order (pages, then fields), each condition seeing the normalised values of the
 * visible fields before it; a field on a hidden page is hidden. A blank value sent for a
 * hidden field is ignored even when rejecting hidden fields. All errors are collected and
 * nothing is thrown, whatever `data` is. On success `value` holds only the visible,
 * non-blank answers, normalised (trimmed text, E.164 phones, numbers, booleans, ISO dates…).
 */
export function validateSubmission(def: FormDefinition, data: unknown, ctx: ValidationContext): ValidationResult {
  if (!isPlainObject(data)) {
    return { ok: false, errors: [{ field: '', code: 'invalid_type', message: 'Les données du formulaire doivent être un objet.' }] };
  }
  const run: Run = {
    hiddenFields: ctx?.hiddenFields === 'drop' ? 'drop' : 'reject',
    today: isIsoDate(ctx?.today) ? ctx.today : todayUtc(),
    householdMemberIds: Array.isArray(ctx?.householdMemberIds) ? new Set(ctx.householdMemberIds) : undefined,
    errors: [],
  };
  const container: Container = { raw: data, output: {}, prefix: '' };
  for (const page of pagesOf(def)) {
    validateFields(fieldsOf(page), container, isVisible(page.visibleWhen, container.output), run);
  }
  run.errors.push(...unknownKeys(data, listFields(def).map(({ field }) => field), ''));
  return run.errors.length > 0 ? { ok: false, errors: run.errors } : { ok: true, value: container.output };
}

/**
 * Top-level fields of the form with their page, in form order, to render forms or show
 * submitted data with labels. Fields of a repeatable group are in the group's `fields`.
 */
export function listFields(def: FormDefinition): ListedField[] {
  return pagesOf(def).flatMap((page) => fieldsOf(page).map((field) => ({ field, page })));
}
