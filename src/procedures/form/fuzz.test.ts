import { describe, expect, it } from 'vitest';
import { checkFormDefinition } from './check-definition.js';
import type { FormDefinition } from './definition.js';
import { schoolForm } from './test-fixtures.js';
import { validateSubmission } from './validate.js';

/** Deterministic pseudo-random numbers (mulberry32), so failures can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK: unknown[] = [
  null, undefined, 0, -1, 1.5, NaN, Infinity, '', ' ', 'x', '__proto__', 'today', '2026-02-30', true, false,
  [], [null], [{}], {}, { __proto__: null }, JSON.parse('{"__proto__":{"polluted":1}}'), { all: 'x' }, { not: null },
  { field: 'hasChildren', op: 'eq' }, { from: 'citizen' }, { type: 'group', fields: [{ type: 'group' }] }, 'x'.repeat(10_000),
];

/** A deep copy of `value` where each node is replaced by junk with probability `rate`. */
function mutate(value: unknown, next: () => number, rate = 0.08): unknown {
  if (next() < rate) return JUNK[Math.floor(next() * JUNK.length)];
  if (Array.isArray(value)) return value.map((item) => mutate(item, next, rate));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => [next() < rate / 3 ? '__proto__' : key, mutate(item, next, rate)] as const);
    const copy: Record<string, unknown> = {};
    for (const [key, item] of entries) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}

const submission = {
  civility: 'M', lastName: 'Martin', email: 'a@b.fr', phone: '0612345678', home: { line1: '1 rue', postcode: '69001', city: 'Lyon' },
  hasChildren: true, children: [{ firstName: 'A', birthDate: '2015-01-01', allergies: true, allergyDetails: 'x' }],
  canteen: 'some', days: ['mon'], income: 3, caf: '1234567', spot: { lat: 1, lon: 2 }, proof: ['abcdefgh'], start: '2025-09-02',
};

describe('fuzzing', () => {
  it('checkFormDefinition never throws on mutated definitions', () => {
    const next = random(42);
    for (let round = 0; round < 1000; round += 1) {
      const def = mutate(schoolForm, next);
      expect(() => checkFormDefinition(def)).not.toThrow();
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('validateSubmission never throws on mutated submissions', () => {
    const next = random(7);
    for (let round = 0; round < 1500; round += 1) {
      const data = mutate(submission, next);
      expect(() => validateSubmission(schoolForm, data, { hiddenFields: round % 2 === 0 ? 'reject' : 'drop' })).not.toThrow();
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('validateSubmission never throws with any definition that passes checkFormDefinition', () => {
    const next = random(99);
    let checked = 0;
    for (let round = 0; round < 3000; round += 1) {
      const def = mutate(schoolForm, next, 0.004) as FormDefinition;
      if (checkFormDefinition(def).length > 0) continue;
      checked += 1;
      expect(() => validateSubmission(def, mutate(submission, next), { hiddenFields: 'reject' })).not.toThrow();
    }
    expect(checked).toBeGreaterThan(50);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
