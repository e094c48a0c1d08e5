import { describe, expect, it } from 'vitest';
import { DEFAULT_OPENING_HOURS, checkOpeningHours, parseTime } from './opening-hours.js';

describe('checkOpeningHours', () => {
  it('accepts the default town-hall hours', () => {
    expect(checkOpeningHours(DEFAULT_OPENING_HOURS)).toEqual([]);
    expect(DEFAULT_OPENING_HOURS.mon).toEqual([['08:30', '12:00'], ['13:30', '17:30']]);
    expect(DEFAULT_OPENING_HOURS.sat).toBeUndefined();
  });

  it('accepts empty days, touching ranges and unsorted ranges', () => {
    expect(checkOpeningHours({})).toEqual([]);
    expect(checkOpeningHours({ sat: [], sun: [['00:00', '23:59']] })).toEqual([]);
    expect(checkOpeningHours({ mon: [['12:00', '14:00'], ['08:00', '12:00']] })).toEqual([]);
  });

  it('rejects values that are not an object of days', () => {
    for (const value of [null, 'mon', 42, [['08:00', '12:00']]]) {
      expect(checkOpeningHours(value)).toEqual([
        "Les horaires d'ouverture doivent être un objet indexé par jour (mon, tue, …, sun).",
      ]);
    }
  });

  it('rejects unknown day keys', () => {
    expect(checkOpeningHours({ monday: [['08:00', '12:00']] })).toEqual([
      'Jour inconnu « monday » (attendu : mon, tue, wed, thu, fri, sat, sun).',
    ]);
  });

  it('rejects malformed ranges and times', () => {
    expect(checkOpeningHours({ mon: 'toute la journée' })).toEqual([
      'lundi : les plages horaires doivent être une liste de couples [début, fin].',
    ]);
    expect(checkOpeningHours({ tue: [['08:00']] })).toEqual(['mardi, plage n° 1 : une plage doit être un couple [début, fin].']);
    expect(checkOpeningHours({ wed: [['8:30', '24:00']] })).toEqual([
      'mercredi, plage n° 1 : heure de début invalide « 8:30 » (format HH:MM attendu).',
      'mercredi, plage n° 1 : heure de fin invalide « 24:00 » (format HH:MM attendu).',
    ]);
    expect(checkOpeningHours({ thu: [['08:00', '12:60']] })).toHaveLength(1);
    expect(checkOpeningHours({ fri: [[830, '12:00']] })).toHaveLength(1);
  });

  it('rejects ranges ending before or when they start', () => {
    expect(checkOpeningHours({ sat: [['12:00', '09:00'], ['14:00', '14:00']] })).toEqual([
      "samedi, plage n° 1 : l'heure de fin (09:00) doit être postérieure à l'heure de début (12:00).",
      "samedi, plage n° 2 : l'heure de fin (14:00) doit être postérieure à l'heure de début (14:00).",
    ]);
  });

  it('rejects overlapping ranges, including one nested in an earlier long range', () => {
    expect(checkOpeningHours({ mon: [['08:30', '12:00'], ['11:30', '17:30']] })).toEqual([
      'lundi : les plages 08:30–12:00 et 11:30–17:30 se chevauchent.',
    ]);
    expect(checkOpeningHours({ sun: [['08:00', '18:00'], ['09:00', '10:00'], ['11:00', '12:00']] })).toEqual([
      'dimanche : les plages 08:00–18:00 et 09:00–10:00 se chevauchent.',
      'dimanche : les plages 08:00–18:00 et 11:00–12:00 se chevauchent.',
    ]);
  });
});

describe('parseTime', () => {
  it('converts HH:MM to minutes since midnight', () => {
    expect(parseTime('00:00')).toBe(0);
    expect(parseTime('08:30')).toBe(510);
    expect(parseTime('23:59')).toBe(1439);
    expect(parseTime('24:00')).toBeNull();
    expect(parseTime(null)).toBeNull();
  });
});
