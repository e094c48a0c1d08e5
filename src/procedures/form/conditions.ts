/**
 * Evaluation of visibility conditions. Shared by the validator, the portal (to show or
 * hide fields while the citizen types) and the back-office (to display submitted data).
 */
import { CONDITION_OPERATORS } from './definition.js';
import type { Condition } from './definition.js';

/** Field values a condition is evaluated against, keyed by field name (normalised values). */
export type ConditionValues = Readonly<Record<string, unknown>>;

const MAX_DEPTH = 32;
const OPERATORS = new Set<unknown>(CONDITION_OPERATORS);

/** True for "no answer": undefined, null, blank string or empty array. `false` and `0` are answers. */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function equals(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((item) => expected.includes(item));
  }
  return actual === expected;
}

function isIn(actual: unknown, expected: unknown): boolean {
  if (!Array.isArray(expected)) return false;
  if (Array.isArray(actual)) return actual.some((item) => expected.includes(item));
  return expected.includes(actual);
}

function compare(actual: unknown, expected: unknown): number | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  if (typeof actual === 'string' && typeof expected === 'string') {
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  return undefined;
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.includes(expected);
  return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
}

function testOperator(op: unknown, actual: unknown, expected: unknown): boolean {
  const order = (): number | undefined => (isEmptyValue(actual) ? undefined : compare(actual, expected));
  switch (op) {
    case 'eq': return equals(actual, expected);
    case 'neq': return !equals(actual, expected);
    case 'in': return isIn(actual, expected);
    case 'notIn': return !isIn(actual, expected);
    case 'gt': return (order() ?? 0) > 0;
    case 'gte': { const c = order(); return c !== undefined && c >= 0; }
    case 'lt': return (order() ?? 0) < 0;
    case 'lte': { const c = order(); return c !== undefined && c <= 0; }
    case 'filled': return !isEmptyValue(actual);
    case 'empty': return isEmptyValue(actual);
    case 'contains': return contains(actual, expected);
    default: return false;
  }
}

/** The condition's truth, or undefined when it is malformed (anywhere in the tree). */
function evaluate(condition: unknown, values: ConditionValues, depth: number): boolean | undefined {
  if (!isRecord(condition) || depth > MAX_DEPTH) return undefined;
  const all = own(condition, 'all');
  const any = own(condition, 'any');
  if (Array.isArray(all) || Array.isArray(any)) {
    const results = ((all ?? any) as unknown[]).map((item) => evaluate(item, values, depth + 1));
    if (results.includes(undefined)) return undefined;
    return Array.isArray(all) ? results.every(Boolean) : results.some(Boolean);
  }
  if (Object.hasOwn(condition, 'not')) {
    const inner = evaluate(condition['not'], values, depth + 1);
    return inner === undefined ? undefined : !inner;
  }
  const field = own(condition, 'field');
  const op = own(condition, 'op');
  if (typeof field !== 'string' || !OPERATORS.has(op)) return undefined;
  const actual = Object.hasOwn(values, field) ? values[field] : undefined;
  return testOperator(op, actual, own(condition, 'value'));
}

/**
 * Whether a page or field with this `visibleWhen` is shown, given the current values.
 * No condition means visible. Missing fields count as empty; ordering operators
 * (gt, gte, lt, lte) compare numbers with numbers and ISO dates with ISO dates, and are
 * false otherwise. A condition malformed anywhere is false as a whole (fail closed)
 * rather than throwing.
 */
export function isVisible(condition: Condition | undefined, values: ConditionValues): boolean {
  return condition === undefined || evaluate(condition, values, 0) === true;
}
