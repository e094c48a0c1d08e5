import { DateTime } from 'luxon';
import { dashboardRepository, type DashboardMoments } from '../../cases/dashboard-repository.js';
import { atRiskWindow } from '../../cases/urgency.js';
import type { Db } from '../../db/database.js';
import { policyRepository } from '../policy-repository.js';
import type { AgentScope } from '../policy.js';

/** The figures of one department (or of all of them, for the total row). */
export interface DashboardFigures {
  open: number;
  newToday: number;
  atRisk: number;
  overdue: number;
  /** Closed since Monday 00:00 (organisation's time zone). */
  handled: number;
  /** Mean time from receipt to closing of those, in seconds; null when none was closed. */
  averageHandlingSeconds: number | null;
  /** Mean rating (1 to 5) of the satisfaction answers on those; null without any answer. */
  satisfaction: number | null;
  satisfactionAnswers: number;
  receivedThisMonth: number;
  onlineThisMonth: number;
}

export interface DashboardRow extends DashboardFigures {
  departmentId: number;
  name: string;
  /** 0 for a top department of the agent's scope, 1 for its sub-departments, and so on. */
  depth: number;
}

export interface Dashboard {
  /** Local dates (YYYY-MM-DD) the figures count from, as the inbox filters take them. */
  today: string;
  weekStart: string;
  monthStart: string;
  rows: DashboardRow[];
  total: DashboardFigures;
  /** The agent's own open cases. */
  mine: { open: number; atRisk: number; overdue: number };
  /** Managers also see the share of requests made online. */
  showOnlineShare: boolean;
}

/**
 * Where the figures start: local midnight, Monday 00:00 and the 1st of the month in the
 * organisation's zone (a week that begins on a Sunday evening in UTC still begins on Monday in
 * Paris), as UTC instants for the queries and as local dates for the inbox's filters.
 */
export function dashboardMoments(now: Date, timezone: string): DashboardMoments & { today: string; weekStartDate: string; monthStartDate: string } {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const day = local.startOf('day');
  const week = local.startOf('week'); // ISO weeks: Monday
  const month = local.startOf('month');
  return {
    now: now.toISOString(),
    atRiskUntil: atRiskWindow(now).to,
    todayStart: day.toUTC().toISO()!,
    weekStart: week.toUTC().toISO()!,
    monthStart: month.toUTC().toISO()!,
    today: day.toISODate()!,
    weekStartDate: week.toISODate()!,
    monthStartDate: month.toISODate()!,
  };
}

const EMPTY: DashboardFigures = {
  open: 0,
  newToday: 0,
  atRisk: 0,
  overdue: 0,
  handled: 0,
  averageHandlingSeconds: null,
  satisfaction: null,
  satisfactionAnswers: 0,
  receivedThisMonth: 0,
  onlineThisMonth: 0,
};

/** Sums kept next to the figures so the total row is exact (a mean of means would not be). */
interface Sums {
  handlingSeconds: number;
  ratingSum: number;
}

/** The dashboard of an agent: their departments (managers: with sub-departments), a total, their own cases. */
export async function dashboardFor(db: Db, scope: AgentScope, timezone: string, now: Date = new Date()): Promise<Dashboard> {
  const m = dashboardMoments(now, timezone);
  const kysely = db.kysely;
  const ids = scope.departmentIds;
  const [tree, open, received, closed, mine] = await Promise.all([
    policyRepository.departmentTree(kysely, scope.organisationId),
    dashboardRepository.openCounts(kysely, ids, m),
    dashboardRepository.receivedCounts(kysely, scope.organisationId, ids, m),
    dashboardRepository.closedCounts(kysely, db.dialect, ids, m),
    dashboardRepository.assignedCounts(kysely, scope.organisationId, scope.agentId, m),
  ]);

  const sums = new Map<number, Sums>();
  const figures = new Map<number, DashboardFigures>(ids.map((id) => [id, { ...EMPTY }]));
  const merge = (id: number, part: Partial<DashboardFigures>) => {
    const f = figures.get(id);
    if (f) figures.set(id, { ...f, ...part });
  };
  for (const r of open) merge(r.departmentId, { open: r.open, atRisk: r.atRisk, overdue: r.overdue });
  for (const r of received) merge(r.departmentId, { newToday: r.today, receivedThisMonth: r.thisMonth, onlineThisMonth: r.onlineThisMonth });
  for (const r of closed) {
    if (!figures.has(r.departmentId)) continue;
    const s = { handlingSeconds: r.handlingSeconds, ratingSum: r.ratingSum };
    sums.set(r.departmentId, s);
    figures.set(r.departmentId, withMeans({ ...figures.get(r.departmentId)!, handled: r.closed, satisfactionAnswers: r.answers }, s));
  }

  const rows = inTreeOrder(tree, new Set(ids)).map(({ id, name, depth }) => ({ departmentId: id, name, depth, ...figures.get(id)! }));
  const total = rows.reduce<DashboardFigures>(
    (t, r) => ({
      open: t.open + r.open,
      newToday: t.newToday + r.newToday,
      atRisk: t.atRisk + r.atRisk,
      overdue: t.overdue + r.overdue,
      handled: t.handled + r.handled,
      averageHandlingSeconds: null,
      satisfaction: null,
      satisfactionAnswers: t.satisfactionAnswers + r.satisfactionAnswers,
      receivedThisMonth: t.receivedThisMonth + r.receivedThisMonth,
      onlineThisMonth: t.onlineThisMonth + r.onlineThisMonth,
    }),
    { ...EMPTY },
  );
  const allSums = [...sums.values()].reduce((s, x) => ({ handlingSeconds: s.handlingSeconds + x.handlingSeconds, ratingSum: s.ratingSum + x.ratingSum }), { handlingSeconds: 0, ratingSum: 0 });

  return {
    today: m.today,
    weekStart: m.weekStartDate,
    monthStart: m.monthStartDate,
    rows,
    total: withMeans(total, allSums),
    mine,
    showOnlineShare: scope.isManager,
  };
}

function withMeans(f: DashboardFigures, s: Sums): DashboardFigures {
  return {
    ...f,
    averageHandlingSeconds: f.handled > 0 ? s.handlingSeconds / f.handled : null,
    satisfaction: f.satisfactionAnswers > 0 ? s.ratingSum / f.satisfactionAnswers : null,
  };
}

/**
 * The departments in scope, each followed by its sub-departments (depth-first, by name). A
 * department whose parent is out of scope heads its own subtree.
 */
function inTreeOrder(tree: readonly { id: number; parentId: number | null; name: string }[], visible: ReadonlySet<number>): { id: number; name: string; depth: number }[] {
  const children = new Map<number | null, typeof tree>();
  for (const d of tree) {
    const parent = d.parentId !== null && visible.has(d.parentId) ? d.parentId : null;
    if (visible.has(d.id)) children.set(parent, [...(children.get(parent) ?? []), d]);
  }
  const out: { id: number; name: string; depth: number }[] = [];
  const walk = (parent: number | null, depth: number) => {
    for (const d of children.get(parent) ?? []) {
      out.push({ id: d.id, name: d.name, depth });
      walk(d.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** « 3 j 4 h »: a handling time as agents say it, rounded to the hour. */
export function handlingTimeLabel(seconds: number): string {
  const hours = Math.round(seconds / 3600);
  const days = Math.floor(hours / 24);
  if (days === 0) return hours === 0 ? 'moins d’1 h' : `${hours} h`;
  return `${days} j ${hours % 24} h`;
}

/** Inbox query parameters (see the common URL map); undefined values are left out. */
export type InboxFilter = Partial<Record<'departement' | 'delai' | 'etat' | 'recu_du' | 'recu_au' | 'clos_du' | 'clos_au' | 'satisfaction' | 'attribution', string | number>>;

/** The inbox address listing the cases behind a figure. */
export function inboxHref(filter: InboxFilter): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value !== undefined) params.set(key, String(value));
  const query = params.toString();
  return query ? `/backoffice/dossiers?${query}` : '/backoffice/dossiers';
}
