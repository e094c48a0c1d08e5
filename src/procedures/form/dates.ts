/**
 * Calendar-date helpers shared by the definition checker and the submission validator.
 * Dates are handled as ISO strings (`YYYY-MM-DD`) so they compare lexicographically and
 * never suffer from time-zone shifts.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FRENCH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= (lengths[month - 1] ?? 0);
}

/** True when `value` is an existing calendar day written `YYYY-MM-DD` (rejects 2026-02-30). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  return match !== null && isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * Reads a date typed by a person: ISO `YYYY-MM-DD` (HTML date inputs, API) or French
 * `JJ/MM/AAAA` (back-office, paper forms). Returns the ISO string, or undefined if invalid.
 */
export function parseDateInput(input: string): string | undefined {
  const value = input.trim();
  if (isIsoDate(value)) return value;
  const match = FRENCH_DATE.exec(value);
  if (match === null) return undefined;
  const iso = `${match[3]}-${(match[2] ?? '').padStart(2, '0')}-${(match[1] ?? '').padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}

/** Today's date in UTC as `YYYY-MM-DD`, the default reference for `today` bounds. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Resolves a date bound of the language: an ISO date, or `today` relative to `today`. */
export function resolveDateBound(bound: string, today: string): string {
  return bound === 'today' ? today : bound;
}

/** Formats an ISO date the French way (`2025-07-14` → `14/07/2025`) for messages. */
export function formatFrenchDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${day ?? ''}/${month ?? ''}/${year ?? ''}`;
}
