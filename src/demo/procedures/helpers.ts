/** Small builders shared by the demo procedure definitions and their data generators. */
import type { SelectOption } from '../../procedures/form/definition.js';
import type { Rng } from '../prng.js';

/** Options from `[value, label]` pairs, the way they read in a form. */
export function options(pairs: readonly (readonly [string, string])[]): SelectOption[] {
  return pairs.map(([value, label]) => ({ value, label }));
}

/** The label of a value, for case subjects. */
export function labelOf(pairs: readonly (readonly [string, string])[], value: unknown): string {
  return pairs.find(([v]) => v === value)?.[1] ?? String(value);
}

/** `isoDate` shifted by `days` (negative goes back), as YYYY-MM-DD. */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** `isoDate` shifted by whole years (29 February falls back to the 28th). */
export function addYears(isoDate: string, years: number): string {
  const year = Number(isoDate.slice(0, 4)) + years;
  const rest = isoDate.slice(4) === '-02-29' ? '-02-28' : isoDate.slice(4);
  return `${String(year).padStart(4, '0')}${rest}`;
}

/** Between `min` and `max` distinct items of `items`, in their original order. */
export function someOf<T>(rng: Rng, items: readonly T[], min: number, max: number): T[] {
  const wanted = rng.int(min, Math.min(max, items.length));
  const chosen = new Set<number>();
  while (chosen.size < wanted) chosen.add(rng.int(0, items.length - 1));
  return items.filter((_, index) => chosen.has(index));
}

/** A one-line sentence picked from a list and completed, for free-text answers. */
export function sentence(rng: Rng, templates: readonly string[], ...fills: string[]): string {
  return rng.pick(templates).replace(/\{(\d)\}/g, (_, i: string) => fills[Number(i)] ?? '');
}
