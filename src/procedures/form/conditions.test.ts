import { describe, expect, it } from 'vitest';
import { isEmptyValue, isVisible } from './conditions.js';
import type { Condition } from './definition.js';

const values = { age: 17, city: 'Lyon', tags: ['a', 'b'], ok: false, born: '2010-05-01', empty: '', none: [] };

describe('isVisible', () => {
  it('is true without a condition', () => {
    expect(isVisible(undefined, {})).toBe(true);
  });

  it.each<[Condition, boolean]>([
    [{ field: 'city', op: 'eq', value: 'Lyon' }, true],
    [{ field: 'city', op: 'eq', value: 'lyon' }, false],
    [{ field: 'city', op: 'neq', value: 'Paris' }, true],
    [{ field: 'missing', op: 'neq', value: 'Paris' }, true],
    [{ field: 'ok', op: 'eq', value: false }, true],
    [{ field: 'city', op: 'in', value: ['Paris', 'Lyon'] }, true],
    [{ field: 'city', op: 'notIn', value: ['Paris', 'Lyon'] }, false],
    [{ field: 'tags', op: 'in', value: ['b', 'z'] }, true],
    [{ field: 'tags', op: 'notIn', value: ['y', 'z'] }, true],
    [{ field: 'city', op: 'in', value: 'Lyon' }, false],
    [{ field: 'age', op: 'gt', value: 17 }, false],
    [{ field: 'age', op: 'gte', value: 17 }, true],
    [{ field: 'age', op: 'lt', value: 18 }, true],
    [{ field: 'age', op: 'lte', value: 16 }, false],
    [{ field: 'age', op: 'gt', value: '10' }, false],
    [{ field: 'missing', op: 'lt', value: 10 }, false],
    [{ field: 'born', op: 'lt', value: '2011-01-01' }, true],
    [{ field: 'born', op: 'gte', value: '2011-01-01' }, false],
    [{ field: 'ok', op: 'filled' }, true],
    [{ field: 'empty', op: 'filled' }, false],
    [{ field: 'none', op: 'empty' }, true],
    [{ field: 'missing', op: 'empty' }, true],
    [{ field: 'tags', op: 'contains', value: 'a' }, true],
    [{ field: 'tags', op: 'contains', value: 'c' }, false],
    [{ field: 'city', op: 'contains', value: 'yo' }, true],
  ])('%j → %s', (condition, expected) => {
    expect(isVisible(condition, values)).toBe(expected);
  });

  it('combines with all, any and not', () => {
    const adultInLyon: Condition = { all: [{ field: 'city', op: 'eq', value: 'Lyon' }, { not: { field: 'age', op: 'lt', value: 18 } }] };
    expect(isVisible(adultInLyon, values)).toBe(false);
    expect(isVisible(adultInLyon, { ...values, age: 30 })).toBe(true);
    expect(isVisible({ any: [{ field: 'age', op: 'gte', value: 18 }, { field: 'tags', op: 'contains', value: 'b' }] }, values)).toBe(true);
    expect(isVisible({ any: [] }, values)).toBe(false);
    expect(isVisible({ all: [] }, values)).toBe(true);
  });

  it('never throws and fails closed on malformed conditions', () => {
    const junk = [null, 42, 'x', [], { field: 3, op: 'eq' }, { field: 'city', op: 'like', value: 'L' }, { all: 'no' }, { nothing: true }];
    for (const condition of junk) expect(isVisible(condition as unknown as Condition, values)).toBe(false);
    let deep: unknown = { field: 'city', op: 'filled' };
    for (let i = 0; i < 100_000; i += 1) deep = { not: deep };
    expect(isVisible(deep as Condition, values)).toBe(false);
  });

  it('ignores inherited properties such as __proto__ or toString', () => {
    expect(isVisible({ field: 'toString', op: 'filled' }, {})).toBe(false);
    expect(isVisible({ field: '__proto__', op: 'filled' }, {})).toBe(false);
  });
});

describe('isEmptyValue', () => {
  it('treats false and 0 as answers', () => {
    expect([undefined, null, '', '  ', []].map(isEmptyValue)).toEqual([true, true, true, true, true]);
    expect([false, 0, 'a', ['a'], {}].map(isEmptyValue)).toEqual([false, false, false, false, false]);
  });
});
