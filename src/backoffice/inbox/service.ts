import { cachedConfiguration } from '../../configuration/cache.js';
import { configurationLookups } from '../../configuration/lookups.js';
import { inboxRepository, type InboxRow, type InboxScope } from '../../cases/inbox-repository.js';
import type { Db } from '../../db/database.js';
import type { Executor } from '../../db/transaction.js';
import { procedureRepository } from '../../procedures/repository.js';
import { workflowRepository } from '../../workflow/repository.js';
import type { AgentScope } from '../policy.js';
import { fieldId, parseInboxQuery, type ParsedInboxQuery } from './query.js';

/** Cases per page of the inbox. */
export const INBOX_PAGE_SIZE = 50;

export const inboxScopeOf = (scope: AgentScope): InboxScope => ({
  organisationId: scope.organisationId,
  agentId: scope.agentId,
  departmentIds: scope.departmentIds,
});

/** The inbox's parameters parsed, with the procedure slug resolved against the organisation's. */
export async function resolveInboxQuery(db: Executor, scope: AgentScope, timezone: string, params: URLSearchParams): Promise<ParsedInboxQuery> {
  const query = parseInboxQuery(params, scope.departmentIds, timezone);
  if (query.procedureSlug !== null) {
    const procedures = await proceduresOf(db, scope.organisationId);
    const found = procedures.find((p) => p.slug === query.procedureSlug);
    if (found) query.filter.procedureId = found.id;
    else query.problems.push({ target: fieldId('demarche'), message: 'Cette démarche n’existe pas : choisissez-en une dans la liste.' });
  }
  return query;
}

/** One page of the inbox, with the status labels of its rows. */
export async function inboxPage(db: Db, scope: AgentScope, query: ParsedInboxQuery) {
  const { rows, hasMore } = await inboxRepository.page(db.kysely, db.dialect, inboxScopeOf(scope), query.filter, query.after, INBOX_PAGE_SIZE);
  return { rows: await withStatusLabels(db.kysely, rows), hasMore };
}

export type LabelledRow = InboxRow & { statusLabel: string };

/** Each row's status as agents read it, from the workflow version the case runs on. */
export async function withStatusLabels(db: Executor, rows: InboxRow[]): Promise<LabelledRow[]> {
  const labels = new Map<number, Map<string, string>>();
  for (const id of new Set(rows.map((r) => r.workflowId).filter((id): id is number => id !== null))) {
    const version = await configurationLookups.workflowVersion(db, id);
    labels.set(id, new Map((version?.definition.statuses ?? []).map((s) => [s.id, s.label])));
  }
  return rows.map((r) => ({ ...r, statusLabel: (r.workflowId !== null ? labels.get(r.workflowId)?.get(r.status) : undefined) ?? r.status }));
}

/** What the filters offer: the agent's departments, the procedures, statuses and sectors. */
export async function filterChoices(db: Executor, scope: AgentScope) {
  const [departments, procedures, sectors] = await Promise.all([
    configurationLookups.departments(db, scope.organisationId),
    proceduresOf(db, scope.organisationId),
    cachedConfiguration(db, `sectors:${scope.organisationId}`, () => inboxRepository.sectors(db, scope.organisationId)),
  ]);
  const statuses = new Map<string, string>();
  for (const p of procedures) {
    const version = await cachedConfiguration(db, `workflow:latest:${p.id}`, () => workflowRepository.latest(db, p.id));
    for (const s of version?.definition.statuses ?? []) if (!statuses.has(s.id)) statuses.set(s.id, s.label);
  }
  return {
    departments: departments.filter((d) => scope.departmentIds.includes(d.id)).map((d) => ({ id: d.id, name: d.name })),
    allDepartments: departments.map((d) => ({ id: d.id, name: d.name })),
    procedures: procedures.map((p) => ({ slug: p.slug, title: p.title })),
    statuses: [...statuses].map(([id, label]) => ({ id, label })).sort((a, b) => a.label.localeCompare(b.label, 'fr')),
    sectors,
  };
}

export type FilterChoices = Awaited<ReturnType<typeof filterChoices>>;

function proceduresOf(db: Executor, organisationId: number) {
  return cachedConfiguration(db, `procedures:all:${organisationId}`, () => procedureRepository.list(db, organisationId, { onlineOnly: false }));
}
