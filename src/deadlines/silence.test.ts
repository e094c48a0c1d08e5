import { describe, expect, it } from 'vitest';
import { DEFAULT_SILENCE_DELAY, implicitDecisionDate } from './silence.js';
import type { Delay, Suspension } from './silence.js';
import { paris, inParis } from './test-helpers.js';

const months = (value: number): Delay => ({ value, unit: 'months' });

/** The birth of the implicit decision, as a Paris wall-clock instant. */
function born(received: string, delay: Delay, suspensions: Suspension[] = []): string | null {
  return inParis(implicitDecisionDate(paris(received), delay, 'Europe/Paris', suspensions));
}

/** Midnight, Paris time, of a local date: every birth is at the start of its day. */
const day = (date: string) => inParis(paris(`${date}T00:00`));

const suspend = (from: string, to: string | null): Suspension => ({ from: paris(from), to: to === null ? null : paris(to), mode: 'suspend' });
const restart = (from: string, to: string | null): Suspension => ({ from: paris(from), to: to === null ? null : paris(to), mode: 'restart' });

describe('implicitDecisionDate — delays', () => {
  it('counts two months from the day after receipt; the decision is born the day after the last day', () => {
    expect(DEFAULT_SILENCE_DELAY).toEqual({ value: 2, unit: 'months' });
    // Received 15 January: the delay runs 16 January – 15 March; born 16 March at midnight.
    expect(born('2026-01-15T10:00', DEFAULT_SILENCE_DELAY)).toBe(day('2026-03-16'));
    expect(born('2026-02-10T09:00', DEFAULT_SILENCE_DELAY)).toBe('2026-04-11T00:00:00.000+02:00');
  });

  it('defaults to the Europe/Paris zone', () => {
    expect(inParis(implicitDecisionDate(paris('2026-01-15T10:00'), DEFAULT_SILENCE_DELAY))).toBe(day('2026-03-16'));
  });

  it.each([
    // The day after receipt, plus the months, clamped when that day does not exist.
    ['30 Jan 2026 + 1 month: 31 Jan + 1 month, clamped', '2026-01-30T10:00', 1, '2026-02-28'],
    ['31 Jan 2026 + 1 month: 1 Feb + 1 month', '2026-01-31T10:00', 1, '2026-03-01'],
    ['30 Jan 2028 + 1 month (leap year): 31 Jan + 1 month, clamped to the 29th', '2028-01-30T10:00', 1, '2028-02-29'],
    ['29 Nov 2027 + 3 months (leap year): 30 Nov + 3 months, clamped', '2027-11-29T10:00', 3, '2028-02-29'],
    ['28 Feb 2028 + 12 months: 29 Feb + 12 months, clamped', '2028-02-28T10:00', 12, '2029-02-28'],
    ['29 Feb 2028 + 12 months: 1 Mar + 12 months', '2028-02-29T10:00', 12, '2029-03-01'],
    ['30 Mar 2026 + 1 month: 31 Mar + 1 month, clamped', '2026-03-30T10:00', 1, '2026-04-30'],
    ['31 Dec 2026 + 2 months: 1 Jan + 2 months, across the year', '2026-12-31T10:00', 2, '2027-03-01'],
  ])('clamps month ends: %s', (_label, received, value, expected) => {
    expect(born(received, months(value))).toBe(day(expected));
  });

  it('uses the local receipt date, not the UTC one', () => {
    // 23:30 UTC on 31 January is already 1 February in Paris.
    const justAfterMidnight = new Date('2026-01-31T23:30:00Z');
    expect(inParis(implicitDecisionDate(justAfterMidnight, months(1)))).toBe(day('2026-03-02'));
    expect(implicitDecisionDate(justAfterMidnight, months(1), 'UTC')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('adds weeks and days, weekends and holidays included, across DST', () => {
    expect(born('2026-03-02T10:00', { value: 2, unit: 'weeks' })).toBe(day('2026-03-17'));
    // 15 days from 21 March: the last day is 4 April (after the switch to summer time).
    expect(born('2026-03-20T10:00', { value: 15, unit: 'days' })).toBe('2026-04-05T00:00:00.000+02:00');
    expect(born('2026-04-30T10:00', { value: 1, unit: 'days' })).toBe(day('2026-05-02'));
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
  const received = '2026-01-15T10:00'; // born 16 March without suspension

  it('adds every day from the request for pieces to their arrival, both included', () => {
    // Requested 1 February, received 11 February: 11 days; the clock restarts on 12 February.
    expect(born(received, months(2), [suspend('2026-02-01T11:00', '2026-02-11T16:00')])).toBe(day('2026-03-27'));
  });

  it('counts one day for pieces that arrive the day they were asked for', () => {
    expect(born(received, months(2), [suspend('2026-02-01T09:00', '2026-02-01T17:00')])).toBe(day('2026-03-17'));
  });

  it('counts the receipt day itself when the pieces are asked for that day', () => {
    // Asked on 15 January, received 20 January: 6 days (15 to 20).
    expect(born(received, months(2), [suspend('2026-01-15T14:00', '2026-01-20T09:00')])).toBe(day('2026-03-22'));
  });

  it('adds several suspensions, each from request to arrival', () => {
    // 1–11 February (11 days) and 2–6 March (5 days): 16 March + 16 days.
    const two = [suspend('2026-02-01T11:00', '2026-02-11T16:00'), suspend('2026-03-02T09:00', '2026-03-06T09:00')];
    expect(born(received, months(2), two)).toBe(day('2026-04-01'));
  });

  it('restarts the full delay the day after the arrival of the pieces of an incomplete file', () => {
    // Complete on 20 February: the delay runs 21 February – 20 April; born 21 April.
    expect(born(received, months(2), [restart('2026-02-01T11:00', '2026-02-20T15:00')])).toBe(day('2026-04-21'));
    // Complete on 30 March: 31 March + 2 months = 31 May, born that day.
    expect(born(received, months(2), [restart('2026-02-01T11:00', '2026-03-30T15:00')])).toBe(day('2026-05-31'));
    // Complete on 31 March: 1 April + 2 months.
    expect(born(received, months(2), [restart('2026-02-01T11:00', '2026-03-31T15:00')])).toBe(day('2026-06-01'));
  });

  it('adds a suspension after a restart to the restarted delay', () => {
    // Restarted after 20 February (born 21 April), then 1–3 March suspended: 3 days.
    const both = [restart('2026-02-01T11:00', '2026-02-20T15:00'), suspend('2026-03-01T09:00', '2026-03-03T09:00')];
    expect(born(received, months(2), both)).toBe(day('2026-04-24'));
  });

  it('returns null while a suspension is open', () => {
    expect(born(received, months(2), [suspend('2026-02-01T11:00', null)])).toBeNull();
    expect(born(received, months(2), [restart('2026-02-01T11:00', null)])).toBeNull();
  });

  it('ignores suspensions starting on or after the birth day', () => {
    const late = suspend('2026-03-16T08:00', '2026-03-20T08:00');
    expect(born(received, months(2), [late])).toBe(day('2026-03-16'));
    expect(born(received, months(2), [suspend('2026-03-16T08:00', null)])).toBe(day('2026-03-16'));
    // Asked on the last day of the delay (15 March), received the 17th: 3 days.
    expect(born(received, months(2), [suspend('2026-03-15T22:00', '2026-03-17T08:00')])).toBe(day('2026-03-19'));
  });

  it('applies suspensions in chronological order, whatever the input order', () => {
    const both = [suspend('2026-03-10T09:00', '2026-03-15T09:00'), restart('2026-02-01T09:00', '2026-02-20T09:00')];
    // Restart → born 21 April; then 10–15 March: 6 days.
    expect(born(received, months(2), both)).toBe(day('2026-04-27'));
  });

  it('lets a later suspension count once the first one pushed the birth past it', () => {
    // 1–21 March (21 days) → born 6 April; 30 March – 2 April (4 days) then counts too → 10 April.
    const both = [suspend('2026-03-30T09:00', '2026-04-02T09:00'), suspend('2026-03-01T09:00', '2026-03-21T09:00')];
    expect(born(received, months(2), both)).toBe(day('2026-04-10'));
  });

  it('does not count overlapping suspended days twice', () => {
    // 1–11 February and 6–16 February: 1–16 February, 16 days.
    const overlapping = [suspend('2026-02-01T09:00', '2026-02-11T09:00'), suspend('2026-02-06T09:00', '2026-02-16T09:00')];
    expect(born(received, months(2), overlapping)).toBe(day('2026-04-01'));
  });

  it('clips a suspension started before receipt to the receipt day', () => {
    // 10–20 January counts from the 15th: 6 days.
    expect(born(received, months(2), [suspend('2026-01-10T09:00', '2026-01-20T09:00')])).toBe(day('2026-03-22'));
  });

  it('crosses a leap day with a suspension', () => {
    // Received 10 January 2028, born 11 March; 25 February – 2 March suspended: 7 days (29 February included).
    expect(born('2028-01-10T10:00', months(2), [suspend('2028-02-25T09:00', '2028-03-02T09:00')])).toBe(day('2028-03-18'));
  });
});
