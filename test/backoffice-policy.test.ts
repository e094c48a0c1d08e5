import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeAdmin, authorizeCase, canSeeCase, computeScope, workflowRolesOn } from '../src/backoffice/policy.js';
import type { Db } from '../src/db/database.js';
import { createAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation } from './factories.js';

describe('back-office access rules', () => {
  let db: Db;
  let org: number;
  let other: number;
  let works: number;
  let roads: number;
  let lighting: number;
  let civil: number;

  beforeAll(async () => {
    db = await freshDb();
    org = await makeOrganisation(db, 'ville-a');
    other = await makeOrganisation(db, 'ville-b');
    works = await makeDepartment(db, org, 'travaux');
    roads = await makeDepartment(db, org, 'voirie', { parentId: works });
    lighting = await makeDepartment(db, org, 'eclairage', { parentId: roads });
    civil = await makeDepartment(db, org, 'etat-civil');
  });
  afterAll(async () => db.close());

  it('gives an agent their own departments only, and a manager their sub-departments too', async () => {
    const agent = await createAgent(db, org, { roles: [{ departmentId: roads, role: 'agent' }] });
    const manager = await createAgent(db, org, { roles: [{ departmentId: works, role: 'manager' }] });
    const agentScope = await computeScope(db.kysely, agent.agentId, org);
    const managerScope = await computeScope(db.kysely, manager.agentId, org);
    expect(agentScope.departmentIds).toEqual([roads]);
    expect(agentScope.isManager).toBe(false);
    expect([...managerScope.departmentIds].sort()).toEqual([works, roads, lighting].sort());
    expect(managerScope.managedDepartmentIds).toContain(lighting);
    expect(workflowRolesOn(managerScope, lighting)).toEqual(['agent', 'manager']);
    expect(workflowRolesOn(agentScope, roads)).toEqual(['agent']);
  });

  it('hides another department’s case as not found, but keeps a case assigned to the agent visible', async () => {
    const agent = await createAgent(db, org, { roles: [{ departmentId: civil, role: 'agent' }] });
    const scope = await computeScope(db.kysely, agent.agentId, org);
    const elsewhere = { organisationId: org, department: { id: roads }, assignedAgentId: null };
    expect(canSeeCase(scope, elsewhere)).toBe(false);
    expect(() => authorizeCase(scope, elsewhere, '2026-000001')).toThrow(/Aucun dossier/);
    expect(canSeeCase(scope, { ...elsewhere, assignedAgentId: agent.agentId })).toBe(true);
    expect(canSeeCase(scope, { organisationId: other, department: { id: civil }, assignedAgentId: null })).toBe(false);
  });

  it('reserves configuration to admins and ignores roles on another organisation’s departments', async () => {
    const elsewhere = await makeDepartment(db, other, 'accueil');
    const admin = await createAgent(db, org, { roles: [{ departmentId: civil, role: 'admin' }] });
    const stranger = await createAgent(db, org, { roles: [{ departmentId: elsewhere, role: 'admin' }] });
    const adminScope = await computeScope(db.kysely, admin.agentId, org);
    expect(() => authorizeAdmin(adminScope)).not.toThrow();
    const strangerScope = await computeScope(db.kysely, stranger.agentId, org);
    expect(strangerScope.departmentIds).toEqual([]);
    expect(() => authorizeAdmin(strangerScope)).toThrow(/administrateurs/);
  });
});
