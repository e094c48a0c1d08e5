/**
 * When historical requests arrive: a table of the last two years' local days (weekday, public
 * holiday, UTC offset) from which receipt instants are drawn the way a town hall sees them —
 * phone calls, counter visits and registered mail during opening hours on working days, web and
 * e-mail at any hour with evening peaks, fewer requests in August and a slow rise of volume.
 *
 * Every instant is computed from the day's UTC offset taken at noon, which is exact for all hours
 * except the night of a DST change — harmless for made-up history and much faster than luxon for
 * a million draws.
 */
import { DateTime } from 'luxon';
import type { Channel } from '../cases/repository.js';
import { isPublicHoliday } from '../deadlines/holidays.js';
import type { Rng } from './prng.js';
import { WeightedTable } from './prng.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface LocalDay {
  /** YYYY-MM-DD in the town hall's zone. */
  iso: string;
  year: number;
  /** 1–12. */
  month: number;
  /** ISO weekday, Monday = 1. */
  weekday: number;
  isBusinessDay: boolean;
  /** UTC instant of local midnight. */
  midnight: number;
}

/** Channels that only exist when an agent is at work. */
const OFFICE_CHANNELS: ReadonlySet<Channel> = new Set(['phone', 'counter', 'mail']);
const OFFICE_MINUTES: readonly (readonly [number, number])[] = [[8 * 60 + 30, 12 * 60], [13 * 60 + 30, 17 * 60 + 30]];
const SATURDAY_MINUTES: readonly (readonly [number, number])[] = [[9 * 60, 12 * 60]];
/** Relative activity of online channels per hour of the day (local time). */
const ONLINE_HOURS = [0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3, 4, 4.2, 4, 3.2, 3.3, 4, 4, 3.8, 3.5, 3.2, 3.4, 3.6, 3, 1.8, 0.9];
const MONTH_VOLUME = [1, 1, 1.05, 1, 1, 1, 0.85, 0.65, 1.1, 1.05, 1, 0.85];

export class HistoryCalendar {
  /** Local days from two years ago to a few weeks ahead (closing dates may fall after `now`). */
  readonly days: LocalDay[] = [];
  /** Days that can receive requests: the window, yesterday included, today excluded. */
  readonly windowDays: number;
  private readonly officeDays: WeightedTable<number>;
  private readonly counterDays: WeightedTable<number>;
  private readonly onlineDays: WeightedTable<number>;
  private readonly onlineHours: WeightedTable<number>;

  constructor(readonly now: Date, readonly zone: string, years = 2) {
    const today = DateTime.fromJSDate(now, { zone }).startOf('day');
    const first = today.minus({ years });
    this.windowDays = Math.round(today.diff(first, 'days').days);
    for (let day = first; day < today.plus({ days: 60 }); day = day.plus({ days: 1 })) {
      const iso = day.toISODate() ?? '';
      const noonOffset = day.set({ hour: 12 }).offset * MINUTE_MS;
      this.days.push({
        iso, year: day.year, month: day.month, weekday: day.weekday,
        isBusinessDay: day.weekday <= 5 && !isPublicHoliday(iso),
        midnight: Date.UTC(day.year, day.month - 1, day.day) - noonOffset,
      });
    }
    const window = this.days.slice(0, this.windowDays);
    // Volume grows by a fifth over the period as more people use the online services.
    const trend = (i: number, day: LocalDay) => (0.9 + (0.2 * i) / this.windowDays) * (MONTH_VOLUME[day.month - 1] ?? 1);
    this.officeDays = new WeightedTable(window.map((day, i) => [i, day.isBusinessDay ? trend(i, day) : 0] as const));
    this.counterDays = new WeightedTable(window.map((day, i) => [i, day.isBusinessDay ? trend(i, day) : day.weekday === 6 && !isPublicHoliday(day.iso) ? 0.4 * trend(i, day) : 0] as const));
    this.onlineDays = new WeightedTable(window.map((day, i) => [i, trend(i, day) * (day.weekday === 6 ? 0.55 : day.weekday === 7 || !day.isBusinessDay ? 0.45 : 1)] as const));
    this.onlineHours = new WeightedTable(ONLINE_HOURS.map((w, hour) => [hour, w] as const));
  }

  /** A receipt instant (UTC ms) for a request arriving through `channel`. */
  drawReceipt(rng: Rng, channel: Channel): number {
    if (OFFICE_CHANNELS.has(channel)) {
      const index = (channel === 'counter' ? this.counterDays : this.officeDays).draw(rng);
      const day = this.dayAt(index);
      return day.midnight + officeMinute(rng, day.weekday === 6 ? SATURDAY_MINUTES : OFFICE_MINUTES) * MINUTE_MS + rng.int(0, 59_999);
    }
    const day = this.dayAt(this.onlineDays.draw(rng));
    return day.midnight + (this.onlineHours.draw(rng) * 60 + rng.int(0, 59)) * MINUTE_MS + rng.int(0, 59_999);
  }

  /** Index in `days` of the local day containing `instant`. */
  dayIndexOf(instant: number): number {
    const first = this.days[0];
    if (first === undefined) return 0;
    const guess = Math.floor((instant - first.midnight) / DAY_MS);
    const clamped = Math.min(Math.max(guess, 0), this.days.length - 1);
    if (instant < this.dayAt(clamped).midnight && clamped > 0) return clamped - 1;
    const next = this.days[clamped + 1];
    return next !== undefined && instant >= next.midnight ? clamped + 1 : clamped;
  }

  dayAt(index: number): LocalDay {
    const day = this.days[index];
    if (day === undefined) throw new RangeError(`day ${index} is outside the demo calendar`);
    return day;
  }

  /**
   * When an agent closes a case whose work ended around `instant`: during office hours of the
   * first working day from then on, never before `notBefore`. Undefined past the calendar's end.
   */
  officeInstant(rng: Rng, instant: number, notBefore: number): number | undefined {
    for (let index = this.dayIndexOf(instant); index < this.days.length; index++) {
      const day = this.dayAt(index);
      if (!day.isBusinessDay) continue;
      const candidate = day.midnight + officeMinute(rng, OFFICE_MINUTES) * MINUTE_MS + rng.int(0, 59_999);
      if (candidate > notBefore) return candidate;
      if (notBefore < day.midnight + (17 * 60 + 30) * MINUTE_MS) return notBefore + rng.int(5, 90) * MINUTE_MS;
    }
    return undefined;
  }
}

function officeMinute(rng: Rng, ranges: readonly (readonly [number, number])[]): number {
  const total = ranges.reduce((sum, [from, to]) => sum + to - from, 0);
  let minute = rng.int(0, total - 1);
  for (const [from, to] of ranges) {
    if (minute < to - from) return from + minute;
    minute -= to - from;
  }
  return ranges[0]?.[0] ?? 0;
}
