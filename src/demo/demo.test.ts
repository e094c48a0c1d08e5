import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/db.js';
import { firstBrokenLink, type Actor } from '../cases/journal.js';
import { caseRepository, CHANNELS } from '../cases/repository.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { fromJson } from '../db/transaction.js';
import { checkFormDefinition } from '../procedures/form/check-definition.js';
import { validateSubmission } from '../procedures/form/validate.js';
import { procedureRepository } from '../procedures/repository.js';
import { checkWorkflowDefinition } from '../workflow/check-definition.js';
import { WORKFLOW_ROLES, type WorkflowRole } from '../workflow/definition.js';
import { isClosedCategory, outcomeOf } from '../workflow/engine.js';
import { workflowRepository, type WorkflowVersion } from '../workflow/repository.js';
import { formFieldNames } from '../workflow/service.js';
import { DEMO_DEPARTMENTS } from './commune-data.js';
import { seedDemoCommune, type DemoSummary } from './commune.js';
import { HistoryWorkflow } from './history-workflows.js';
import { seedHistoricalCases } from './history.js';
import { citizenEmail, fictionPhone, randomAddress, randomPerson } from './people.js';
import { createRng } from './prng.js';
import { DEMO_PROCEDURES, type Outcome } from './procedures/index.js';
import { demoRepository } from './repository.js';
import { DEMO_WORKFLOWS } from './workflows/index.js';

const HISTORY_SIZE = 2000;

async function memoryDb(): Promise<Db> {
  const db = openDatabase({ url: '', sqliteFile: ':memory:' });
  await migrateToLatest(db);
  return db;
}

let db: Db;
let summary: DemoSummary;

beforeAll(async () => {
  db = await freshDb();
  summary = await seedDemoCommune(db);
  await seedHistoricalCases(db, summary.organisationId, HISTORY_SIZE, { seed: 7 });
});

afterAll(async () => {
  await db?.close();
});

describe('seedDemoCommune', () => {
  it('creates the departments, agents and twelve procedures of Ville de Démo', async () => {
    expect(Object.keys(summary.departments).length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(summary.procedures)).toHaveLength(12);
    expect(summary.agents.some((a) => a.roles.some((r) => r.role === 'admin'))).toBe(true);
    expect(summary.agents.every((a) => a.email.endsWith('@ville-de-demo.fr'))).toBe(true);
  });

  it('stores form definitions that pass the checker', async () => {
    const procedures = await procedureRepository.list(db.kysely, summary.organisationId, { onlineOnly: false });
    expect(procedures).toHaveLength(12);
    for (const procedure of procedures) expect({ slug: procedure.slug, errors: checkFormDefinition(procedure.form) }).toEqual({ slug: procedure.slug, errors: [] });
  });

  it('adds routing rules and citizens living in households', async () => {
    expect(await demoRepository.countRoutingRules(db.kysely, summary.organisationId)).toBeGreaterThanOrEqual(2);
    const members = await db.kysely.selectFrom('household_members').select(['citizen_id', 'role', 'birth_date']).execute();
    expect(members.filter((m) => m.role === 'adult' && m.citizen_id !== null).length).toBeGreaterThanOrEqual(40);
    expect(members.some((m) => m.role === 'child' && m.birth_date !== null)).toBe(true);
  });

  it('refuses to create the commune a second time', async () => {
    await expect(seedDemoCommune(db)).rejects.toThrow(/existe déjà/);
  });
});

describe('demo workflows', () => {
  const departmentSlugs = DEMO_DEPARTMENTS.map((d) => d.slug);
  const slugs = DEMO_PROCEDURES.map((p) => p.procedure.slug);

  it('gives every demo procedure a workflow, and nothing else one', () => {
    expect(Object.keys(DEMO_WORKFLOWS).sort()).toEqual([...slugs].sort());
  });

  it('writes workflows that pass the checker', () => {
    for (const demo of DEMO_PROCEDURES) {
      const slug = demo.procedure.slug;
      const errors = checkWorkflowDefinition(DEMO_WORKFLOWS[slug], { departmentSlugs, formFieldNames: formFieldNames(demo.procedure.form) });
      expect({ slug, errors }).toEqual({ slug, errors: [] });
    }
  });

  it('reaches every status from the initial one, and a closed status from every open one through everyday transitions', () => {
    for (const [slug, def] of Object.entries(DEMO_WORKFLOWS)) {
      const closed = new Set(def.statuses.filter((s) => isClosedCategory(s.category)).map((s) => s.id));
      const next = (status: string, roles: readonly WorkflowRole[]) =>
        def.transitions.filter((t) => (t.from.includes(status) || (t.from.includes('*') && !closed.has(status))) && t.roles.some((r) => roles.includes(r))).map((t) => t.to);
      const reachable = (from: string, roles: readonly WorkflowRole[]) => {
        const seen = new Set([from]);
        const queue = [from];
        for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
          for (const to of next(current, roles).filter((id) => !seen.has(id))) {
            seen.add(to);
            queue.push(to);
          }
        }
        return seen;
      };
      expect({ slug, unreachable: def.statuses.map((s) => s.id).filter((id) => !reachable(def.initial, WORKFLOW_ROLES).has(id)) }).toEqual({ slug, unreachable: [] });
      for (const status of def.statuses.filter((s) => !closed.has(s.id))) {
        // The end-to-end tests drive cases with an integration token: it must be able to close any case.
        expect({ slug, status: status.id, closes: [...reachable(status.id, ['integration'])].some((id) => closed.has(id)) }).toEqual({ slug, status: status.id, closes: true });
      }
    }
  });

  it('has labels for agents and citizens, a closed status for every outcome and a transition reserved to managers', () => {
    for (const demo of DEMO_PROCEDURES) {
      const def = DEMO_WORKFLOWS[demo.procedure.slug];
      if (!def) throw new Error(`no workflow for ${demo.procedure.slug}`);
      for (const status of def.statuses) expect(status.label.trim() && status.citizenLabel.trim()).toBeTruthy();
      const outcomes = new Set(def.statuses.map((s) => outcomeOf(s.category)));
      for (const [outcome, weight] of Object.entries(demo.outcomes)) if (weight > 0) expect({ slug: demo.procedure.slug, outcome, closes: outcomes.has(outcome as Outcome) }).toMatchObject({ closes: true });
      expect(def.transitions.some((t) => t.roles.length === 1 && t.roles[0] === 'manager')).toBe(true);
    }
  });

  it('publishes version 1 of each workflow with the demo commune', async () => {
    for (const [slug, procedureId] of Object.entries(summary.procedures)) {
      const published = await workflowRepository.latest(db.kysely, procedureId);
      expect({ slug, version: published?.version, definition: published?.definition }).toEqual({ slug, version: 1, definition: DEMO_WORKFLOWS[slug] });
    }
  });
});

describe('demo form data generators', () => {
  it('produce submissions that validate and are already normalised', () => {
    const rng = createRng(42);
    for (const demo of DEMO_PROCEDURES) {
      for (let i = 0; i < 200; i++) {
        const person = randomPerson(rng);
        const citizen = rng.chance(0.2) ? null : { ...person, birthDate: '1982-04-03', address: randomAddress(rng), email: citizenEmail(person), phone: fictionPhone(rng) };
        const children = rng.chance(0.5) ? [{ id: '7', firstNames: 'Zoé', lastName: person.lastName, birthDate: '2018-09-01' }] : [];
        const today = `${rng.int(2024, 2026)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
        const data = demo.sample({ rng, today, citizen, children });
        const result = validateSubmission(demo.procedure.form, data, { hiddenFields: 'reject', today, householdMemberIds: children.map((c) => c.id) });
        expect({ slug: demo.procedure.slug, result }).toEqual({ slug: demo.procedure.slug, result: { ok: true, value: data } });
      }
    }
  });
});

describe('seedHistoricalCases', () => {
  it('spreads the cases over all nine channels and every procedure', async () => {
    const rows = await db.kysely.selectFrom('cases').select(['channel', 'procedure_id']).where('organisation_id', '=', summary.organisationId).execute();
    expect(rows).toHaveLength(HISTORY_SIZE);
    expect(new Set(rows.map((r) => r.channel))).toEqual(new Set(CHANNELS));
    expect(new Set(rows.map((r) => r.procedure_id))).toEqual(new Set(Object.values(summary.procedures)));
  });

  it('writes data valid for each procedure, routed as intake would', async () => {
    const procedures = new Map((await procedureRepository.list(db.kysely, summary.organisationId, { onlineOnly: false })).map((p) => [p.id, p]));
    const rows = await db.kysely.selectFrom('cases').select(['procedure_id', 'data', 'received_at', 'department_id', 'closed_at', 'due_at']).execute();
    for (const row of rows) {
      const procedure = procedures.get(row.procedure_id ?? 0);
      if (!procedure) throw new Error(`unknown procedure ${row.procedure_id}`);
      const data = fromJson<Record<string, unknown>>(row.data);
      const today = DateTime.fromISO(row.received_at, { zone: 'Europe/Paris' }).toISODate() ?? '';
      expect(validateSubmission(procedure.form, data, { hiddenFields: 'reject', today })).toEqual({ ok: true, value: data });
      expect(row.due_at).not.toBeNull();
      if (procedure.slug === 'signalement-voirie' && ['depot_sauvage', 'tag'].includes(String(data['categorie']))) {
        expect(row.department_id).toBe(summary.departments['proprete-urbaine']);
      }
    }
    expect(rows.filter((r) => r.closed_at !== null).length).toBeGreaterThan(HISTORY_SIZE * 0.8);
  });

  it('puts every case in a status of its procedure’s workflow, closed ones in a status matching their outcome', async () => {
    const workflows = new Map<number, WorkflowVersion>();
    for (const procedureId of Object.values(summary.procedures)) {
      const published = await workflowRepository.latest(db.kysely, procedureId);
      if (published) workflows.set(procedureId, published);
    }
    const rows = await db.kysely
      .selectFrom('cases')
      .select(['reference', 'procedure_id', 'workflow_id', 'status', 'status_entered_at', 'received_at', 'closed_at', 'outcome'])
      .where('organisation_id', '=', summary.organisationId)
      .execute();
    const prepared = new Map([...workflows.values()].map((w) => [w.id, new HistoryWorkflow(w)] as const));
    const used = new Map<number, Set<string>>();
    const nowMs = Date.now();
    for (const row of rows) {
      const workflow = workflows.get(row.procedure_id ?? 0);
      expect(workflow, `workflow of ${row.reference}`).toBeDefined();
      expect(row.workflow_id).toBe(workflow?.id);
      const status = workflow?.definition.statuses.find((s) => s.id === row.status);
      expect({ reference: row.reference, status: row.status, known: status !== undefined }).toMatchObject({ known: true });
      if (!status || !workflow) continue;
      used.set(workflow.id, (used.get(workflow.id) ?? new Set()).add(status.id));
      expect({ reference: row.reference, closedAt: row.closed_at !== null, outcome: row.outcome }).toEqual({ reference: row.reference, closedAt: isClosedCategory(status.category), outcome: outcomeOf(status.category) });
      const entered = Date.parse(row.status_entered_at ?? '');
      expect(entered).toBeGreaterThanOrEqual(Date.parse(row.received_at));
      expect(entered).toBeLessThanOrEqual(nowMs);
      if (row.closed_at !== null) expect(entered).toBe(Date.parse(row.closed_at));
      // Statuses reached through timers' transitions (no reply to a request for pieces) come after the delay.
      const timerDelay = prepared.get(workflow.id)?.timerDelay(status.id);
      if (timerDelay !== undefined) expect(entered - Date.parse(row.received_at)).toBeGreaterThanOrEqual(timerDelay);
      if (status.id === workflow.definition.initial) expect(entered).toBe(Date.parse(row.received_at));
    }
    // The history shows the workflows at work: cases not yet looked at, in progress, waiting, and closed every way.
    expect(used.size).toBe(workflows.size);
    const categories = new Set([...workflows.values()].flatMap((w) => w.definition.statuses.filter((s) => used.get(w.id)?.has(s.id)).map((s) => s.category)));
    expect([...categories].sort()).toEqual(expect.arrayContaining(['closed_accepted', 'closed_refused', 'closed_without_action', 'in_progress', 'new', 'waiting_citizen']));
  });

  it('gives every case a verifiable journal and a published outbox message', async () => {
    const events = await db.kysely
      .selectFrom('case_journal as j')
      .innerJoin('cases as c', 'c.id', 'j.case_id')
      .select(['c.reference', 'c.status', 'c.status_entered_at', 'c.closed_at', 'j.seq', 'j.type', 'j.actor_type', 'j.actor_id', 'j.payload', 'j.created_at', 'j.hash'])
      .orderBy('j.case_id')
      .orderBy('j.seq')
      .execute();
    const byCase = new Map<string, typeof events>();
    for (const e of events) byCase.set(e.reference, [...(byCase.get(e.reference) ?? []), e]);
    expect(byCase.size).toBe(HISTORY_SIZE);
    for (const [reference, chain] of byCase) {
      const journal = chain.map((e) => ({
        seq: e.seq, type: e.type, actor: { type: e.actor_type, id: e.actor_id } as Actor, payload: fromJson<Record<string, unknown>>(e.payload), createdAt: e.created_at, hash: e.hash,
      }));
      expect({ reference, broken: firstBrokenLink(reference, journal) }).toEqual({ reference, broken: null });
      expect(journal[0]?.type).toBe('case.created');
      expect(journal.some((e) => e.type === 'case.routed')).toBe(true);
      // A case out of its initial status says how it got there, at the moment it did.
      const moves = journal.filter((e) => e.type === 'status.changed');
      const [first] = chain;
      if (moves.length > 0) {
        expect(journal.at(-1)).toMatchObject({ type: 'status.changed', payload: { to: first?.status }, createdAt: first?.status_entered_at });
      } else {
        expect(first?.closed_at).toBeNull();
      }
    }
    const outbox = await db.kysely.selectFrom('outbox').select(['published_at']).execute();
    expect(outbox).toHaveLength(HISTORY_SIZE);
    expect(outbox.every((o) => o.published_at !== null)).toBe(true);
  });

  it('moves the reference counters past the seeded numbers, so live intake continues after them', async () => {
    const cases = await db.kysely.selectFrom('cases').select(['reference', 'tracking_code']).execute();
    expect(new Set(cases.map((c) => c.tracking_code)).size).toBe(HISTORY_SIZE);
    const highest = new Map<number, number>();
    for (const { reference } of cases) {
      const [year, number] = reference.split('-').map(Number) as [number, number];
      highest.set(year, Math.max(highest.get(year) ?? 0, number));
    }
    for (const [year, max] of highest) {
      expect(await caseRepository.nextReferenceNumber(db.kysely, summary.organisationId, year)).toBe(max + 1);
    }
  });

  // Determinism does not depend on the dialect: two in-memory SQLite databases suffice.
  it('is reproducible from its seed', async () => {
    const subjects = async (target: Db) => {
      const demo = await seedDemoCommune(target);
      await seedHistoricalCases(target, demo.organisationId, 200, { seed: 3, now: new Date('2026-06-15T10:00:00Z') });
      const rows = await target.kysely.selectFrom('cases').select(['subject', 'received_at', 'channel']).orderBy('id').execute();
      return rows;
    };
    const [first, second] = [await memoryDb(), await memoryDb()];
    try {
      expect(await subjects(first)).toEqual(await subjects(second));
    } finally {
      await first.close();
      await second.close();
    }
  });
});
