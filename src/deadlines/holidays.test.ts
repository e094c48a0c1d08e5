import { describe, expect, it } from 'vitest';
import { isPublicHoliday } from './holidays.js';

const NATIONAL_2026 = [
  '2026-01-01',
  '2026-04-06',
  '2026-05-01',
  '2026-05-08',
  '2026-05-14',
  '2026-05-25',
  '2026-07-14',
  '2026-08-15',
  '2026-11-01',
  '2026-11-11',
  '2026-12-25',
];

function holidaysOfYear(year: number, alsaceMoselle: boolean): string[] {
  const found: string[] = [];
  for (let day = new Date(Date.UTC(year, 0, 1)); day.getUTCFullYear() === year; day.setUTCDate(day.getUTCDate() + 1)) {
    const iso = day.toISOString().slice(0, 10);
    if (isPublicHoliday(iso, { alsaceMoselle })) found.push(iso);
  }
  return found;
}

describe('isPublicHoliday', () => {
  it('knows exactly the 11 national public holidays', () => {
    expect(holidaysOfYear(2026, false)).toEqual(NATIONAL_2026);
  });

  it('adds Good Friday and 26 December in Alsace-Moselle', () => {
    expect(holidaysOfYear(2026, true)).toEqual([...NATIONAL_2026, '2026-04-03', '2026-12-26'].sort());
    expect(isPublicHoliday('2026-04-03')).toBe(false);
    expect(isPublicHoliday('2025-12-26')).toBe(false);
    expect(isPublicHoliday('2025-12-26', { alsaceMoselle: true })).toBe(true);
  });

  it('ignores observances such as Pentecost Sunday and Mothers’ Day', () => {
    expect(isPublicHoliday('2026-05-24')).toBe(false);
    expect(isPublicHoliday('2026-05-31')).toBe(false);
  });

  it('follows movable feasts from year to year', () => {
    expect(isPublicHoliday('2027-03-29')).toBe(true);
    expect(isPublicHoliday('2027-05-06')).toBe(true);
    expect(isPublicHoliday('2027-05-17')).toBe(true);
    expect(isPublicHoliday('2026-03-29')).toBe(false);
  });

  it('rejects malformed dates', () => {
    expect(() => isPublicHoliday('2026-1-1')).toThrow('Date locale invalide « 2026-1-1 » (format AAAA-MM-JJ attendu).');
    expect(() => isPublicHoliday('2026-13-01')).toThrow(RangeError);
  });
});
