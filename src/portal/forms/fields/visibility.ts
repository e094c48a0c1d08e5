/**
 * Which fields of a page are shown, decided on the server with the validator's own semantics:
 * conditions see the normalised answers of the visible fields placed before them, so the page a
 * citizen gets back matches what `validateSubmission` will keep.
 */
import type { Condition, Field, FieldCondition } from '../../../procedures/form/definition.js';
import { isEmptyValue } from '../../../procedures/form/conditions.js';
import { parseDateInput, todayUtc } from '../../../procedures/form/dates.js';
import { normaliseLeaf } from '../../../procedures/form/leaf-values.js';
import { parseNumber } from '../../../procedures/form/measure-values.js';
import { isRecord, own, setOwn } from './paths.js';

const YES = new Set(['true', 'oui']);
const NO = new Set(['false', 'non']);

/** Every `{ field, op, value }` leaf of a condition (bounded depth, malformed parts skipped). */
export function conditionLeaves(condition: unknown, depth = 0): FieldCondition[] {
  if (!isRecord(condition) || depth > 32) return [];
  for (const key of ['all', 'any'] as const) {
    const list = own(condition, key);
    if (Array.isArray(list)) return list.flatMap((item) => conditionLeaves(item, depth + 1));
  }
  if (Object.hasOwn(condition, 'not')) return conditionLeaves(condition['not'], depth + 1);
  return typeof own(condition, 'field') === 'string' ? [condition as unknown as FieldCondition] : [];
}

/**
 * A raw answer of a field defined on another page, read the way a condition compares it: the
 * draft keeps what was posted ("true", "12", "12/04/2026"), the condition holds typed values.
 */
function typedLike(raw: unknown, expected: unknown): unknown {
  const sample = Array.isArray(expected) ? expected[0] : expected;
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (typeof sample === 'boolean') return YES.has(text.toLowerCase()) ? true : NO.has(text.toLowerCase()) ? false : raw;
  if (typeof sample === 'number') return parseNumber(text) ?? raw;
  if (typeof sample === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(sample)) return parseDateInput(text) ?? raw;
  return raw;
}

/** Values of the fields named in `conditions` that are not among `fields` (other pages), typed for comparison. */
export function outerValues(conditions: (Condition | undefined)[], fields: Field[], values: Record<string, unknown>): Record<string, unknown> {
  const local = new Set(fields.map((field) => field.name));
  const result: Record<string, unknown> = {};
  for (const leaf of conditions.flatMap((condition) => conditionLeaves(condition))) {
    if (local.has(leaf.field) || !Object.hasOwn(values, leaf.field)) continue;
    setOwn(result, leaf.field, typedLike(values[leaf.field], leaf.value));
  }
  return result;
}

/** The normalised answer of a visible field for conditions, or undefined when blank or invalid (as the validator drops it). */
export function conditionValueOf(field: Field, raw: unknown): unknown {
  if (raw === undefined || isEmptyValue(raw)) return undefined;
  if (field.type === 'group') return Array.isArray(raw) && raw.length > 0 ? raw : undefined;
  const outcome = normaliseLeaf(field, raw, field.name, { today: todayUtc(), householdMemberIds: undefined });
  return outcome.ok ? outcome.value : undefined;
}

/** Conditions of the fields of a page and of the fields of its groups. */
export function pageConditions(fields: Field[]): (Condition | undefined)[] {
  return fields.flatMap((field) => [field.visibleWhen, ...(field.type === 'group' && Array.isArray(field.fields) ? field.fields.map((f) => f.visibleWhen) : [])]);
}
