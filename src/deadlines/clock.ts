/**
 * Internal machinery of business-time deadlines: walks local days, turns opening
 * hours into instants, removes paused time. Not meant to be imported outside
 * `src/deadlines/`; use `business-time.ts`.
 */
import { DateTime } from 'luxon';
import { localDate } from './local-date.js';
import { isPublicHoliday } from './holidays.js';
import { DAY_KEYS, checkOpeningHours, parseTime } from './opening-hours.js';
import type { OpeningHours } from './opening-hours.js';

/** Half-open span of instants `[start, end)` in epoch milliseconds. */
export type Span = readonly [number, number];

export type BusinessUnit = 'business_days' | 'business_hours';

export interface ClockCalendar {
  zone: string;
  openingHours: OpeningHours;
  alsaceMoselle?: boolean;
}

/**
 * One local day of running clock: its active spans and how many ms of them make
 * one unit (1 for hours, counted in ms; the day's whole open time for days).
 */
interface ClockDay {
  dayStart: number;
  spans: Span[];
  unitMs: number;
}

const EPSILON = 1e-9;
const MAX_DAYS = 366 * 200;

/** Rejects calendars that would make a walk meaningless or endless. */
const checkedCalendars = new Set<string>();

export function assertCalendar(calendar: ClockCalendar, unit?: BusinessUnit): void {
  const checkedKey = `${calendarKey(calendar)}|${unit ?? ''}`;
  if (checkedCalendars.has(checkedKey)) return;
  assertCalendarUncached(calendar, unit);
  if (checkedCalendars.size >= 1_000) checkedCalendars.clear();
  checkedCalendars.add(checkedKey);
}

function assertCalendarUncached(calendar: ClockCalendar, unit?: BusinessUnit): void {
  if (!DateTime.now().setZone(calendar.zone).isValid) {
    throw new RangeError(`Fuseau horaire invalide « ${calendar.zone} ».`);
  }
  const errors = checkOpeningHours(calendar.openingHours);
  if (errors.length > 0) throw new RangeError(`Horaires d'ouverture invalides : ${errors.join(' ')}`);
  const days = unit === 'business_days' ? DAY_KEYS.slice(0, 5) : DAY_KEYS;
  if (unit && !days.some((day) => (calendar.openingHours[day]?.length ?? 0) > 0)) {
    throw new RangeError(
      unit === 'business_days'
        ? "Aucun jour ouvré : les horaires d'ouverture ne comportent aucune plage du lundi au vendredi."
        : "Aucune plage d'ouverture : impossible de compter des heures ouvrées.",
    );
  }
}

/** One local day of the calendar: its start, weekday and opening spans as instants. */
interface LocalDay {
  dayStart: number;
  weekday: number;
  open: Span[];
  next: string;
}

/**
 * Local days already turned into instants, per calendar. Every intake walks the same few weeks
 * ahead, and luxon's zone arithmetic is costly: computing a day once per process (bounded, as
 * opening hours may change) keeps the deadline off the intake's critical path.
 */
const localDays = new Map<string, LocalDay>();
const LOCAL_DAYS_MAX = 50_000;

function calendarKey(calendar: ClockCalendar): string {
  return `${calendar.zone}|${calendar.alsaceMoselle ? 1 : 0}|${JSON.stringify(calendar.openingHours)}`;
}

function localDay(isoDate: string, calendar: ClockCalendar, key: string): LocalDay {
  const cacheKey = `${key}|${isoDate}`;
  let cached = localDays.get(cacheKey);
  if (!cached) {
    const day = DateTime.fromISO(isoDate, { zone: calendar.zone });
    cached = { dayStart: day.toMillis(), weekday: day.weekday, open: openSpans(day, calendar), next: day.plus({ days: 1 }).toISODate()! };
    if (localDays.size >= LOCAL_DAYS_MAX) localDays.clear();
    localDays.set(cacheKey, cached);
  }
  return cached;
}

/** Opening spans of one local day as instants, sorted; empty on public holidays. */
function openSpans(day: DateTime, calendar: ClockCalendar): Span[] {
  const ranges = calendar.openingHours[DAY_KEYS[day.weekday - 1]!] ?? [];
  if (ranges.length === 0) return [];
  if (isPublicHoliday(day.toISODate()!, { alsaceMoselle: calendar.alsaceMoselle ?? false })) return [];
  const at = (time: string): number => {
    const minutes = parseTime(time)!;
    const { year, month, day: date } = day;
    const wallClock = { year, month, day: date, hour: Math.floor(minutes / 60), minute: minutes % 60 };
    return DateTime.fromObject(wallClock, { zone: calendar.zone }).toMillis();
  };
  return ranges.map(([start, end]): Span => [at(start), at(end)]).sort((a, b) => a[0] - b[0]);
}

/** Sorted, merged spans; an open pause is kept only when `openUntil` is given. */
export function pauseSpans(pauses: readonly { from: Date; to: Date | null }[], notBefore: number, openUntil?: number): Span[] {
  const spans: Span[] = [];
  for (const { from, to } of pauses) {
    const end = to === null ? openUntil : to.getTime();
    const start = Math.max(from.getTime(), notBefore);
    if (end !== undefined && end > start) spans.push([start, end]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** `spans` minus `holes` (both sorted). */
function subtract(spans: readonly Span[], holes: readonly Span[]): Span[] {
  const result: Span[] = [];
  for (const [spanStart, spanEnd] of spans) {
    let cursor = spanStart;
    for (const [holeStart, holeEnd] of holes) {
      if (holeEnd <= cursor || holeStart >= spanEnd) continue;
      if (holeStart > cursor) result.push([cursor, holeStart]);
      cursor = Math.max(cursor, holeEnd);
    }
    if (cursor < spanEnd) result.push([cursor, spanEnd]);
  }
  return result;
}

/**
 * Local days on which the clock runs, from receipt onwards. Business days start
 * the day after the receipt day and skip weekends; business hours start at the
 * receipt instant and use every non-holiday day that has opening hours.
 */
function* clockDays(unit: BusinessUnit, receivedAt: Date, calendar: ClockCalendar, pauses: readonly Span[]): Generator<ClockDay> {
  const receivedMs = receivedAt.getTime();
  const key = calendarKey(calendar);
  let day = localDay(localDate(receivedAt, calendar.zone), calendar, key);
  if (unit === 'business_days') day = localDay(day.next, calendar, key);
  for (let walked = 0; walked < MAX_DAYS; walked++, day = localDay(day.next, calendar, key)) {
    if (unit === 'business_days' && day.weekday > 5) continue;
    const open = day.open;
    if (open.length === 0) continue;
    const clipped = open
      .map(([start, end]): Span => [Math.max(start, receivedMs), end])
      .filter(([start, end]) => end > start);
    const unitMs = unit === 'business_hours' ? 1 : open.reduce((sum, [start, end]) => sum + end - start, 0);
    yield { dayStart: day.dayStart, spans: subtract(clipped, pauses), unitMs };
  }
  throw new RangeError('Échéance introuvable : aucun temps ouvré dans les 200 ans suivant la réception.');
}

/** Instant at which `amount` units of running clock have elapsed since receipt. */
export function advance(unit: BusinessUnit, receivedAt: Date, amount: number, calendar: ClockCalendar, pauses: readonly Span[]): Date {
  let remaining = amount;
  for (const { spans, unitMs } of clockDays(unit, receivedAt, calendar, pauses)) {
    for (const [start, end] of spans) {
      const value = (end - start) / unitMs;
      if (value >= remaining - EPSILON) return new Date(Math.min(end, start + Math.round(remaining * unitMs)));
      remaining -= value;
    }
  }
  throw new RangeError('Échéance introuvable.');
}

/** Units of running clock elapsed between receipt and `until`. */
export function measure(unit: BusinessUnit, receivedAt: Date, until: Date, calendar: ClockCalendar, pauses: readonly Span[]): number {
  const untilMs = until.getTime();
  let total = 0;
  if (untilMs <= receivedAt.getTime()) return total;
  for (const { dayStart, spans, unitMs } of clockDays(unit, receivedAt, calendar, pauses)) {
    if (dayStart >= untilMs) break;
    for (const [start, end] of spans) total += Math.max(0, Math.min(end, untilMs) - start) / unitMs;
  }
  return total;
}
