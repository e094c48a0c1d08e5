import type { Expression, ExpressionBuilder, SelectQueryBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { CaseTable, Database } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import type { Channel } from './repository.js';
import { ftsQuery } from './search.js';
import { atRiskWindow } from './urgency.js';

/**
 * Every query of the agents' inbox: the filtered, sorted list walked by keyset, the capped counts
 * of saved views, the new cases of live updates and the access facts of bulk actions.
 *
 * Access: an agent sees the cases of their departments and the cases assigned to them
 * (src/backoffice/policy.ts); every query here takes that scope and applies it in SQL, so that a
 * page never holds a case the agent may not see.
 */

/** How the inbox may be sorted (`tri`). */
export const INBOX_SORTS = ['recus', 'anciens', 'echeance', 'priorite'] as const;
export type InboxSort = (typeof INBOX_SORTS)[number];

export interface InboxScope {
  organisationId: number;
  agentId: number;
  departmentIds: readonly number[];
}

export interface InboxFilter {
  departmentId?: number;
  procedureId?: number;
  status?: string;
  channel?: Channel;
  assignment?: 'me' | 'none';
  delay?: 'at_risk' | 'overdue';
  /** Instants (ISO, UTC): from inclusive, to exclusive. */
  receivedFrom?: string;
  receivedTo?: string;
  closedFrom?: string;
  closedTo?: string;
  state: 'open' | 'closed' | 'all';
  satisfactionAnswered?: boolean;
  sector?: string;
  /** Full text, as typed. */
  text?: string;
  sort: InboxSort;
}

/** Where the previous page ended: the sort key of its last row, as the cursor carries it. */
export type InboxCursor = (string | number)[];

export interface InboxRow {
  id: number;
  reference: string;
  channel: Channel;
  subject: string;
  citizenName: string | null;
  procedure: { slug: string; title: string } | null;
  procedureId: number | null;
  department: { id: number; name: string };
  status: string;
  workflowId: number | null;
  assignedAgent: { id: number; name: string } | null;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  receivedAt: string;
  dueAt: string | null;
  closedAt: string | null;
  version: number;
  sector: string | null;
  /** The row's sort key: the cursor of the page that ends with it. */
  cursor: InboxCursor;
}

/** What bulk actions need to know of a case to check access and versions. */
export interface CaseFacts {
  id: number;
  reference: string;
  organisationId: number;
  department: { id: number };
  assignedAgentId: number | null;
  procedureId: number | null;
  status: string;
  version: number;
}

/** Far-future stand-in for cases without a due date, which sort last by due date. */
const NO_DUE_DATE = '9999-12-31T00:00:00.000Z';

type CasesDb = Database & { c: CaseTable };
type CaseQuery = SelectQueryBuilder<CasesDb, 'c', object>;

export const inboxRepository = {
  /** One page (`limit` rows) and whether more follow. */
  async page(db: Executor, dialect: Dialect, scope: InboxScope, filter: InboxFilter, after: InboxCursor | null, limit: number, now = new Date()) {
    const order = orderOf(dialect, filter);
    let q = restrict(db.selectFrom('cases as c'), dialect, scope, filter, now);
    if (after) q = q.where(order.after(after));
    // The page's ids first, then their names and labels: joined before the limit, the other
    // tables would be read for every case of the list (PostgreSQL then sorts them all).
    let ids = q.select('c.id');
    for (const by of order.by) ids = ids.orderBy(by);
    let listed = withListColumns(recheckedOnCases(db.selectFrom('cases as c').where('c.id', 'in', ids.limit(limit + 1)), dialect, scope, filter));
    for (const by of order.outer ?? order.by) listed = listed.orderBy(by);
    const rows = await listed.execute();
    return { rows: rows.slice(0, limit).map((r) => toRow(r, order.cursorOf)), hasMore: rows.length > limit };
  },

  /** The sort key of one case under a filter's order (the case page's "next case" starts there). */
  async cursorOf(db: Executor, dialect: Dialect, scope: InboxScope, filter: InboxFilter, reference: string): Promise<InboxCursor | null> {
    const order = orderOf(dialect, filter);
    const row = await db
      .selectFrom('cases as c')
      .select(['c.id', 'c.received_at', 'c.due_at', 'c.priority'])
      .where('c.organisation_id', '=', scope.organisationId)
      .where('c.reference', '=', reference)
      .executeTakeFirst();
    return row ? order.cursorOf({ id: row.id, received_at: row.received_at, due_at: row.due_at, priority: row.priority }) : null;
  },

  /** How many cases match, counted up to `cap` (a saved view shows « 1 000 et plus » beyond). */
  async countUpTo(db: Executor, dialect: Dialect, scope: InboxScope, filter: InboxFilter, cap: number, now = new Date()): Promise<number> {
    const inner = restrict(db.selectFrom('cases as c'), dialect, scope, filter, now).select('c.id').limit(cap);
    const row = await db
      .selectFrom(inner.as('matching'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** The highest case id of the organisation: where live updates start from. */
  async lastCaseId(db: Executor, organisationId: number): Promise<number> {
    // The highest id of all: read from the end of the primary key at once (under a filter on the
    // organisation it would read every case of the town). Live updates filter by organisation.
    void organisationId;
    const row = await db.selectFrom('cases').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    return Number(row?.id ?? 0);
  },

  /**
   * Cases created after `afterId` that the agent may see and that match the list's filter, oldest
   * first (live updates of a list).
   */
  async createdAfter(db: Executor, dialect: Dialect, scope: InboxScope, filter: InboxFilter, afterId: number, limit: number, now = new Date()) {
    const q = recheckedOnCases(restrict(db.selectFrom('cases as c'), dialect, scope, filter, now).where('c.id', '>', afterId), dialect, scope, filter);
    const rows = await withListColumns(q)
      .orderBy('c.id')
      .limit(limit)
      .execute();
    return rows.map((r) => toRow(r, (k) => [k.id]));
  },

  /** Access facts of cases picked by id, within the organisation (bulk actions check them as a set). */
  async factsOf(db: Executor, organisationId: number, ids: readonly number[]): Promise<CaseFacts[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('cases')
      .select(['id', 'reference', 'organisation_id', 'department_id', 'assigned_agent_id', 'procedure_id', 'status', 'version'])
      .where('organisation_id', '=', organisationId)
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      organisationId: r.organisation_id,
      department: { id: r.department_id },
      assignedAgentId: r.assigned_agent_id,
      procedureId: r.procedure_id,
      status: r.status,
      version: r.version,
    }));
  },

  /** The departments (of the organisation) where an agent holds a role, for assignments. */
  async departmentsOfAgent(db: Executor, agentId: number, organisationId: number): Promise<Map<number, Set<number>>> {
    const rows = await db
      .selectFrom('agent_roles as r')
      .innerJoin('agents as a', 'a.id', 'r.agent_id')
      .select('r.department_id')
      .where('r.agent_id', '=', agentId)
      .where('a.organisation_id', '=', organisationId)
      .where('a.is_active', '=', 1)
      .execute();
    return new Map([[agentId, new Set(rows.map((r) => r.department_id))]]);
  },

  /** Active agents of some departments, to assign cases to. */
  async agentsOf(db: Executor, departmentIds: readonly number[]): Promise<{ id: number; name: string }[]> {
    if (departmentIds.length === 0) return [];
    return db
      .selectFrom('agents as a')
      .innerJoin('agent_roles as r', 'r.agent_id', 'a.id')
      .select(['a.id', 'a.display_name as name'])
      .distinct()
      .where('r.department_id', 'in', [...departmentIds])
      .where('a.is_active', '=', 1)
      .orderBy('a.display_name')
      .execute();
  },

  /** The sectors cases were placed in, for the filter's choices. */
  async sectors(db: Executor, organisationId: number): Promise<string[]> {
    const rows = await db
      .selectFrom('routing_rules')
      .select('name')
      .distinct()
      .where('organisation_id', '=', organisationId)
      .where('sector', 'is not', null)
      .orderBy('name')
      .execute();
    return rows.map((r) => r.name);
  },
};

/**
 * The organisation, the agent's visibility (their departments' cases, and those assigned to them)
 * and the department and assignment filters, on the cases (`c`) or, for a search of open cases on PostgreSQL, on `case_search_open`'s copy of those
 * columns (`o`): there they let the index's rows be narrowed and ordered before any case is read.
 */
function scoped(q: CaseQuery, dialect: Dialect, table: 'c' | 'o', scope: InboxScope, f: InboxFilter): CaseQuery {
  const col = (name: 'organisation_id' | 'department_id' | 'assigned_agent_id') => sql.ref(`${table}.${name}`);
  const mine = sql<SqlBool>`${col('assigned_agent_id')} = ${scope.agentId}`;
  // SQLite, without statistics, takes an equality on the organisation for a selective one and
  // walks the organisation's index — every case of the town. That is right for the lists in
  // received order (the index is in that order and the page is found among the newest or the
  // oldest), wrong for the open cases by due date or priority, which must all be read and sorted:
  // there the unary plus keeps the organisation's index out, and the departments' and the
  // assigned agent's open cases are read instead (partial indexes 011 and 022).
  const organisation = dialect === 'sqlite' && onlyOpen(f) && (f.sort === 'echeance' || f.sort === 'priorite') ? sql`+${col('organisation_id')}` : col('organisation_id');
  q = q.where(sql<SqlBool>`${organisation} = ${scope.organisationId}`);
  if (f.departmentId !== undefined) {
    q = q.where(sql<SqlBool>`${col('department_id')} = ${f.departmentId}`);
    // Within one of their departments everything is visible: the plain equality lets the
    // department's index serve the page.
    if (!scope.departmentIds.includes(f.departmentId)) q = q.where(mine);
  } else if (f.assignment === 'me') {
    // Assigned to the agent: visible wherever it is.
  } else {
    const departments = sql.join([...scope.departmentIds]);
    q = q.where(scope.departmentIds.length > 0 ? sql<SqlBool>`(${col('department_id')} in (${departments}) or ${mine})` : mine);
  }
  if (f.assignment === 'me') q = q.where(mine);
  if (f.assignment === 'none') q = q.where(sql<SqlBool>`${col('assigned_agent_id')} is null`);
  return q;
}

/**
 * Rows chosen through `case_search_open` are checked against the cases themselves as well: the
 * index's copy of the scope is kept by triggers, the cases are the truth. Only there: elsewhere the
 * rows were chosen on the cases, and an extra condition could lead SQLite to another index.
 */
function recheckedOnCases(q: CaseQuery, dialect: Dialect, scope: InboxScope, f: InboxFilter): CaseQuery {
  return searchesOpenTable(dialect, f) ? scoped(q, dialect, 'c', scope, f) : q;
}

function restrict(query: CaseQuery, dialect: Dialect, scope: InboxScope, f: InboxFilter, now: Date): CaseQuery {
  // A PostgreSQL search of open cases reads `case_search_open`, which holds open cases only and
  // their scope: checked there, not again on the cases (the planner would then read every match's
  // case before ordering). The page's rows are checked on the cases all the same (`recheckedOnCases`).
  const viaOpenTable = searchesOpenTable(dialect, f);
  let q = scoped(query, dialect, viaOpenTable ? 'o' : 'c', scope, f);
  if (f.procedureId !== undefined) q = q.where('c.procedure_id', '=', f.procedureId);
  if (f.status !== undefined) q = q.where('c.status', '=', f.status);
  if (f.channel !== undefined) q = q.where('c.channel', '=', f.channel);
  if (f.sector !== undefined) q = q.where('c.sector', '=', f.sector);
  if (f.receivedFrom !== undefined) q = q.where('c.received_at', '>=', f.receivedFrom);
  if (f.receivedTo !== undefined) q = q.where('c.received_at', '<', f.receivedTo);
  if (f.closedFrom !== undefined) q = q.where('c.closed_at', '>=', f.closedFrom);
  if (f.closedTo !== undefined) q = q.where('c.closed_at', '<', f.closedTo);
  if (onlyOpen(f) && !viaOpenTable) q = q.where('c.closed_at', 'is', null);
  if (f.state === 'closed') q = q.where('c.closed_at', 'is not', null);
  if (f.delay !== undefined) {
    const window = atRiskWindow(now);
    q = f.delay === 'overdue' ? q.where('c.due_at', '<=', window.from) : q.where('c.due_at', '>', window.from).where('c.due_at', '<=', window.to);
  }
  if (f.satisfactionAnswered) {
    q = q.where((eb) => eb.exists(eb.selectFrom('satisfaction_answers as sa').select(sql`1`.as('one')).whereRef('sa.case_id', '=', 'c.id')));
  }
  const match = f.text !== undefined ? searchMatch(dialect, f.text, onlyOpen(f)) : null;
  if (match) q = match(q);
  return q;
}

/** Whether a filter keeps open cases only, so that the search may use the open cases' index. */
const onlyOpen = (f: InboxFilter): boolean => f.state === 'open' || f.delay !== undefined;

/**
 * Whether the list is a search of open cases on PostgreSQL, answered from `case_search_open`
 * (migration 021), whose rows carry their case's organisation, department and assigned agent.
 */
const searchesOpenTable = (dialect: Dialect, f: InboxFilter): boolean => dialect === 'postgres' && onlyOpen(f) && f.text !== undefined && f.text.trim() !== '';

/**
 * The full-text restriction, through the index of open cases when the list shows only those
 * (migrations 020 and 021: any word then costs at most the town's open cases), else through the
 * index of every case. On SQLite the FTS5 table drives the query, read in descending rowid (case
 * id) order and stopped at the page size: the department and other filters are checked on each
 * match as it comes. On PostgreSQL the GIN index gives the matching ids; for open cases, from
 * `case_search_open` joined as `o`, where `restrict` checks the agent's scope.
 */
function searchMatch(dialect: Dialect, text: string, open: boolean): ((q: CaseQuery) => CaseQuery) | null {
  if (dialect === 'sqlite') {
    const query = ftsQuery(text);
    if (query === null) return null;
    const index = open ? sql.raw('case_search_open') : sql.raw('case_search');
    return (q) =>
      q
        .innerJoin(sql<{ rowid: number }>`${index}`.as('fts'), (join) => join.on(sql<SqlBool>`fts.rowid = c.id`))
        .where(sql<SqlBool>`fts.body match ${query}`) as unknown as CaseQuery;
  }
  if (text.trim() === '') return null;
  const words = sql`websearch_to_tsquery('french', guichet_unaccent(${text.slice(0, 500)}))`;
  if (!open) return (q) => q.where('c.id', 'in', sql<number>`(select s.case_id from case_search s where s.document @@ ${words})`);
  return (q) =>
    q
      .innerJoin(sql<{ case_id: number }>`case_search_open`.as('o'), (join) => join.on(sql<SqlBool>`o.case_id = c.id`))
      .where(sql<SqlBool>`o.document @@ ${words}`) as unknown as CaseQuery;
}

interface SortKeySource {
  id: number;
  received_at: string;
  due_at: string | null;
  priority: string;
}

const PRIORITY_RANK: Record<string, number> = { urgent: 3, high: 2, normal: 1, low: 0 };

interface Order {
  by: Expression<unknown>[];
  /** The same order over the page's rows alone, when `by` names what only the filter joins. */
  outer?: Expression<unknown>[];
  after(cursor: InboxCursor): (eb: ExpressionBuilder<CasesDb, 'c'>) => Expression<SqlBool>;
  cursorOf(row: SortKeySource): InboxCursor;
}

/**
 * The order of a list and its keyset condition. Search results come newest registered first (by
 * case id), which the SQLite full-text index gives in order without sorting its matches.
 */
function orderOf(dialect: Dialect, f: InboxFilter): Order {
  const idColumn =
    f.text !== undefined && dialect === 'sqlite' && ftsQuery(f.text) !== null ? sql.ref('fts.rowid') : searchesOpenTable(dialect, f) ? sql.ref('o.case_id') : sql.ref('c.id');
  const rank = sql<number>`(case c.priority when 'urgent' then 3 when 'high' then 2 when 'normal' then 1 else 0 end)`;
  const due = sql<string>`coalesce(c.due_at, ${NO_DUE_DATE})`;
  const searching = f.text !== undefined && f.text.trim() !== '';
  if (searching && f.sort === 'recus') {
    // Newest registered first. PostgreSQL, open cases: by the open index table's own key, so that
    // the agent's matches are sorted there and only the page's case rows are read.
    return {
      by: [sql`${idColumn} desc`],
      outer: [sql`c.id desc`],
      after: (cursor) => () => sql<SqlBool>`${idColumn} < ${cursor[0]}`,
      cursorOf: (r) => [r.id],
    };
  }
  switch (f.sort) {
    case 'anciens':
      return {
          by: [sql`c.received_at asc`, sql`c.id asc`],
        after: (cursor) => () => sql<SqlBool>`(c.received_at, c.id) > (${cursor[0]}, ${cursor[1]})`,
        cursorOf: (r) => [r.received_at, r.id],
      };
    case 'echeance':
      return {
          by: [sql`${due} asc`, sql`c.id asc`],
        after: (cursor) => () => sql<SqlBool>`(${due}, c.id) > (${cursor[0]}, ${cursor[1]})`,
        cursorOf: (r) => [r.due_at ?? NO_DUE_DATE, r.id],
      };
    case 'priorite':
      return {
          by: [sql`${rank} desc`, sql`c.received_at desc`, sql`c.id desc`],
        after: (cursor) => () => sql<SqlBool>`(${rank}, c.received_at, c.id) < (${cursor[0]}, ${cursor[1]}, ${cursor[2]})`,
        cursorOf: (r) => [PRIORITY_RANK[r.priority] ?? 0, r.received_at, r.id],
      };
    default:
      return {
          by: [sql`c.received_at desc`, sql`c.id desc`],
        after: (cursor) => () => sql<SqlBool>`(c.received_at, c.id) < (${cursor[0]}, ${cursor[1]})`,
        cursorOf: (r) => [r.received_at, r.id],
      };
  }
}

function withListColumns(q: CaseQuery) {
  return q
    .innerJoin('departments as d', 'd.id', 'c.department_id')
    .leftJoin('procedures as p', 'p.id', 'c.procedure_id')
    .leftJoin('citizens as ci', 'ci.id', 'c.citizen_id')
    .leftJoin('agents as a', 'a.id', 'c.assigned_agent_id')
    .select([
      'c.id',
      'c.reference',
      'c.channel',
      'c.subject',
      'c.procedure_id',
      'c.department_id',
      'c.status',
      'c.workflow_id',
      'c.assigned_agent_id',
      'c.priority',
      'c.received_at',
      'c.due_at',
      'c.closed_at',
      'c.version',
      'c.sector',
      'd.name as department_name',
      'p.slug as procedure_slug',
      'p.title as procedure_title',
      'ci.first_names as citizen_first_names',
      'ci.usage_name as citizen_usage_name',
      'ci.birth_name as citizen_birth_name',
      'a.display_name as agent_name',
    ]);
}

type ListRow = Awaited<ReturnType<ReturnType<typeof withListColumns>['execute']>>[number];

function toRow(r: ListRow, cursorOf: (r: SortKeySource) => InboxCursor): InboxRow {
  const lastName = r.citizen_usage_name ?? r.citizen_birth_name;
  const citizenName = [r.citizen_first_names, lastName].filter((part) => part).join(' ') || null;
  return {
    id: r.id,
    reference: r.reference,
    channel: r.channel as Channel,
    subject: r.subject,
    citizenName,
    procedure: r.procedure_slug !== null ? { slug: r.procedure_slug, title: r.procedure_title ?? '' } : null,
    procedureId: r.procedure_id,
    department: { id: r.department_id, name: r.department_name },
    status: r.status,
    workflowId: r.workflow_id,
    assignedAgent: r.assigned_agent_id !== null ? { id: r.assigned_agent_id, name: r.agent_name ?? '' } : null,
    priority: r.priority,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    closedAt: r.closed_at,
    version: r.version,
    sector: r.sector,
    cursor: cursorOf({ id: r.id, received_at: r.received_at, due_at: r.due_at, priority: r.priority }),
  };
}
