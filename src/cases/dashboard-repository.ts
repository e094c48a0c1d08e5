import { sql, type Expression, type SqlBool } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Executor } from '../db/transaction.js';

/** The moments the dashboard's figures are counted from, as ISO-8601 UTC strings. */
export interface DashboardMoments {
  now: string;
  /** End of the « at risk » window (`atRiskWindow(now).to`). */
  atRiskUntil: string;
  /** Local midnight today, Monday 00:00 this week, the 1st of this month 00:00 (organisation's zone). */
  todayStart: string;
  weekStart: string;
  monthStart: string;
}

/** Open cases of one department. */
export interface OpenCounts {
  departmentId: number;
  open: number;
  atRisk: number;
  overdue: number;
}

/** Cases of one department received since the start of the month. */
export interface ReceivedCounts {
  departmentId: number;
  thisMonth: number;
  /** Received through the website or the mobile app. */
  onlineThisMonth: number;
  today: number;
}

/** Cases of one department closed since Monday. */
export interface ClosedCounts {
  departmentId: number;
  closed: number;
  /** Sum of (closed − received) over those cases, in seconds. */
  handlingSeconds: number;
  /** Satisfaction answers given on those cases, and the sum of their ratings (1 to 5). */
  answers: number;
  ratingSum: number;
}

/** The signed-in agent's own open cases. */
export interface AssignedCounts {
  open: number;
  atRisk: number;
  overdue: number;
}

const ONLINE_CHANNELS = ['web', 'mobile'];

const count = (condition: Expression<SqlBool>) => sql<number>`sum(case when ${condition} then 1 else 0 end)`;

/**
 * At risk and overdue exactly as `src/cases/urgency.ts` and the inbox's `delai` filter decide
 * (a case waiting for the citizen included), so that a figure and the list behind it agree.
 */
const overdueWhen = (m: DashboardMoments) => sql<SqlBool>`c.due_at <= ${m.now}`;
const atRiskWhen = (m: DashboardMoments) => sql<SqlBool>`c.due_at > ${m.now} and c.due_at <= ${m.atRiskUntil}`;

/** Seconds between two timestamp columns: ISO text on SQLite, `timestamptz` on PostgreSQL. */
const secondsBetween = (dialect: Dialect) =>
  dialect === 'postgres' ? sql<number>`extract(epoch from (c.closed_at - c.received_at))` : sql<number>`(julianday(c.closed_at) - julianday(c.received_at)) * 86400`;

const int = (value: unknown) => Number(value ?? 0);

/**
 * The dashboard's aggregates: one GROUP BY per family of figures, over the departments in scope,
 * so the page costs four queries whatever the number of cases. Every figure here has its inbox
 * filter (same definitions: open = not closed; at risk / overdue from `src/cases/urgency.ts`).
 *
 * Open and closed counts filter on the department ids alone (they belong to the organisation:
 * the agent's scope is read from its department tree). An `organisation_id` condition would lead
 * SQLite to the organisation's indexes, that is to every case of the town.
 */
export const dashboardRepository = {
  /** Open cases per department, with how many are at risk or overdue. */
  async openCounts(db: Executor, departmentIds: readonly number[], m: DashboardMoments): Promise<OpenCounts[]> {
    if (departmentIds.length === 0) return [];
    const rows = await db
      .selectFrom('cases as c')
      .select((eb) => ['c.department_id', eb.fn.countAll<number>().as('open'), count(atRiskWhen(m)).as('at_risk'), count(overdueWhen(m)).as('overdue')])
      .where('c.department_id', 'in', departmentIds)
      .where('c.closed_at', 'is', null)
      .groupBy('c.department_id')
      .execute();
    return rows.map((r) => ({ departmentId: r.department_id, open: int(r.open), atRisk: int(r.at_risk), overdue: int(r.overdue) }));
  },

  /** Cases received this month per department: how many came online, how many today. */
  async receivedCounts(db: Executor, organisationId: number, departmentIds: readonly number[], m: DashboardMoments): Promise<ReceivedCounts[]> {
    if (departmentIds.length === 0) return [];
    // The month always contains today: one range scan on (organisation_id, received_at) serves both.
    const rows = await db
      .selectFrom('cases as c')
      .select((eb) => [
        'c.department_id',
        eb.fn.countAll<number>().as('this_month'),
        count(sql<SqlBool>`c.channel in (${sql.join(ONLINE_CHANNELS)})`).as('online'),
        count(sql<SqlBool>`c.received_at >= ${m.todayStart}`).as('today'),
      ])
      .where('c.organisation_id', '=', organisationId)
      .where('c.received_at', '>=', m.monthStart)
      .where('c.department_id', 'in', departmentIds)
      .groupBy('c.department_id')
      .execute();
    return rows.map((r) => ({ departmentId: r.department_id, thisMonth: int(r.this_month), onlineThisMonth: int(r.online), today: int(r.today) }));
  },

  /** Cases closed since Monday per department: handling time and satisfaction answers. */
  async closedCounts(db: Executor, dialect: Dialect, departmentIds: readonly number[], m: DashboardMoments): Promise<ClosedCounts[]> {
    if (departmentIds.length === 0) return [];
    const rows = await db
      .selectFrom('cases as c')
      .leftJoin('satisfaction_answers as s', 's.case_id', 'c.id')
      .select((eb) => [
        'c.department_id',
        eb.fn.countAll<number>().as('closed'),
        sql<number>`sum(${secondsBetween(dialect)})`.as('handling'),
        eb.fn.count<number>('s.case_id').as('answers'),
        eb.fn.sum<number>('s.rating').as('rating_sum'),
      ])
      .where('c.department_id', 'in', departmentIds)
      .where('c.closed_at', '>=', m.weekStart)
      .groupBy('c.department_id')
      .execute();
    // julianday() is a float on SQLite: whole seconds, as on PostgreSQL.
    return rows.map((r) => ({ departmentId: r.department_id, closed: int(r.closed), handlingSeconds: Math.round(int(r.handling)), answers: int(r.answers), ratingSum: int(r.rating_sum) }));
  },

  /** The agent's own open cases, wherever they sit now. */
  async assignedCounts(db: Executor, organisationId: number, agentId: number, m: DashboardMoments): Promise<AssignedCounts> {
    const row = await db
      .selectFrom('cases as c')
      .select((eb) => [eb.fn.countAll<number>().as('open'), count(atRiskWhen(m)).as('at_risk'), count(overdueWhen(m)).as('overdue')])
      .where('c.organisation_id', '=', organisationId)
      .where('c.assigned_agent_id', '=', agentId)
      .where('c.closed_at', 'is', null)
      .executeTakeFirst();
    return { open: int(row?.open), atRisk: int(row?.at_risk), overdue: int(row?.overdue) };
  },
};
