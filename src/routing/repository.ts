import type { Executor } from '../db/transaction.js';
import { fromJson, toJson } from '../db/transaction.js';
import type { Condition } from '../procedures/form/definition.js';
import type { SectorGeometry } from './rules.js';
import { forgetConfiguration } from '../configuration/cache.js';

export interface RoutingRule {
  id: number;
  procedureId: number | null;
  position: number;
  name: string;
  condition: Condition | null;
  sector: SectorGeometry | null;
  departmentId: number;
}

/** Every query on routing rules. */
export const routingRepository = {
  /** Rules that may apply to a procedure: its own first, then organisation-wide ones, each by position. */
  async rulesFor(db: Executor, organisationId: number, procedureId: number | null): Promise<RoutingRule[]> {
    const rows = await db
      .selectFrom('routing_rules')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where((eb) => (procedureId === null ? eb('procedure_id', 'is', null) : eb.or([eb('procedure_id', '=', procedureId), eb('procedure_id', 'is', null)])))
      .execute();
    return rows
      .map((r) => ({
        id: r.id,
        procedureId: r.procedure_id,
        position: r.position,
        name: r.name,
        condition: fromJson<Condition | null>(r.condition),
        sector: fromJson<SectorGeometry | null>(r.sector),
        departmentId: r.department_id,
      }))
      .sort((a, b) => Number(a.procedureId === null) - Number(b.procedureId === null) || a.position - b.position);
  },

  async insert(db: Executor, organisationId: number, rule: Omit<RoutingRule, 'id'>): Promise<number> {
    forgetConfiguration();
    const row = await db
      .insertInto('routing_rules')
      .values({
        organisation_id: organisationId,
        procedure_id: rule.procedureId,
        position: rule.position,
        name: rule.name,
        condition: rule.condition ? toJson(rule.condition) : null,
        sector: rule.sector ? toJson(rule.sector) : null,
        department_id: rule.departmentId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },
};
