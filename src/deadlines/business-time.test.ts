import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR, computeDueAt, deadlineState } from './business-time.js';
import type { Calendar, Pause, Target } from './business-time.js';
import { paris, inParis } from './test-helpers.js';

const days = (value: number): Target => ({ value, unit: 'business_days' });
const hours = (value: number): Target => ({ value, unit: 'business_hours' });
const calendarDays = (value: number): Target => ({ value, unit: 'calendar_days' });
const ALSACE: Calendar = { ...DEFAULT_CALENDAR, alsaceMoselle: true };

function due(received: string, target: Target, calendar: Calendar = DEFAULT_CALENDAR, pauses: Pause[] = []): string | null {
  return inParis(computeDueAt(paris(received), target, calendar, pauses));
}

describe('computeDueAt — business days', () => {
  it('never counts the receipt day and is due at closing time', () => {
    expect(due('2026-01-09T17:00', days(2))).toBe('2026-01-13T17:30:00.000+01:00');
    expect(due('2026-01-12T08:00', days(1))).toBe('2026-01-13T17:30:00.000+01:00');
    expect(due('2026-01-12T23:59', days(5))).toBe('2026-01-19T17:30:00.000+01:00');
  });

  it('counts a weekend receipt from the next business day', () => {
    expect(due('2026-01-10T10:00', days(1))).toBe('2026-01-12T17:30:00.000+01:00');
    expect(due('2026-01-11T10:00', days(1))).toBe('2026-01-12T17:30:00.000+01:00');
  });

  it.each([
    ['1 May (Fri) and the weekend', '2026-04-30T10:00', 1, '2026-05-04T17:30:00.000+02:00'],
    ['8 May (Fri) and the weekend', '2026-05-07T10:00', 1, '2026-05-11T17:30:00.000+02:00'],
    ['Easter Monday', '2026-04-03T10:00', 1, '2026-04-07T17:30:00.000+02:00'],
    ['Ascension (Thu)', '2026-05-13T10:00', 1, '2026-05-15T17:30:00.000+02:00'],
    ['Whit Monday', '2026-05-22T10:00', 1, '2026-05-26T17:30:00.000+02:00'],
    ['14 July (Tue)', '2026-07-13T10:00', 1, '2026-07-15T17:30:00.000+02:00'],
    ['15 August on a Tuesday', '2028-08-14T10:00', 1, '2028-08-16T17:30:00.000+02:00'],
    ['11 November (Wed)', '2026-11-10T10:00', 1, '2026-11-12T17:30:00.000+01:00'],
    ['Christmas (Fri)', '2026-12-24T10:00', 1, '2026-12-28T17:30:00.000+01:00'],
    ['1 January (Thu)', '2025-12-31T10:00', 1, '2026-01-02T17:30:00.000+01:00'],
    ['1 May, 8 May and Ascension over 10 days', '2026-04-30T10:00', 10, '2026-05-19T17:30:00.000+02:00'],
  ])('skips %s', (_label, received, value, expected) => {
    expect(due(received, days(value))).toBe(expected);
  });

  it('does not skip 26 December outside Alsace-Moselle', () => {
    expect(due('2025-12-24T10:00', days(1))).toBe('2025-12-26T17:30:00.000+01:00');
  });

  it('skips Good Friday and 26 December in Alsace-Moselle', () => {
    expect(due('2026-04-02T10:00', days(1))).toBe('2026-04-03T17:30:00.000+02:00');
    expect(due('2026-04-02T10:00', days(1), ALSACE)).toBe('2026-04-07T17:30:00.000+02:00');
    expect(due('2025-12-24T10:00', days(1), ALSACE)).toBe('2025-12-29T17:30:00.000+01:00');
  });

  it('only counts days with opening hours, and never Saturdays', () => {
    const closedWednesday: Calendar = {
      zone: 'Europe/Paris',
      openingHours: { mon: [['09:00', '12:00']], tue: [['09:00', '12:00']], thu: [['14:00', '16:00']], sat: [['09:00', '12:00']] },
    };
    expect(due('2026-01-12T10:00', days(2), closedWednesday)).toBe('2026-01-15T16:00:00.000+01:00');
    expect(due('2026-01-15T10:00', days(1), closedWednesday)).toBe('2026-01-19T12:00:00.000+01:00');
  });

  it('keeps the closing wall-clock time across DST changes', () => {
    expect(due('2026-03-27T10:00', days(1))).toBe('2026-03-30T17:30:00.000+02:00');
    expect(due('2026-10-23T10:00', days(1))).toBe('2026-10-26T17:30:00.000+01:00');
  });
});

describe('computeDueAt — business hours', () => {
  it('skips the lunch break', () => {
    expect(due('2026-01-12T11:00', hours(3))).toBe('2026-01-12T15:30:00.000+01:00');
    expect(due('2026-01-12T12:30', hours(1))).toBe('2026-01-12T14:30:00.000+01:00');
    expect(due('2026-01-12T11:00', hours(1.5))).toBe('2026-01-12T14:00:00.000+01:00');
  });

  it('is due at closing time when the last hour ends then', () => {
    expect(due('2026-01-12T08:30', hours(7.5))).toBe('2026-01-12T17:30:00.000+01:00');
    expect(due('2026-01-12T10:00', hours(2))).toBe('2026-01-12T12:00:00.000+01:00');
  });

  it('starts at the next opening when received while closed', () => {
    expect(due('2026-01-09T18:00', hours(3))).toBe('2026-01-12T11:30:00.000+01:00');
    expect(due('2026-01-10T10:00', hours(3))).toBe('2026-01-12T11:30:00.000+01:00');
    expect(due('2026-01-12T06:00', hours(1))).toBe('2026-01-12T09:30:00.000+01:00');
  });

  it('counts the end of Friday then resumes on Monday', () => {
    expect(due('2026-01-09T17:00', hours(1))).toBe('2026-01-12T09:00:00.000+01:00');
  });

  it('skips public holidays', () => {
    expect(due('2026-04-30T17:00', hours(1))).toBe('2026-05-04T09:00:00.000+02:00');
    expect(due('2026-04-02T17:00', hours(1), ALSACE)).toBe('2026-04-07T09:00:00.000+02:00');
  });

  it('counts Saturday hours when the town hall opens on Saturday', () => {
    const withSaturday: Calendar = { ...DEFAULT_CALENDAR, openingHours: { ...DEFAULT_CALENDAR.openingHours, sat: [['09:00', '12:00']] } };
    expect(due('2026-01-09T17:00', hours(1), withSaturday)).toBe('2026-01-10T09:30:00.000+01:00');
  });

  it('is not shifted by DST changes', () => {
    expect(due('2026-03-27T17:00', hours(2))).toBe('2026-03-30T10:00:00.000+02:00');
    expect(due('2026-10-23T17:00', hours(2))).toBe('2026-10-26T10:00:00.000+01:00');
    const sundays: Calendar = { zone: 'Europe/Paris', openingHours: { sat: [['09:00', '12:00']], sun: [['01:00', '05:00']] } };
    expect(due('2026-03-28T11:00', hours(3), sundays)).toBe('2026-03-29T04:00:00.000+02:00');
    expect(due('2026-10-24T11:00', hours(3), sundays)).toBe('2026-10-25T02:00:00.000+01:00');
  });

  it('honours the calendar zone', () => {
    const reunion: Calendar = { ...DEFAULT_CALENDAR, zone: 'Indian/Reunion' };
    const dueAt = computeDueAt(new Date('2026-01-12T07:00:00Z'), hours(1), reunion);
    expect(dueAt.toISOString()).toBe('2026-01-12T08:00:00.000Z');
  });
});

describe('computeDueAt — calendar days', () => {
  it('keeps the local wall-clock time across DST', () => {
    expect(due('2026-03-28T10:00', calendarDays(2))).toBe('2026-03-30T10:00:00.000+02:00');
    expect(due('2026-10-24T10:00', calendarDays(1))).toBe('2026-10-25T10:00:00.000+01:00');
    expect(due('2026-01-31T16:45', calendarDays(30))).toBe('2026-03-02T16:45:00.000+01:00');
  });

  it('counts weekends and holidays', () => {
    expect(due('2026-04-30T10:00', calendarDays(1))).toBe('2026-05-01T10:00:00.000+02:00');
  });
});

describe('computeDueAt — pauses', () => {
  it('extends business days by the paused share of each day', () => {
    const fullDay: Pause = { from: paris('2026-01-13T08:00'), to: paris('2026-01-13T18:00') };
    expect(due('2026-01-12T10:00', days(2))).toBe('2026-01-14T17:30:00.000+01:00');
    expect(due('2026-01-12T10:00', days(2), DEFAULT_CALENDAR, [fullDay])).toBe('2026-01-15T17:30:00.000+01:00');
    const twoHours: Pause = { from: paris('2026-01-13T13:30'), to: paris('2026-01-13T15:30') };
    expect(due('2026-01-12T10:00', days(2), DEFAULT_CALENDAR, [twoHours])).toBe('2026-01-15T10:30:00.000+01:00');
  });

  it('does not extend business days for a pause on the receipt day', () => {
    const sameDay: Pause = { from: paris('2026-01-12T10:30'), to: paris('2026-01-12T17:00') };
    expect(due('2026-01-12T10:00', days(2), DEFAULT_CALENDAR, [sameDay])).toBe('2026-01-14T17:30:00.000+01:00');
  });

  it('extends business hours by the open time paused', () => {
    const pause: Pause = { from: paris('2026-01-12T11:30'), to: paris('2026-01-12T11:45') };
    expect(due('2026-01-12T11:00', hours(3), DEFAULT_CALENDAR, [pause])).toBe('2026-01-12T15:45:00.000+01:00');
    const overLunch: Pause = { from: paris('2026-01-12T12:00'), to: paris('2026-01-12T13:30') };
    expect(due('2026-01-12T11:00', hours(3), DEFAULT_CALENDAR, [overLunch])).toBe('2026-01-12T15:30:00.000+01:00');
    const overNight: Pause = { from: paris('2026-01-12T15:00'), to: paris('2026-01-13T09:00') };
    expect(due('2026-01-12T11:00', hours(3), DEFAULT_CALENDAR, [overNight])).toBe('2026-01-13T09:30:00.000+01:00');
  });

  it('merges overlapping pauses and ignores pauses before receipt or after the due time', () => {
    const overlapping: Pause[] = [
      { from: paris('2026-01-12T11:30'), to: paris('2026-01-12T11:50') },
      { from: paris('2026-01-12T11:40'), to: paris('2026-01-12T12:00') },
    ];
    expect(due('2026-01-12T11:00', hours(3), DEFAULT_CALENDAR, overlapping)).toBe('2026-01-12T16:00:00.000+01:00');
    const irrelevant: Pause[] = [
      { from: paris('2026-01-09T09:00'), to: paris('2026-01-12T11:00') },
      { from: paris('2026-01-12T16:00'), to: paris('2026-01-13T16:00') },
    ];
    expect(due('2026-01-12T11:00', hours(3), DEFAULT_CALENDAR, irrelevant)).toBe('2026-01-12T15:30:00.000+01:00');
  });

  it('extends calendar days by whole local days across DST', () => {
    const pause: Pause = { from: paris('2026-03-28T10:00'), to: paris('2026-03-30T10:00') };
    expect(due('2026-03-20T10:00', calendarDays(10), DEFAULT_CALENDAR, [pause])).toBe('2026-04-01T10:00:00.000+02:00');
    const late: Pause = { from: paris('2026-03-30T10:00'), to: paris('2026-04-02T10:00') };
    expect(due('2026-03-20T10:00', calendarDays(10), DEFAULT_CALENDAR, [late])).toBe('2026-03-30T10:00:00.000+02:00');
  });

  it('treats an open pause as adding nothing until it is closed', () => {
    const open: Pause = { from: paris('2026-01-12T11:30'), to: null };
    expect(due('2026-01-12T11:00', hours(3), DEFAULT_CALENDAR, [open])).toBe('2026-01-12T15:30:00.000+01:00');
    expect(due('2026-01-12T11:00', calendarDays(3), DEFAULT_CALENDAR, [open])).toBe('2026-01-15T11:00:00.000+01:00');
  });
});

describe('computeDueAt — invalid input', () => {
  it('rejects bad targets, zones and calendars', () => {
    const received = paris('2026-01-12T10:00');
    expect(() => computeDueAt(received, hours(0), DEFAULT_CALENDAR)).toThrow('une valeur strictement positive est attendue');
    expect(() => computeDueAt(received, days(1.5), DEFAULT_CALENDAR)).toThrow('un nombre entier de jours est attendu');
    expect(() => computeDueAt(new Date(Number.NaN), days(1), DEFAULT_CALENDAR)).toThrow('Date de réception : date invalide.');
    expect(() => computeDueAt(received, days(1), { ...DEFAULT_CALENDAR, zone: 'Europe/Nowhere' })).toThrow(
      'Fuseau horaire invalide « Europe/Nowhere ».',
    );
    expect(() => computeDueAt(received, days(1), { zone: 'Europe/Paris', openingHours: { mon: [['12:00', '08:00']] } })).toThrow(
      "Horaires d'ouverture invalides",
    );
    expect(() => computeDueAt(received, days(1), { zone: 'Europe/Paris', openingHours: { sat: [['09:00', '12:00']] } })).toThrow('Aucun jour ouvré');
    expect(() => computeDueAt(received, hours(1), { zone: 'Europe/Paris', openingHours: {} })).toThrow("Aucune plage d'ouverture");
  });
});

describe('deadlineState', () => {
  const received = paris('2026-01-12T08:30');
  const dueAt = computeDueAt(received, hours(10), DEFAULT_CALENDAR);
  const state = (now: string, pauses: Pause[] = []) => deadlineState(received, dueAt, paris(now), DEFAULT_CALENDAR, pauses);

  it('measures open time for business hours', () => {
    expect(inParis(dueAt)).toBe('2026-01-13T11:00:00.000+01:00');
    expect(state('2026-01-12T14:30')).toEqual({ state: 'on_time', elapsedRatio: 0.45 });
    expect(state('2026-01-12T20:00')).toEqual({ state: 'on_time', elapsedRatio: 0.75 });
    expect(state('2026-01-12T07:00')).toEqual({ state: 'on_time', elapsedRatio: 0 });
  });

  it('is at risk from 80 % of the allotted time', () => {
    expect(state('2026-01-13T08:59')).toMatchObject({ state: 'on_time' });
    expect(state('2026-01-13T09:00')).toEqual({ state: 'at_risk', elapsedRatio: 0.8 });
    expect(state('2026-01-13T09:30')).toEqual({ state: 'at_risk', elapsedRatio: 0.85 });
    expect(state('2026-01-13T11:00')).toEqual({ state: 'at_risk', elapsedRatio: 1 });
  });

  it('is overdue once the due time has passed', () => {
    expect(state('2026-01-13T11:06')).toEqual({ state: 'overdue', elapsedRatio: 1.01 });
    expect(state('2026-01-20T10:00').state).toBe('overdue');
  });

  it('removes paused time from both sides of the ratio', () => {
    const pause: Pause = { from: paris('2026-01-12T09:30'), to: paris('2026-01-12T10:30') };
    const pausedDue = computeDueAt(received, hours(10), DEFAULT_CALENDAR, [pause]);
    expect(inParis(pausedDue)).toBe('2026-01-13T12:00:00.000+01:00');
    const at = (now: string) => deadlineState(received, pausedDue, paris(now), DEFAULT_CALENDAR, [pause]);
    expect(at('2026-01-12T11:00')).toEqual({ state: 'on_time', elapsedRatio: 0.15 });
    expect(at('2026-01-13T11:00')).toMatchObject({ state: 'at_risk', elapsedRatio: 0.9 });
    expect(at('2026-01-13T12:30')).toMatchObject({ state: 'overdue' });
  });

  it('freezes while a pause is open, even past the provisional due time', () => {
    const open: Pause = { from: paris('2026-01-13T09:00'), to: null };
    expect(state('2026-01-14T12:00', [open])).toEqual({ state: 'at_risk', elapsedRatio: 0.8 });
    const early: Pause = { from: paris('2026-01-12T10:00'), to: null };
    expect(state('2026-01-20T10:00', [early])).toMatchObject({ state: 'on_time', elapsedRatio: 0.15 });
  });

  it('counts fractions of business days for a business-day target', () => {
    const friday = paris('2026-01-09T17:00');
    const tuesday = computeDueAt(friday, days(2), DEFAULT_CALENDAR);
    const at = (now: string) => deadlineState(friday, tuesday, paris(now), DEFAULT_CALENDAR, [], 'business_days');
    expect(at('2026-01-10T12:00').elapsedRatio).toBe(0);
    expect(at('2026-01-12T17:30').elapsedRatio).toBeCloseTo(0.5, 9);
    expect(at('2026-01-13T13:30')).toMatchObject({ state: 'on_time' });
    expect(at('2026-01-13T13:30').elapsedRatio).toBeCloseTo((1 + 3.5 / 7.5) / 2, 9);
    expect(at('2026-01-13T15:30')).toMatchObject({ state: 'at_risk' });
    expect(at('2026-01-13T18:00')).toMatchObject({ state: 'overdue' });
  });

  it('measures real time for a calendar-day target', () => {
    const start = paris('2026-01-01T00:00');
    const end = computeDueAt(start, calendarDays(10), DEFAULT_CALENDAR);
    const at = (now: string) => deadlineState(start, end, paris(now), DEFAULT_CALENDAR, [], 'calendar_days');
    expect(at('2026-01-05T00:00')).toEqual({ state: 'on_time', elapsedRatio: 0.4 });
    expect(at('2026-01-09T00:00')).toEqual({ state: 'at_risk', elapsedRatio: 0.8 });
    expect(at('2026-01-11T00:01').state).toBe('overdue');
  });
});

describe('deadlineState — invalid input', () => {
  it('rejects a calendar without open time instead of walking forever', () => {
    const closed: Calendar = { zone: 'Europe/Paris', openingHours: {} };
    const received = paris('2026-01-12T10:00');
    expect(() => deadlineState(received, received, received, closed, [], 'business_days')).toThrow('Aucun jour ouvré');
    expect(deadlineState(received, paris('2026-01-13T10:00'), paris('2026-01-12T22:00'), closed, [], 'calendar_days')).toEqual({
      state: 'on_time',
      elapsedRatio: 0.5,
    });
  });
});
