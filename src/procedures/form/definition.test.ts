import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { checkFormDefinition } from './check-definition.js';
import { FIELD_TYPES, FieldSchemas, FormDefinitionSchema } from './definition.js';
import type { FormDefinition } from './definition.js';
import { formWith, schoolForm } from './test-fixtures.js';

describe('FormDefinitionSchema', () => {
  it('is a self-contained JSON Schema with the condition in $defs', () => {
    const json = JSON.parse(JSON.stringify(FormDefinitionSchema)) as { $ref: string; $defs: Record<string, unknown> };
    expect(json.$ref).toBe('FormDefinition');
    expect(Object.keys(json.$defs)).toEqual(['FormCondition', 'FormDefinition']);
  });

  it('has one schema per field type', () => {
    expect(Object.keys(FieldSchemas).sort()).toEqual([...FIELD_TYPES].sort());
  });

  it('accepts the realistic fixture, including nested conditions', () => {
    expect(Value.Check(FormDefinitionSchema, schoolForm)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a wrong version', { ...schoolForm, version: 2 }],
    ['no pages', { version: 1, pages: [] }],
    ['an unknown field type', formWith({ type: 'color', name: 'c', label: 'C' } as never)],
    ['an invalid field name', formWith({ type: 'email', name: '1e', label: 'E' })],
    ['a nested group', formWith({ type: 'group', name: 'g', label: 'G', fields: [{ type: 'group', name: 'h', label: 'H', fields: [] }] } as never)],
    ['a malformed nested condition', formWith({ type: 'email', name: 'e', label: 'E', visibleWhen: { not: { any: [{ field: 'x', op: 'like' }] } } } as never)],
    ['an unknown prefill path', formWith({ type: 'email', name: 'e', label: 'E', prefill: { from: 'citizen', path: 'iban' } } as never)],
  ])('rejects %s, as checkFormDefinition does', (_label, def) => {
    expect(Value.Check(FormDefinitionSchema, def)).toBe(false);
    expect(checkFormDefinition(def)).not.toEqual([]);
  });

  it('tolerates unknown properties, which only checkFormDefinition refuses', () => {
    const def = formWith({ type: 'email', name: 'e', label: 'E', options: [], visibleWhen: { field: 'x', op: 'filled', note: 1 } } as never);
    expect(Value.Check(FormDefinitionSchema, def)).toBe(true);
    expect(checkFormDefinition(def).map((error) => error.path)).toEqual([
      'pages[0].fields[0].options',
      'pages[0].fields[0].visibleWhen.note',
    ]);
  });

  it('accepts every field type with all its optional properties', () => {
    const options = [{ value: 'a', label: 'A' }];
    const def: FormDefinition = formWith(
      { type: 'text', name: 'a', label: 'A', hint: 'Aide', required: true, minLength: 1, maxLength: 10, pattern: '[a-z]+', patternMessage: 'Minuscules.' },
      { type: 'textarea', name: 'b', label: 'B', minLength: 0, maxLength: 20 },
      { type: 'email', name: 'c', label: 'C', prefill: { from: 'citizen', path: 'email' } },
      { type: 'phone', name: 'd', label: 'D', prefill: { from: 'citizen', path: 'phone' } },
      { type: 'number', name: 'e', label: 'E', min: -1.5, max: 2, integer: false },
      { type: 'date', name: 'f', label: 'F', min: '1900-01-01', max: 'today', prefill: { from: 'citizen', path: 'birthDate' } },
      { type: 'select', name: 'g', label: 'G', options, visibleWhen: { field: 'a', op: 'filled' } },
      { type: 'radio', name: 'h', label: 'H', options },
      { type: 'checkboxes', name: 'i', label: 'I', options, minItems: 0, maxItems: 1 },
      { type: 'yesno', name: 'j', label: 'J' },
      { type: 'address', name: 'k', label: 'K', prefill: { from: 'citizen', path: 'address' } },
      { type: 'geolocation', name: 'l', label: 'L' },
      { type: 'file', name: 'm', label: 'M', accept: ['application/pdf', 'image/*'], maxSizeBytes: 1000, maxFiles: 3 },
      { type: 'householdMember', name: 'n', label: 'N', memberRole: 'child', prefill: { from: 'household', role: 'child' } },
      { type: 'group', name: 'o', label: 'O', minItems: 0, maxItems: 5, fields: [{ type: 'text', name: 'p', label: 'P' }] },
    );
    expect(Value.Check(FormDefinitionSchema, def)).toBe(true);
    expect(checkFormDefinition(def)).toEqual([]);
  });
});
