/**
 * Error and result shapes shared by the submission validator and its per-type
 * normalisers, plus small helpers to build them.
 */

/**
 * One problem in a submission. `field` is a path (`email`, `home.postcode`,
 * `children[0].firstName`, or `''` for the whole submission); `code` is a stable machine
 * code; `message` is French and shown as is to the citizen or agent.
 */
export interface FieldError { field: string; code: string; message: string }

/** Result of normalising one value: the clean value, or the errors found in it. */
export type Outcome = { ok: true; value: unknown } | { ok: false; errors: FieldError[] };

/** What the normalisers need to know beyond the field and the raw value. */
export interface NormaliseContext {
  /** ISO date used for `today` bounds. */
  today: string;
  /** When known, the only member ids a `householdMember` field accepts. */
  householdMemberIds: ReadonlySet<string> | undefined;
}

/** Message of the `required` code, reused for the parts of compound values. */
export const REQUIRED_MESSAGE = 'Ce champ est obligatoire.';

/** A successful outcome. */
export function ok(value: unknown): Outcome {
  return { ok: true, value };
}

/** A failed outcome with a single error at `field`. */
export function fail(field: string, code: string, message: string): Outcome {
  return { ok: false, errors: [{ field, code, message }] };
}

/** `1 caractère`, `2 caractères`, `10 000 caractères`. */
export function countOf(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(count)} ${count > 1 || count === 0 ? pluralForm : singular}`;
}

/** A number written the French way (`12,5`, `10 000`) for messages. */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 10 }).format(value);
}

/** True for a JSON-like object: not null, not an array, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Sets an own enumerable property even for keys such as `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
