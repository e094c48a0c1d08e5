/**
 * The dashboard: exact figures on a small set of cases (open, new today, at risk, overdue, handled
 * this week, handling time, satisfaction, online share), the Monday and midnight boundaries in the
 * organisation's zone, the departments each agent sees, links to the inbox, and refusals.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardFor, dashboardMoments, handlingTimeLabel, inboxHref } from '../src/backoffice/dashboard/service.js';
import { computeScope } from '../src/backoffice/policy.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { createAgent, signInAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation } from './factories.js';

const ZONE = 'Europe/Paris';
/** Wednesday 25 November 2026, 11:00 in Paris. */
const NOW = new Date('2026-11-25T10:00:00.000Z');

let db: Db;
let app: App;
let org: number;
const dept = { works: 0, roads: 0, lighting: 0, civil: 0 };
const agents = { roads: 0, manager: 0, civil: 0, nobody: 0 };
let counter = 0;

interface CaseSpec {
  department: number;
  receivedAt: string;
  dueAt?: string | null;
  closedAt?: string | null;
  channel?: string;
  assignedTo?: number | null;
  /** Waiting for the citizen: an open pause (the clock of the deadline stops, the due time stays). */
  paused?: boolean;
  rating?: number;
}

/** A case written straight to the table: these tests are about counting, not about intake. */
async function addCase(spec: CaseSpec): Promise<number> {
  counter += 1;
  const row = await db.kysely
    .insertInto('cases')
    .values({
      organisation_id: org,
      reference: `2026-${String(counter).padStart(6, '0')}`,
      tracking_code: randomBytes(6).toString('hex'),
      procedure_id: null,
      citizen_id: null,
      channel: spec.channel ?? 'phone',
      status: spec.closedAt ? 'closed_accepted' : 'in_progress',
      department_id: spec.department,
      assigned_agent_id: spec.assignedTo ?? null,
      priority: 'normal',
      subject: `Dossier ${counter}`,
      address: null,
      lat: null,
      lon: null,
      data: '{}',
      contact_email: null,
      contact_phone: null,
      received_at: spec.receivedAt,
      due_at: spec.dueAt ?? null,
      implicit_decision_at: null,
      closed_at: spec.closedAt ?? null,
      outcome: null,
      version: 1,
      created_at: spec.receivedAt,
      updated_at: spec.receivedAt,
      workflow_id: null,
      status_entered_at: null,
      implicit_decision_recorded_at: null,
      overdue_escalated_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (spec.paused) await db.kysely.insertInto('case_pauses').values({ case_id: row.id, reason: 'waiting_citizen', silence_mode: null, started_at: spec.receivedAt, ended_at: null }).execute();
  if (spec.rating !== undefined) await db.kysely.insertInto('satisfaction_answers').values({ case_id: row.id, citizen_id: null, rating: spec.rating, comment: null, created_at: spec.closedAt! }).execute();
  return row.id;
}

const scopeOf = (agentId: number) => computeScope(db.kysely, agentId, org);

beforeAll(async () => {
  db = await freshDb();
  org = await makeOrganisation(db, 'ville-tableau');
  dept.works = await makeDepartment(db, org, 'travaux');
  dept.roads = await makeDepartment(db, org, 'voirie', { parentId: dept.works });
  dept.lighting = await makeDepartment(db, org, 'eclairage', { parentId: dept.roads });
  dept.civil = await makeDepartment(db, org, 'etat-civil');
  agents.roads = (await createAgent(db, org, { name: 'Karim Voirie', roles: [{ departmentId: dept.roads, role: 'agent' }] })).agentId;
  agents.manager = (await createAgent(db, org, { name: 'Thomas Travaux', roles: [{ departmentId: dept.works, role: 'manager' }] })).agentId;
  agents.civil = (await createAgent(db, org, { name: 'Sophie Civil', roles: [{ departmentId: dept.civil, role: 'agent' }] })).agentId;
  agents.nobody = (await createAgent(db, org, { name: 'Sans Service', roles: [] })).agentId;
  const { roads, lighting, civil } = dept;
  // Roads, open: new today (web), at risk (mobile, mine), overdue, overdue while waiting for the citizen.
  await addCase({ department: roads, receivedAt: '2026-11-25T08:00:00.000Z', dueAt: '2026-12-10T10:00:00.000Z', channel: 'web' });
  await addCase({ department: roads, receivedAt: '2026-11-20T08:00:00.000Z', dueAt: '2026-11-26T09:00:00.000Z', channel: 'mobile', assignedTo: agents.roads });
  await addCase({ department: roads, receivedAt: '2026-11-01T08:00:00.000Z', dueAt: '2026-11-24T09:00:00.000Z' });
  await addCase({ department: roads, receivedAt: '2026-10-15T08:00:00.000Z', dueAt: '2026-11-02T09:00:00.000Z', paused: true });
  // Midnight in Paris is 23:00 UTC the day before: received at 00:30 Paris is today, at 23:30 Paris yesterday.
  await addCase({ department: roads, receivedAt: '2026-11-24T23:30:00.000Z' });
  await addCase({ department: roads, receivedAt: '2026-11-24T22:30:00.000Z' });
  // Roads, closed: Monday 09:00 Paris after 3 days (rated 4); Monday 00:30 Paris — still Sunday in UTC —
  // after 4 hours (rated 5); Sunday 23:30 Paris, last week (rated 1, not counted).
  await addCase({ department: roads, receivedAt: '2026-11-20T08:00:00.000Z', closedAt: '2026-11-23T08:00:00.000Z', channel: 'web', rating: 4 });
  await addCase({ department: roads, receivedAt: '2026-11-22T19:30:00.000Z', closedAt: '2026-11-22T23:30:00.000Z', rating: 5 });
  await addCase({ department: roads, receivedAt: '2026-11-10T08:00:00.000Z', closedAt: '2026-11-22T22:30:00.000Z', rating: 1 });
  // Lighting (sub-department of roads): an overdue case assigned to the roads agent; closed this week without an answer.
  await addCase({ department: lighting, receivedAt: '2026-11-02T08:00:00.000Z', dueAt: '2026-11-20T09:00:00.000Z', assignedTo: agents.roads, channel: 'web' });
  await addCase({ department: lighting, receivedAt: '2026-11-24T10:00:00.000Z', closedAt: '2026-11-24T12:00:00.000Z' });
  // Civil status: one open case nobody but its department sees.
  await addCase({ department: civil, receivedAt: '2026-11-25T09:00:00.000Z', dueAt: '2026-11-26T08:00:00.000Z' });
  app = await testApp(db);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('dashboard figures', () => {
  it('starts the day, the week (Monday) and the month at local midnight in the organisation’s zone', () => {
    const m = dashboardMoments(NOW, ZONE);
    expect(m.todayStart).toBe('2026-11-24T23:00:00.000Z');
    expect(m.weekStart).toBe('2026-11-22T23:00:00.000Z');
    expect(m.monthStart).toBe('2026-10-31T23:00:00.000Z');
    expect([m.today, m.weekStartDate, m.monthStartDate]).toEqual(['2026-11-25', '2026-11-23', '2026-11-01']);
    // Sunday 23:30 in Paris: still the previous week; Monday 00:30 in Paris (Sunday in UTC): the new one.
    expect(dashboardMoments(new Date('2026-11-29T22:30:00.000Z'), ZONE).weekStartDate).toBe('2026-11-23');
    expect(dashboardMoments(new Date('2026-11-29T23:30:00.000Z'), ZONE).weekStartDate).toBe('2026-11-30');
    // Summer time: Paris is UTC+2.
    expect(dashboardMoments(new Date('2026-07-01T10:00:00.000Z'), ZONE).weekStart).toBe('2026-06-28T22:00:00.000Z');
  });

  it('counts exactly per department for an agent: their department only, overdue as the inbox’s filter says', async () => {
    const d = await dashboardFor(db, await scopeOf(agents.roads), ZONE, NOW);
    expect(d.rows.map((r) => r.name)).toEqual(['Voirie']);
    const [roads] = d.rows;
    expect(roads).toMatchObject({
      departmentId: dept.roads,
      depth: 0,
      open: 6,
      newToday: 2,
      atRisk: 1,
      // As in the inbox (« en retard ») and urgencyOf: a case waiting for the citizen past its due time is overdue.
      overdue: 2,
      handled: 2,
      averageHandlingSeconds: 38 * 3600,
      satisfaction: 4.5,
      satisfactionAnswers: 2,
      receivedThisMonth: 8,
      onlineThisMonth: 3,
    });
    const { departmentId: _id, name: _name, depth: _depth, ...figures } = roads!;
    expect(d.total).toEqual(figures);
    expect(d.showOnlineShare).toBe(false);
    // Theirs, wherever it sits: the at-risk case in roads and the overdue one in lighting.
    expect(d.mine).toEqual({ open: 2, atRisk: 1, overdue: 1 });
  });

  it('gives a manager the sub-departments, indented in tree order, and an exact total', async () => {
    const d = await dashboardFor(db, await scopeOf(agents.manager), ZONE, NOW);
    expect(d.rows.map((r) => [r.name, r.depth])).toEqual([
      ['Travaux', 0],
      ['Voirie', 1],
      ['Eclairage', 2],
    ]);
    expect(d.rows[0]).toMatchObject({ open: 0, handled: 0, averageHandlingSeconds: null, satisfaction: null });
    expect(d.rows[2]).toMatchObject({ open: 1, overdue: 1, atRisk: 0, handled: 1, averageHandlingSeconds: 2 * 3600, satisfaction: null, newToday: 0 });
    expect(d.total).toMatchObject({
      open: 7,
      newToday: 2,
      atRisk: 1,
      overdue: 3,
      handled: 3,
      // (72 h + 4 h + 2 h) / 3 — a mean over cases, not a mean of the departments' means.
      averageHandlingSeconds: 26 * 3600,
      satisfaction: 4.5,
      satisfactionAnswers: 2,
      receivedThisMonth: 10,
      onlineThisMonth: 4,
    });
    expect(d.showOnlineShare).toBe(true);
    expect(d.mine).toEqual({ open: 0, atRisk: 0, overdue: 0 });
  });

  it('shows nothing of other departments to an agent, and an empty dashboard to an agent without a department', async () => {
    const civil = await dashboardFor(db, await scopeOf(agents.civil), ZONE, NOW);
    expect(civil.rows.map((r) => r.departmentId)).toEqual([dept.civil]);
    expect(civil.total).toMatchObject({ open: 1, atRisk: 1, newToday: 1 });
    const nobody = await dashboardFor(db, await scopeOf(agents.nobody), ZONE, NOW);
    expect(nobody.rows).toEqual([]);
    expect(nobody.total.open).toBe(0);
  });

  it('writes handling times as agents say them', () => {
    expect(handlingTimeLabel(3 * 86_400 + 4 * 3600)).toBe('3 j 4 h');
    expect(handlingTimeLabel(38 * 3600 + 20 * 60)).toBe('1 j 14 h');
    expect(handlingTimeLabel(5 * 3600)).toBe('5 h');
    expect(handlingTimeLabel(600)).toBe('moins d’1 h');
    expect(inboxHref({})).toBe('/backoffice/dossiers');
    expect(inboxHref({ departement: 3, delai: 'en-retard', etat: undefined })).toBe('/backoffice/dossiers?departement=3&delai=en-retard');
  });
});

describe('dashboard page', () => {
  const get = (cookie?: string) => app.inject({ method: 'GET', url: '/backoffice/tableau-de-bord', headers: cookie ? { cookie } : {} });

  it('sends a signed-out visitor, or one still owing their second factor, to the sign-in page and back', async () => {
    const out = await get();
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe(`/backoffice/connexion?retour=${encodeURIComponent('/backoffice/tableau-de-bord')}`);
    const { cookie } = await signInAgent(db, agents.manager, app.signCookie.bind(app));
    const id = (await db.kysely.selectFrom('agent_sessions').select('id').where('agent_id', '=', agents.manager).orderBy('created_at', 'desc').executeTakeFirstOrThrow()).id;
    await db.kysely.updateTable('agent_sessions').set({ stage: 'second_factor' }).where('id', '=', id).execute();
    const halfway = await get(cookie);
    expect(halfway.statusCode).toBe(303);
    expect(halfway.headers.location).toContain('/backoffice/connexion');
  });

  it('is an accessible table whose every figure links to the matching inbox filter', async () => {
    const { cookie } = await signInAgent(db, agents.manager, app.signCookie.bind(app));
    const res = await get(cookie);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    const m = dashboardMoments(new Date(), ZONE);
    expect(html).toContain('<h1>Tableau de bord</h1>');
    expect(html).toMatch(/<caption id="dashboard-caption">Indicateurs par service au /);
    expect(html).toContain('<th scope="col">Dossiers ouverts</th>');
    expect(html).toContain('<th scope="col">Demandes en ligne ce mois-ci</th>');
    expect(html).toMatch(/<th scope="row" class="depth-1"><span class="visually-hidden">Sous-service de Travaux : <\/span>Voirie<\/th>/);
    expect(html).toContain('aria-current="page"');
    const roads = dept.roads;
    for (const href of [
      `/backoffice/dossiers?departement=${roads}`,
      `/backoffice/dossiers?departement=${roads}&amp;etat=tous&amp;recu_du=${m.today}&amp;recu_au=${m.today}`,
      `/backoffice/dossiers?departement=${roads}&amp;delai=a-risque`,
      `/backoffice/dossiers?departement=${roads}&amp;delai=en-retard`,
      `/backoffice/dossiers?departement=${roads}&amp;etat=clos&amp;clos_du=${m.weekStartDate}`,
      `/backoffice/dossiers?delai=en-retard`,
      `/backoffice/dossiers?attribution=moi&amp;delai=a-risque`,
    ])
      expect(html).toContain(`href="${href}"`);
  });

  it('counts what the inbox lists behind each figure', async () => {
    const listed = async (cookie: string, href: string) => {
      const res = await app.inject({ method: 'GET', url: href, headers: { cookie } });
      expect(res.statusCode, href).toBe(200);
      return res.body.match(/data-case-id="/g)?.length ?? 0;
    };
    const manager = await signInAgent(db, agents.manager, app.signCookie.bind(app));
    const d = await dashboardFor(db, await scopeOf(agents.manager), ZONE);
    const closed = { etat: 'clos', clos_du: d.weekStart };
    for (const row of d.rows) {
      const departement = row.departmentId;
      const pairs: [number, string][] = [
        [row.open, inboxHref({ departement })],
        [row.newToday, inboxHref({ departement, etat: 'tous', recu_du: d.today, recu_au: d.today })],
        [row.atRisk, inboxHref({ departement, delai: 'a-risque' })],
        [row.overdue, inboxHref({ departement, delai: 'en-retard' })],
        [row.handled, inboxHref({ departement, ...closed })],
        [row.satisfactionAnswers, inboxHref({ departement, ...closed, satisfaction: 'repondu' })],
      ];
      for (const [figure, href] of pairs) expect(await listed(manager.cookie, href), `${row.name} ${href}`).toBe(figure);
    }
    expect(await listed(manager.cookie, inboxHref({}))).toBe(d.total.open);
    expect(await listed(manager.cookie, inboxHref({ delai: 'en-retard' }))).toBe(d.total.overdue);
    const agent = await signInAgent(db, agents.roads, app.signCookie.bind(app));
    const mine = (await dashboardFor(db, await scopeOf(agents.roads), ZONE)).mine;
    expect(await listed(agent.cookie, inboxHref({ attribution: 'moi' }))).toBe(mine.open);
    expect(await listed(agent.cookie, inboxHref({ attribution: 'moi', delai: 'en-retard' }))).toBe(mine.overdue);
  });

  it('shows an agent their department only, without the managers’ online share', async () => {
    const { cookie } = await signInAgent(db, agents.civil, app.signCookie.bind(app));
    const res = await get(cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Etat-civil');
    expect(res.body).not.toContain('Voirie');
    expect(res.body).not.toContain('Travaux');
    expect(res.body).not.toContain(`departement=${dept.roads}`);
    expect(res.body).not.toContain('Demandes en ligne');
  });
});
