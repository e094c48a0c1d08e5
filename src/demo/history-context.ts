/**
 * What the history generator reads from the database before writing anything: the organisation's
 * demo procedures with their routing rules and workflows, its departments and agents, and its
 * citizens.
 */
import type { Db } from '../db/database.js';
import type { Field } from '../procedures/form/definition.js';
import { organisationRepository, type Department } from '../organisations/repository.js';
import { procedureRepository, type Procedure } from '../procedures/repository.js';
import { routingRepository, type RoutingRule } from '../routing/repository.js';
import { workflowRepository } from '../workflow/repository.js';
import { HistoryWorkflow } from './history-workflows.js';
import { demoProcedure, type DemoProcedure } from './procedures/index.js';
import { demoRepository, type CitizenProfile } from './repository.js';

export interface HistoryProcedure {
  procedure: Procedure;
  demo: DemoProcedure;
  rules: RoutingRule[];
  /** The workflow version new cases of the procedure follow: historical cases follow it too. */
  workflow: HistoryWorkflow;
  /** Top-level geolocation and address fields, in form order: where intake takes a case's location. */
  placeFields: Field[];
  /** Whether the form asks for a child of the household. */
  needsChild: boolean;
}

export interface HistoryContext {
  organisationId: number;
  procedures: HistoryProcedure[];
  departments: Map<number, Department>;
  receptionId: number;
  /** Agents who can handle a department's cases (its own, else its parent's). */
  agents: Map<number, number[]>;
  citizens: CitizenProfile[];
}

export async function loadHistoryContext(db: Db, organisationId: number): Promise<HistoryContext> {
  const k = db.kysely;
  const departmentList = await organisationRepository.listDepartments(k, organisationId);
  const departments = new Map(departmentList.map((d) => [d.id, d]));
  const reception = await organisationRepository.findReception(k, organisationId);
  const procedures: HistoryProcedure[] = [];
  for (const procedure of await procedureRepository.list(k, organisationId, { onlineOnly: false })) {
    const demo = demoProcedure(procedure.slug);
    if (!demo) continue;
    const fields = procedure.form.pages.flatMap((page) => page.fields);
    const workflow = await workflowRepository.latest(k, procedure.id);
    if (!workflow) throw new Error(`La démarche « ${procedure.title} » n’a pas de circuit publié : ses dossiers historiques ne peuvent pas être créés.`);
    procedures.push({
      procedure,
      demo,
      rules: await routingRepository.rulesFor(k, organisationId, procedure.id),
      workflow: new HistoryWorkflow(workflow),
      placeFields: fields.filter((f) => f.type === 'geolocation' || f.type === 'address'),
      needsChild: fields.some((f) => f.type === 'householdMember'),
    });
  }
  if (procedures.length === 0) {
    throw new Error(`L’organisation ${organisationId} n’a aucune démarche de démonstration : créez d’abord la commune de démonstration (seedDemoCommune).`);
  }
  const own = await demoRepository.agentsByDepartment(k, organisationId);
  const agents = new Map<number, number[]>();
  for (const d of departmentList) {
    agents.set(d.id, own.get(d.id) ?? (d.parentId === null ? undefined : own.get(d.parentId)) ?? []);
  }
  return {
    organisationId,
    procedures,
    departments,
    receptionId: reception?.id ?? procedures[0]?.procedure.departmentId ?? 0,
    agents,
    citizens: await demoRepository.citizenProfiles(k, organisationId),
  };
}
