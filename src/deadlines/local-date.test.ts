import { describe, expect, it } from 'vitest';
import { localDate } from './local-date.js';

describe('localDate', () => {
  it('gives the date on the town hall’s calendar, across midnight, the new year and DST', () => {
    expect(localDate(new Date('2026-12-31T23:30:00Z'), 'Europe/Paris')).toBe('2027-01-01');
    expect(localDate(new Date('2026-12-31T22:59:59Z'), 'Europe/Paris')).toBe('2026-12-31');
    expect(localDate(new Date('2026-03-29T00:30:00Z'), 'Europe/Paris')).toBe('2026-03-29');
    expect(localDate(new Date('2026-06-30T21:30:00Z'), 'Europe/Paris')).toBe('2026-06-30');
    expect(localDate(new Date('2026-06-30T22:30:00Z'), 'Europe/Paris')).toBe('2026-07-01');
    expect(localDate(new Date('2026-01-01T03:00:00Z'), 'America/Cayenne')).toBe('2026-01-01');
    expect(localDate(new Date('2026-01-01T02:59:00Z'), 'America/Cayenne')).toBe('2025-12-31');
  });
});
