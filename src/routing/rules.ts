import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { isVisible } from '../procedures/form/validate.js';
import type { RoutingRule } from './repository.js';

/** A sector as GeoJSON (RFC 7946: [longitude, latitude]). */
export type SectorGeometry =
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** What the intake knows of a case when routing it. */
export interface RoutingInput {
  data: Record<string, unknown>;
  point: { lat: number; lon: number } | null;
}

/** Which department a case goes to, and why: recorded in the journal. */
export type RoutingDecision =
  | { departmentId: number; by: 'rule'; rule: { id: number; name: string } }
  | { departmentId: number; by: 'procedure_default' }
  | { departmentId: number; by: 'reception_fallback' };

/**
 * The first rule whose conditions all hold wins: a rule with a condition on field values and a
 * sector needs both; a rule with neither always matches (a catch-all). A rule with a sector never
 * matches a case without a location.
 */
export function matchRule(rules: RoutingRule[], input: RoutingInput): RoutingRule | undefined {
  return rules.find((rule) => {
    if (rule.condition && !isVisible(rule.condition, input.data)) return false;
    if (rule.sector) {
      if (!input.point) return false;
      return booleanPointInPolygon([input.point.lon, input.point.lat], rule.sector);
    }
    return true;
  });
}

/** Routes with the rules, then the procedure's owning department, then the reception desk. */
export function decideRoute(
  rules: RoutingRule[],
  input: RoutingInput,
  procedureDepartmentId: number | null,
  receptionDepartmentId: number,
): RoutingDecision {
  const rule = matchRule(rules, input);
  if (rule) return { departmentId: rule.departmentId, by: 'rule', rule: { id: rule.id, name: rule.name } };
  if (procedureDepartmentId !== null) return { departmentId: procedureDepartmentId, by: 'procedure_default' };
  return { departmentId: receptionDepartmentId, by: 'reception_fallback' };
}
