import { describe, expect, it } from 'vitest';
import { DEFAULT_SILENCE_DELAY, implicitDecisionDate } from './silence.js';
import type { Delay, Suspension } from './silence.js';
import { paris, inParis } from './test-helpers.js';

const months = (value: number): Delay => ({ value, unit: 'months' });

function born(received: string, delay: Delay, suspensions: Suspension[] = []): string | null {
  return inParis(implicitDecisionDate(paris(received), delay, 'Europe/Paris', suspensions));
}

describe('implicitDecisionDate — delays', () => {
  it('is born at the end of the last day of the default two months', () => {
    expect(DEFAULT_SILENCE_DELAY).toEqual({ value: 2, unit: 'months' });
    expect(born('2026-01-15T10:00', DEFAULT_SILENCE_DELAY)).toBe('2026-03-15T23:59:59.999+01:00');
    expect(born('2026-02-10T09:00', DEFAULT_SILENCE_DELAY)).toBe('2026-04-10T23:59:59.999+02:00');
  });

  it('defaults to the Europe/Paris zone', () => {
    expect(inParis(implicitDecisionDate(paris('2026-01-15T10:00'), DEFAULT_SILENCE_DELAY))).toBe('2026-03-15T23:59:59.999+01:00');
  });

  it.each([
    ['31 Jan 2026 + 1 month', '2026-01-31T10:00', 1, '2026-02-28T23:59:59.999+01:00'],
    ['31 Jan 2028 + 1 month (leap year)', '2028-01-31T10:00', 1, '2028-02-29T23:59:59.999+01:00'],
    ['30 Nov 2025 + 3 months', '2025-11-30T10:00', 3, '2026-02-28T23:59:59.999+01:00'],
    ['30 Nov 2027 + 3 months (leap year)', '2027-11-30T10:00', 3, '2028-02-29T23:59:59.999+01:00'],
    ['29 Feb 2028 + 12 months', '2028-02-29T10:00', 12, '2029-02-28T23:59:59.999+01:00'],
    ['31 Mar 2026 + 1 month', '2026-03-31T10:00', 1, '2026-04-30T23:59:59.999+02:00'],
    ['31 Aug 2026 + 2 months', '2026-08-31T10:00', 2, '2026-10-31T23:59:59.999+01:00'],
  ])('clamps month ends: %s', (_label, received, value, expected) => {
    expect(born(received, months(value))).toBe(expected);
  });

  it('uses the local receipt date, not the UTC one', () => {
    const justAfterMidnight = new Date('2026-01-31T23:30:00Z');
    expect(inParis(implicitDecisionDate(justAfterMidnight, months(1)))).toBe('2026-03-01T23:59:59.999+01:00');
    expect(implicitDecisionDate(justAfterMidnight, months(1), 'UTC')?.toISOString()).toBe('2026-02-28T23:59:59.999Z');
  });

  it('adds weeks and days, weekends and holidays included, across DST', () => {
    expect(born('2026-03-02T10:00', { value: 2, unit: 'weeks' })).toBe('2026-03-16T23:59:59.999+01:00');
    expect(born('2026-03-20T10:00', { value: 15, unit: 'days' })).toBe('2026-04-04T23:59:59.999+02:00');
    expect(born('2026-04-30T10:00', { value: 1, unit: 'days' })).toBe('2026-05-01T23:59:59.999+02:00');
  });

  it('rejects invalid delays', () => {
    expect(() => implicitDecisionDate(paris('2026-01-15T10:00'), months(0))).toThrow(
      'Délai invalide (0 months) : un nombre entier strictement positif est attendu.',
    );
    expect(() => implicitDecisionDate(paris('2026-01-15T10:00'), { value: 1.5, unit: 'weeks' })).toThrow(RangeError);
    expect(() => implicitDecisionDate(paris('2026-01-15T10:00'), months(1), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('implicitDecisionDate — suspensions', () => {
  const received = '2026-01-15T10:00';

  it('pushes the date by the suspended days', () => {
    const suspend: Suspension = { from: paris('2026-02-01T11:00'), to: paris('2026-02-11T16:00'), mode: 'suspend' };
    expect(born(received, months(2), [suspend])).toBe('2026-03-25T23:59:59.999+01:00');
  });

  it('counts nothing for a suspension ended the same day', () => {
    const sameDay: Suspension = { from: paris('2026-02-01T09:00'), to: paris('2026-02-01T17:00'), mode: 'suspend' };
    expect(born(received, months(2), [sameDay])).toBe('2026-03-15T23:59:59.999+01:00');
  });

  it('restarts the full delay from the arrival of the pieces', () => {
    const restart: Suspension = { from: paris('2026-02-01T11:00'), to: paris('2026-02-20T15:00'), mode: 'restart' };
    expect(born(received, months(2), [restart])).toBe('2026-04-20T23:59:59.999+02:00');
    const fromMonthEnd: Suspension = { from: paris('2026-02-01T11:00'), to: paris('2026-03-31T15:00'), mode: 'restart' };
    expect(born(received, months(2), [fromMonthEnd])).toBe('2026-05-31T23:59:59.999+02:00');
  });

  it('returns null while a suspension is open', () => {
    const open: Suspension = { from: paris('2026-02-01T11:00'), to: null, mode: 'suspend' };
    expect(born(received, months(2), [open])).toBeNull();
    expect(born(received, months(2), [{ ...open, mode: 'restart' }])).toBeNull();
  });

  it('ignores suspensions starting after the decision is born', () => {
    const late: Suspension = { from: paris('2026-03-16T08:00'), to: paris('2026-03-20T08:00'), mode: 'suspend' };
    expect(born(received, months(2), [late])).toBe('2026-03-15T23:59:59.999+01:00');
    expect(born(received, months(2), [{ ...late, to: null }])).toBe('2026-03-15T23:59:59.999+01:00');
    const onLastDay: Suspension = { from: paris('2026-03-15T22:00'), to: paris('2026-03-17T08:00'), mode: 'suspend' };
    expect(born(received, months(2), [onLastDay])).toBe('2026-03-17T23:59:59.999+01:00');
  });

  it('applies suspensions in chronological order, whatever the input order', () => {
    const suspend: Suspension = { from: paris('2026-03-10T09:00'), to: paris('2026-03-15T09:00'), mode: 'suspend' };
    const restart: Suspension = { from: paris('2026-02-01T09:00'), to: paris('2026-02-20T09:00'), mode: 'restart' };
    expect(born(received, months(2), [suspend, restart])).toBe('2026-04-25T23:59:59.999+02:00');
  });

  it('lets a later suspension count once the first one pushed the date past it', () => {
    const first: Suspension = { from: paris('2026-03-01T09:00'), to: paris('2026-03-21T09:00'), mode: 'suspend' };
    const second: Suspension = { from: paris('2026-03-30T09:00'), to: paris('2026-04-02T09:00'), mode: 'suspend' };
    expect(born(received, months(2), [second, first])).toBe('2026-04-07T23:59:59.999+02:00');
  });

  it('does not count overlapping suspended days twice', () => {
    const suspensions: Suspension[] = [
      { from: paris('2026-02-01T09:00'), to: paris('2026-02-11T09:00'), mode: 'suspend' },
      { from: paris('2026-02-06T09:00'), to: paris('2026-02-16T09:00'), mode: 'suspend' },
    ];
    expect(born(received, months(2), suspensions)).toBe('2026-03-30T23:59:59.999+02:00');
  });

  it('clips a suspension started before receipt to the receipt day', () => {
    const before: Suspension = { from: paris('2026-01-10T09:00'), to: paris('2026-01-20T09:00'), mode: 'suspend' };
    expect(born(received, months(2), [before])).toBe('2026-03-20T23:59:59.999+01:00');
  });
});
