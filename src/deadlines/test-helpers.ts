import { DateTime } from 'luxon';

const ZONE = 'Europe/Paris';

/** Instant from a local Paris wall-clock ISO string ("2026-01-09T17:00"). */
export function paris(localIso: string): Date {
  const dateTime = DateTime.fromISO(localIso, { zone: ZONE });
  if (!dateTime.isValid) throw new Error(`bad test date ${localIso}`);
  return dateTime.toJSDate();
}

/** Paris wall-clock rendering with offset, e.g. "2026-03-30T10:00:00.000+02:00". */
export function inParis(date: Date | null): string | null {
  return date && DateTime.fromJSDate(date, { zone: ZONE }).toISO();
}
