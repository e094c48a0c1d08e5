/**
 * Seeds "Ville de Démo", a complete fictional commune to try Guichet without real data:
 * departments with opening hours, agents, twelve everyday procedures with their forms and
 * workflows, routing rules, and about forty inhabitants in households. Everything is written in
 * one transaction, so a failed seed leaves nothing behind; seeding twice is refused rather than
 * duplicating.
 */
import { citizenRepository } from '../citizens/repository.js';
import type { Db } from '../db/database.js';
import { transaction, type Executor } from '../db/transaction.js';
import { open311Repository } from '../channels/open311/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { routingRepository } from '../routing/repository.js';
import { workflowRepository } from '../workflow/repository.js';
import { DEMO_AGENTS, DEMO_DEPARTMENTS, DEMO_ORGANISATION, DEMO_SLUG, type DemoRole } from './commune-data.js';
import { demoHouseholds } from './households.js';
import { seedDemoLegal } from './legal.js';
import { createRng } from './prng.js';
import { DEMO_PROCEDURES } from './procedures/index.js';
import { demoRepository } from './repository.js';
import { DEMO_ROUTING_RULES } from './routing.js';
import { DEMO_WORKFLOWS } from './workflows/index.js';
import { seedDemoCitizenAccount } from './citizen-account.js';
import { seedDemoAgentAccounts } from './agent-accounts.js';
import { seedDemoResponseTemplates } from './response-templates.js';

export interface DemoSummary {
  organisationId: number;
  /** Department ids by slug. */
  departments: Record<string, number>;
  /** Procedure ids by slug. */
  procedures: Record<string, number>;
  /** The demo logins (no password yet: sign-in comes later). */
  agents: { email: string; name: string; roles: { department: string; role: DemoRole }[] }[];
}

/** Same inhabitants on every run, so demos and tutorials can name them. */
const CITIZEN_SEED = 20_240_601;
/** Inhabitants "registered" well before the seeded history starts. */
const CITIZEN_AGE_MS = 3 * 365 * 86_400_000;

export async function seedDemoCommune(db: Db): Promise<DemoSummary> {
  return transaction(db, async (trx) => {
    if (await demoRepository.organisationExists(trx, DEMO_SLUG)) {
      throw new Error(`La commune de démonstration « ${DEMO_ORGANISATION.name} » existe déjà (identifiant « ${DEMO_SLUG} ») : elle n’a pas été créée une seconde fois.`);
    }
    const now = new Date().toISOString();
    const organisationId = await demoRepository.insertOrganisation(trx, { ...DEMO_ORGANISATION, branding: { ...DEMO_ORGANISATION.branding } }, now);
    await seedDemoLegal(trx, organisationId);
    const departments = await seedDepartments(trx, organisationId, now);
    await seedAgents(trx, organisationId, departments, now);
    await seedDemoAgentAccounts(trx, organisationId, now);
    const procedures = await seedProcedures(trx, organisationId, departments, now);
    await seedWorkflows(trx, procedures, now);
    await seedDemoResponseTemplates(trx, organisationId, departments, procedures, now);
    await seedRoutingRules(trx, organisationId, departments, procedures);
    await seedInhabitants(trx, organisationId, new Date(Date.parse(now) - CITIZEN_AGE_MS).toISOString());
    await seedDemoCitizenAccount(trx, organisationId, now);
    return {
      organisationId,
      departments,
      procedures,
      agents: DEMO_AGENTS.map((a) => ({ email: a.email, name: a.name, roles: a.roles.map((r) => ({ ...r })) })),
    };
  });
}

/** Parents come first in DEMO_DEPARTMENTS, so each parent id is known when its children are written. */
async function seedDepartments(trx: Executor, organisationId: number, now: string): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const d of DEMO_DEPARTMENTS) {
    const parentId = d.parent === undefined ? null : idOf(ids, d.parent, 'service');
    ids[d.slug] = await demoRepository.insertDepartment(trx, organisationId, {
      parentId, slug: d.slug, name: d.name, email: d.email, phone: d.phone, address: d.address, openingHours: d.openingHours, isReception: d.isReception === true,
    }, now);
  }
  return ids;
}

async function seedAgents(trx: Executor, organisationId: number, departments: Record<string, number>, now: string): Promise<void> {
  for (const agent of DEMO_AGENTS) {
    const roles = agent.roles.map((r) => ({ departmentId: idOf(departments, r.department, 'service'), role: r.role }));
    await demoRepository.insertAgent(trx, organisationId, agent.email, agent.name, roles, now);
  }
}

async function seedProcedures(trx: Executor, organisationId: number, departments: Record<string, number>, now: string): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const p of DEMO_PROCEDURES) {
    ids[p.procedure.slug] = await procedureRepository.insert(trx, { ...p.procedure, organisationId, departmentId: idOf(departments, p.department, 'service') }, now);
    if (p.open311ServiceCode) await open311Repository.setServiceCode(trx, ids[p.procedure.slug]!, p.open311ServiceCode);
  }
  return ids;
}

/** Version 1 of each procedure's workflow, so that new and historical cases follow it. */
async function seedWorkflows(trx: Executor, procedures: Record<string, number>, now: string): Promise<void> {
  for (const [slug, procedureId] of Object.entries(procedures)) {
    const definition = DEMO_WORKFLOWS[slug];
    if (!definition) throw new Error(`Données de démonstration incohérentes : la démarche « ${slug} » n’a pas de circuit.`);
    await workflowRepository.publish(trx, procedureId, definition, 'démo', now);
  }
}

async function seedRoutingRules(trx: Executor, organisationId: number, departments: Record<string, number>, procedures: Record<string, number>): Promise<void> {
  for (const rule of DEMO_ROUTING_RULES) {
    await routingRepository.insert(trx, organisationId, {
      procedureId: rule.procedure === null ? null : idOf(procedures, rule.procedure, 'démarche'),
      position: rule.position,
      name: rule.name,
      condition: rule.condition,
      sector: rule.sector,
      departmentId: idOf(departments, rule.department, 'service'),
    });
  }
}

const DEMO_INHABITANT_ORIGIN = { source: 'counter', verified: { email: 'agent', phone: 'agent', address: 'agent' } } as const;

async function seedInhabitants(trx: Executor, organisationId: number, registeredAt: string): Promise<void> {
  for (const household of demoHouseholds(createRng(CITIZEN_SEED))) {
    const members = [];
    for (const adult of household.adults) {
      const citizenId = await citizenRepository.insert(trx, organisationId, {
        civility: adult.civility, firstNames: adult.firstNames, lastName: adult.lastName, birthDate: adult.birthDate,
      }, 'declared', null, registeredAt);
      // The town's known inhabitants: their details were checked at the counter (ADR 0002).
      await citizenRepository.insertContacts(trx, citizenId, { email: adult.email, ...(adult.phone ? { phone: adult.phone } : {}), address: household.address }, DEMO_INHABITANT_ORIGIN, registeredAt);
      members.push({ citizenId, role: 'adult' as const, relationship: adult.relationship, firstNames: adult.firstNames, lastName: adult.lastName, birthDate: adult.birthDate });
    }
    for (const child of household.children) {
      members.push({ citizenId: null, role: 'child' as const, relationship: 'enfant', firstNames: child.firstNames, lastName: child.lastName, birthDate: child.birthDate });
    }
    await demoRepository.insertHousehold(trx, organisationId, household.name, members, registeredAt);
  }
}

function idOf(ids: Record<string, number>, slug: string, what: string): number {
  const id = ids[slug];
  if (id === undefined) throw new Error(`Données de démonstration incohérentes : ${what} « ${slug} » inconnu.`);
  return id;
}
