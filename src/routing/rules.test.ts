import { describe, expect, it } from 'vitest';
import type { RoutingRule } from './repository.js';
import { decideRoute } from './rules.js';

const square = { type: 'Polygon' as const, coordinates: [[[0.68, 47.38], [0.70, 47.38], [0.70, 47.40], [0.68, 47.40], [0.68, 47.38]]] };
const rule = (over: Partial<RoutingRule>): RoutingRule => ({ id: 1, procedureId: 1, position: 1, name: 'règle', condition: null, sector: null, departmentId: 10, ...over });

describe('routing decisions', () => {
  const rules = [
    rule({ id: 1, name: 'Tags → Propreté', condition: { field: 'categorie', op: 'in', value: ['tag', 'depot_sauvage'] }, departmentId: 11 }),
    rule({ id: 2, position: 2, name: 'Quartier des Tilleuls', sector: square, departmentId: 12 }),
  ];

  it('takes the first matching rule, in order', () => {
    expect(decideRoute(rules, { data: { categorie: 'tag' }, point: { lat: 47.39, lon: 0.69 } }, 5, 1)).toEqual({ departmentId: 11, by: 'rule', rule: { id: 1, name: 'Tags → Propreté' } });
  });

  it('matches a sector by the case’s point (GeoJSON is longitude first)', () => {
    expect(decideRoute(rules, { data: { categorie: 'nid' }, point: { lat: 47.39, lon: 0.69 } }, 5, 1)).toMatchObject({ departmentId: 12, by: 'rule' });
    expect(decideRoute(rules, { data: { categorie: 'nid' }, point: { lat: 0.69, lon: 47.39 } }, 5, 1)).toMatchObject({ by: 'procedure_default' });
  });

  it('never matches a sector rule for a case without a location', () => {
    expect(decideRoute(rules, { data: {}, point: null }, 5, 1)).toEqual({ departmentId: 5, by: 'procedure_default' });
  });

  it('needs both the condition and the sector when a rule has both', () => {
    const both = [rule({ condition: { field: 'categorie', op: 'eq', value: 'tag' }, sector: square })];
    expect(decideRoute(both, { data: { categorie: 'tag' }, point: { lat: 47.39, lon: 0.69 } }, 5, 1).by).toBe('rule');
    expect(decideRoute(both, { data: { categorie: 'tag' }, point: null }, 5, 1).by).toBe('procedure_default');
    expect(decideRoute(both, { data: { categorie: 'x' }, point: { lat: 47.39, lon: 0.69 } }, 5, 1).by).toBe('procedure_default');
  });

  it('falls back to the reception desk when nothing else decides', () => {
    expect(decideRoute([], { data: {}, point: null }, null, 1)).toEqual({ departmentId: 1, by: 'reception_fallback' });
  });

  it('treats a rule with neither condition nor sector as a catch-all', () => {
    expect(decideRoute([rule({ departmentId: 9 })], { data: {}, point: null }, 5, 1)).toMatchObject({ departmentId: 9, by: 'rule' });
  });
});
