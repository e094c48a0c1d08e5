/**
 * Processing deadlines ("délais de traitement") of citizen requests, counted in the
 * town hall's business time. All wall-clock arithmetic happens in the calendar's
 * IANA zone with luxon, so DST changes never move an opening or a due time.
 */
import { DateTime } from 'luxon';
import { advance, assertCalendar, measure, pauseSpans } from './clock.js';
import { DEFAULT_OPENING_HOURS } from './opening-hours.js';
import type { OpeningHours } from './opening-hours.js';

/** Where and when a town hall works. */
export interface Calendar {
  /** IANA zone of the town hall; `DEFAULT_CALENDAR` uses 'Europe/Paris'. */
  zone: string;
  openingHours: OpeningHours;
  /** Adds Good Friday and 26 December as public holidays (Bas-Rhin, Haut-Rhin, Moselle). */
  alsaceMoselle?: boolean;
}

/**
 * The calendar of a department: its opening hours in the organisation's zone; a department that
 * has not set its hours works the usual town-hall hours.
 */
export function departmentCalendar(openingHours: OpeningHours, zone: string): Calendar {
  return { zone, openingHours: Object.keys(openingHours).length > 0 ? openingHours : DEFAULT_OPENING_HOURS };
}

/** Metropolitan France, usual town-hall hours. */
export const DEFAULT_CALENDAR: Calendar = Object.freeze({ zone: 'Europe/Paris', openingHours: DEFAULT_OPENING_HOURS });

/** Service-level target of a procedure, e.g. "répondre sous 5 jours ouvrés". */
export type Target = { value: number; unit: 'business_days' | 'business_hours' | 'calendar_days' };

/**
 * Time spent waiting for the citizen (missing piece, answer to a question): the
 * clock stops. `to: null` is a pause still running; a pause with `to <= from`
 * is empty and ignored.
 */
export interface Pause {
  from: Date;
  to: Date | null;
}

export type DeadlineState = 'on_time' | 'at_risk' | 'overdue';

/** Share of the allotted time from which a case is flagged as at risk. */
export const AT_RISK_RATIO = 0.8;

const HOUR_MS = 3_600_000;

function assertInstant(date: Date, label: string): void {
  if (Number.isNaN(date.getTime())) throw new RangeError(`${label} : date invalide.`);
}

function assertTarget({ value, unit }: Target): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Objectif de délai invalide (${value}) : une valeur strictement positive est attendue.`);
  }
  if (unit !== 'business_hours' && !Number.isInteger(value)) {
    throw new RangeError(`Objectif de délai invalide (${value}) : un nombre entier de jours est attendu.`);
  }
}

/**
 * Calendar days: same local wall-clock time N days later; each closed pause that
 * starts before the running due time pushes it by the paused duration, expressed
 * as local days + remainder so that a DST change inside the pause does not shift
 * the due time by an hour.
 */
function calendarDue(receivedAt: Date, days: number, zone: string, pauses: Pause[]): Date {
  let due = DateTime.fromJSDate(receivedAt, { zone }).plus({ days });
  for (const [start, end] of pauseSpans(pauses, receivedAt.getTime())) {
    if (start >= due.toMillis()) break;
    const paused = DateTime.fromMillis(end, { zone }).diff(DateTime.fromMillis(start, { zone }), ['days', 'milliseconds']);
    due = due.plus(paused);
  }
  return due.toJSDate();
}

/**
 * When a case received at `receivedAt` is due.
 *
 * - `business_days`: a business day is Monday–Friday, not a public holiday, with
 *   opening hours in the calendar. The receipt day never counts (even when it is
 *   not a business day): the case is due at the closing time (end of the last
 *   opening range) of the Nth business day strictly after the local receipt day.
 *   Friday 17:00 + 2 business days → Tuesday 17:30 with default hours.
 * - `business_hours`: N hours (fractions allowed) of open time counted from receipt,
 *   or from the next opening when received while closed; every non-holiday day with
 *   opening hours counts, Saturday included if the town hall opens then. Due the
 *   instant the Nth open hour ends, closing time included (no jump to next opening).
 * - `calendar_days`: same local wall-clock time N days later (DST-safe).
 *
 * Pauses stop the clock: the due time is pushed by the running time (open time
 * for business units, weighted per day for business days — a pause over 2 of the
 * day's 7.5 open hours costs 2/7.5 of a day, so the due time may fall mid-day)
 * that the pause covered. Pauses are clipped to `receivedAt`, merged when they
 * overlap, and ignored when they start after the due time (already overdue).
 * An open pause (`to: null`) adds nothing: its length is unknown, so the returned
 * date is a provisional lower bound that the caller recomputes once the pause is
 * closed; meanwhile `deadlineState` treats the clock as stopped.
 */
export function computeDueAt(receivedAt: Date, target: Target, calendar: Calendar, pauses: Pause[] = []): Date {
  assertInstant(receivedAt, 'Date de réception');
  assertTarget(target);
  if (target.unit === 'calendar_days') {
    assertCalendar(calendar);
    return calendarDue(receivedAt, target.value, calendar.zone, pauses);
  }
  assertCalendar(calendar, target.unit);
  const spans = pauseSpans(pauses, receivedAt.getTime());
  const amount = target.unit === 'business_hours' ? Math.round(target.value * HOUR_MS) : target.value;
  return advance(target.unit, receivedAt, amount, calendar, spans);
}

/**
 * Running time between `receivedAt` and `until`, minus paused time: real ms for
 * calendar days, open-time ms for business hours, fractional business days.
 */
function elapsed(unit: Target['unit'], receivedAt: Date, until: Date, calendar: Calendar, pauses: readonly (readonly [number, number])[]): number {
  if (unit !== 'calendar_days') return measure(unit, receivedAt, until, calendar, pauses);
  const start = receivedAt.getTime();
  const end = Math.max(start, until.getTime());
  const paused = pauses.reduce((sum, [from, to]) => sum + Math.max(0, Math.min(to, end) - Math.max(from, start)), 0);
  return end - start - paused;
}

/**
 * How far a case has gone through its allotted time, for dashboards and alerts.
 *
 * `elapsedRatio` = running time from receipt to `now` ÷ running time from receipt to
 * `dueAt`, both minus pauses, measured in `unit` (the target's unit; default
 * 'business_hours', i.e. ms of open time; 'business_days' counts fractions of
 * business days). `dueAt` must come from `computeDueAt` with the same pauses:
 * closed pauses are removed from both sides, an open pause only from the elapsed
 * side (up to `now`), so the ratio freezes while waiting for the citizen.
 *
 * - `overdue`: `now` is past `dueAt` and the ratio reached 1 (a running open pause
 *   therefore never makes a case overdue);
 * - `at_risk`: ratio ≥ 0.8 (`AT_RISK_RATIO`);
 * - `on_time` otherwise.
 */
export function deadlineState(
  receivedAt: Date,
  dueAt: Date,
  now: Date,
  calendar: Calendar,
  pauses: Pause[] = [],
  unit: Target['unit'] = 'business_hours',
): { state: DeadlineState; elapsedRatio: number } {
  assertInstant(receivedAt, 'Date de réception');
  assertInstant(dueAt, "Date d'échéance");
  assertInstant(now, 'Date courante');
  assertCalendar(calendar, unit === 'calendar_days' ? undefined : unit);
  const from = receivedAt.getTime();
  const total = elapsed(unit, receivedAt, dueAt, calendar, pauseSpans(pauses, from));
  const spent = elapsed(unit, receivedAt, now, calendar, pauseSpans(pauses, from, now.getTime()));
  const overduePossible = now.getTime() > dueAt.getTime();
  const elapsedRatio = total > 0 ? spent / total : overduePossible ? 1 : 0;
  if (overduePossible && elapsedRatio >= 1 - 1e-9) return { state: 'overdue', elapsedRatio };
  return { state: elapsedRatio >= AT_RISK_RATIO ? 'at_risk' : 'on_time', elapsedRatio };
}
