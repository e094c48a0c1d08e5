import { describe, expect, it } from 'vitest';
import { namesAgree, normaliseName } from './matching.js';

describe('citizen name comparison', () => {
  it('ignores case, accents, hyphens and spacing', () => {
    expect(normaliseName('  Élodie-Marie  DUPONT ')).toBe('elodie marie dupont');
  });

  it('agrees on the last name (birth or usage) and the first given name', () => {
    const record = { birthName: 'Martin', usageName: 'Lefèvre', firstNames: 'Anne Sophie' };
    expect(namesAgree({ lastName: 'MARTIN', firstNames: 'anne' }, record)).toBe(true);
    expect(namesAgree({ lastName: 'Lefevre', firstNames: 'Anne-Sophie' }, record)).toBe(true);
    expect(namesAgree({ lastName: 'Martin', firstNames: 'Paul' }, record)).toBe(false);
    expect(namesAgree({ lastName: 'Durand', firstNames: 'Anne' }, record)).toBe(false);
  });

  it('agrees when the claim gives no name (a reply from a known address)', () => {
    expect(namesAgree({}, { birthName: 'Martin', usageName: null, firstNames: 'Anne' })).toBe(true);
  });

  it('does not agree with a record that has no first name when the claim has one', () => {
    expect(namesAgree({ lastName: 'Martin', firstNames: 'Anne' }, { birthName: 'Martin', usageName: null, firstNames: null })).toBe(false);
  });
});
