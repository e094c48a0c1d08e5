import { describe, expect, it } from 'vitest';
import { checkWorkflowDefinition } from './check-definition.js';
import type { Action, WorkflowDefinition } from './definition.js';
import { renderWorkflowSvg } from './diagram.js';
import { checkTemplate, renderTemplate } from './templates.js';
import { birthCertificate, CONTEXT, sampleVariables } from './test-fixtures.js';

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
  null, undefined, 0, -1, 1.5, NaN, Infinity, '', ' ', '*', 'x', '__proto__', 'constructor', 'recu', 'refuser', 'closed_refused', true, false,
  [], [null], ['*'], [{}], {}, { __proto__: null }, JSON.parse('{"__proto__":{"polluted":1}}'), { type: 'assign' }, { type: 'notify_citizen', message: {} },
  { after: { value: 1, unit: 'business_days' } }, { all: 'x' }, { not: null }, { field: 'acteType', op: 'eq' },
  '{{ case.referenec }}', '{% if %}', '{{ inputs.motif | date_fr }}', '{% include "x" %}', 'x'.repeat(10_000),
];

/** A deep copy of `value` where each node is replaced by junk with probability `rate`. */
function mutate(value: unknown, next: () => number, rate = 0.05): unknown {
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

const FALLBACK = 'La définition du circuit n’a pas pu être vérifiée entièrement';

function templatesOf(def: WorkflowDefinition): string[] {
  const actions: Action[] = [...def.statuses.flatMap((status) => status.onEnter ?? []), ...def.transitions.flatMap((transition) => transition.actions ?? [])];
  return actions.flatMap((action) => {
    if (action.type === 'notify_citizen' || action.type === 'request_information') return 'template' in action.message ? [] : [action.message.subject, action.message.body];
    return action.type === 'generate_document' ? [action.body] : [];
  });
}

describe('fuzzing', () => {
  it('checkWorkflowDefinition never throws, nor falls back, on mutated definitions', () => {
    const next = random(42);
    for (let round = 0; round < 1000; round += 1) {
      const def = mutate(birthCertificate, next);
      const errors = checkWorkflowDefinition(def, CONTEXT);
      expect(errors.every((error) => typeof error.path === 'string' && typeof error.message === 'string' && !error.message.startsWith(FALLBACK))).toBe(true);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('draws and renders every definition that passes checkWorkflowDefinition', async () => {
    const next = random(99);
    let checked = 0;
    for (let round = 0; round < 2000; round += 1) {
      const def = mutate(birthCertificate, next, 0.004) as WorkflowDefinition;
      if (checkWorkflowDefinition(def, CONTEXT).length > 0) continue;
      checked += 1;
      expect(renderWorkflowSvg(def)).toMatch(/^<svg[\s\S]*<\/svg>$/);
      for (const source of templatesOf(def)) await expect(renderTemplate(source, sampleVariables)).resolves.toBeTypeOf('string');
    }
    expect(checked).toBeGreaterThan(50);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('checkTemplate never throws on sources made of Liquid fragments', () => {
    const next = random(7);
    const pieces = ['{{', '}}', '{%', '%}', ' ', 'if', 'endif', 'for', 'in', 'endfor', 'case', '.', 'data', '[', ']', '|', 'date_fr', ':', '"', "'", '(', '..', ')', 'inputs', 'x', '\n', '-', 'assign', '=', 'raw', 'endraw', 'liquid', 'echo', '#', 'comment'];
    for (let round = 0; round < 3000; round += 1) {
      const length = Math.floor(next() * 20);
      const source = Array.from({ length }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      const errors = checkTemplate(source, { inputNames: ['x'], formFieldNames: [] });
      expect(errors.every((error) => typeof error === 'string' && !error.startsWith('Modèle impossible à analyser'))).toBe(true);
    }
  });
});
