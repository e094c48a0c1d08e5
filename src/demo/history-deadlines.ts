/**
 * Due dates and implicit-decision dates of historical cases, computed with the very functions
 * intake uses (`computeDueAt`, `implicitDecisionDate`) but memoised: a luxon computation costs up
 * to a millisecond, and a million of them would dominate the seeding time.
 *
 * Both depend only on the local day of receipt for business-day targets and silence delays. A
 * business-day target of N days is moreover the closing time of the Nth business day after the
 * receipt day, i.e. the (N−1)th after the first one: only one-day targets are computed, per day
 * and department, and longer ones are chained from them.
 */
import { computeDueAt, departmentCalendar } from '../deadlines/business-time.js';
import { implicitDecisionDate } from '../deadlines/silence.js';
import type { Department } from '../organisations/repository.js';
import type { Procedure } from '../procedures/repository.js';
import type { HistoryCalendar } from './history-calendar.js';

const NOON_MS = 12 * 3_600_000;

export class DeadlineCache {
  private readonly firstClosing = new Map<string, number>();
  private readonly due = new Map<string, number>();
  private readonly implicit = new Map<string, string | null>();

  constructor(private readonly calendar: HistoryCalendar) {}

  /** As intake: the department's opening hours, or the default ones when it has none. */
  dueAt(receivedAt: number, dayIndex: number, procedure: Procedure, department: Department): string {
    if (procedure.target.unit !== 'business_days') return this.compute(receivedAt, procedure.target, department).toISOString();
    return new Date(this.businessDue(dayIndex, procedure.target.value, department)).toISOString();
  }

  implicitDecisionAt(receivedAt: number, dayIndex: number, procedure: Procedure): string | null {
    const delay = procedure.silence.delay;
    if (procedure.silence.regime === 'none' || delay === null) return null;
    const key = `${dayIndex}:${delay.value}:${delay.unit}`;
    let value = this.implicit.get(key);
    if (value === undefined) {
      value = implicitDecisionDate(new Date(receivedAt), delay, this.calendar.zone)?.toISOString() ?? null;
      this.implicit.set(key, value);
    }
    return value;
  }

  /** Closing instant of the `days`th business day after local day `dayIndex`. */
  private businessDue(dayIndex: number, days: number, department: Department): number {
    const key = `${dayIndex}:${days}:${department.id}`;
    const known = this.due.get(key);
    if (known !== undefined) return known;
    const noon = this.calendar.dayAt(dayIndex).midnight + NOON_MS;
    const first = this.firstBusinessClosing(dayIndex, noon, department);
    const next = this.calendar.dayIndexOf(first);
    const value = days === 1
      ? first
      : next + 1 < this.calendar.days.length
        ? this.businessDue(next, days - 1, department)
        : this.compute(noon, { value: days, unit: 'business_days' }, department).getTime();
    this.due.set(key, value);
    return value;
  }

  private firstBusinessClosing(dayIndex: number, noon: number, department: Department): number {
    const key = `${dayIndex}:${department.id}`;
    let value = this.firstClosing.get(key);
    if (value === undefined) {
      value = this.compute(noon, { value: 1, unit: 'business_days' }, department).getTime();
      this.firstClosing.set(key, value);
    }
    return value;
  }

  private compute(receivedAt: number, target: Procedure['target'], department: Department): Date {
    return computeDueAt(new Date(receivedAt), target, departmentCalendar(department.openingHours, this.calendar.zone));
  }
}
