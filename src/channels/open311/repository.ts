import type { Executor } from '../../db/transaction.js';
import { fromJson } from '../../db/transaction.js';
import { forgetConfiguration } from '../../configuration/cache.js';
import type { FormDefinition } from '../../procedures/form/definition.js';
import './tables.js';

/** A procedure offered to street-report applications as a GeoReport v2 service. */
export interface Open311Service {
  procedureId: number;
  slug: string;
  code: string;
  title: string;
  description: string;
  category: string;
  form: FormDefinition;
  allowAnonymous: boolean;
}

/** What GET requests may show of a case: never its citizen, contact details or internal notes. */
export interface Open311Case {
  id: number;
  reference: string;
  status: string;
  workflowId: number | null;
  closedAt: string | null;
  serviceCode: string;
  serviceName: string;
  form: FormDefinition;
  data: Record<string, unknown>;
  department: string;
  receivedAt: string;
  dueAt: string | null;
  updatedAt: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  mediaUrl: string | null;
}

export interface RequestFilter {
  organisationId: number;
  references?: string[];
  serviceCodes?: string[];
  from?: string;
  to?: string;
  state?: 'open' | 'closed';
  limit: number;
}

/** One status change of an exposed case, for mySociety's servicerequestupdates. */
export interface StatusChange {
  id: number;
  reference: string;
  workflowId: number | null;
  to: string;
  at: string;
}

/** Every query of the Open311 channel. */
export const open311Repository = {
  /** The organisation's exposed procedures that are open online, by service code. */
  async listServices(db: Executor, organisationId: number): Promise<Open311Service[]> {
    const rows = await servicesQuery(db, organisationId).orderBy('p.category').orderBy('p.title').execute();
    return rows.map(toService);
  },

  async findService(db: Executor, organisationId: number, code: string): Promise<Open311Service | undefined> {
    const row = await servicesQuery(db, organisationId).where('p.open311_service_code', '=', code).executeTakeFirst();
    return row && toService(row);
  },

  /** The slug of the procedure holding a service code, online or not. */
  async procedureWithCode(db: Executor, organisationId: number, code: string): Promise<string | undefined> {
    const row = await db.selectFrom('procedures').select('slug').where('organisation_id', '=', organisationId).where('open311_service_code', '=', code).executeTakeFirst();
    return row?.slug;
  },

  /** Every procedure of the organisation with its service code (null: not exposed). */
  async listProcedureCodes(db: Executor, organisationId: number): Promise<{ slug: string; title: string; code: string | null; online: boolean }[]> {
    const rows = await db.selectFrom('procedures').select(['slug', 'title', 'open311_service_code', 'is_online']).where('organisation_id', '=', organisationId).orderBy('slug').execute();
    return rows.map((r) => ({ slug: r.slug, title: r.title, code: r.open311_service_code, online: r.is_online === 1 }));
  },

  /** Exposes a procedure under a service code (null withdraws it). */
  async setServiceCode(db: Executor, procedureId: number, code: string | null): Promise<void> {
    forgetConfiguration();
    await db.updateTable('procedures').set({ open311_service_code: code }).where('id', '=', procedureId).execute();
  },

  async countServices(db: Executor, organisationId: number): Promise<number> {
    const row = await servicesQuery(db, organisationId)
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** Cases of exposed procedures, newest first; `references` alone ignores the other filters, as the spec says. */
  async listRequests(db: Executor, f: RequestFilter): Promise<Open311Case[]> {
    let q = casesQuery(db, f.organisationId);
    if (f.references) q = q.where('c.reference', 'in', f.references.length > 0 ? f.references : ['']);
    else {
      if (f.serviceCodes) q = q.where('p.open311_service_code', 'in', f.serviceCodes);
      if (f.from) q = q.where('c.received_at', '>=', f.from);
      if (f.to) q = q.where('c.received_at', '<=', f.to);
      if (f.state === 'open') q = q.where('c.closed_at', 'is', null);
      if (f.state === 'closed') q = q.where('c.closed_at', 'is not', null);
    }
    const rows = await q.orderBy('c.received_at', 'desc').orderBy('c.id', 'desc').limit(f.limit).execute();
    return rows.map(toCase);
  },

  async findRequest(db: Executor, organisationId: number, reference: string): Promise<Open311Case | undefined> {
    const row = await casesQuery(db, organisationId).where('c.reference', '=', reference).executeTakeFirst();
    return row && toCase(row);
  },

  /** The reference of the case a POST's token produced, when that case is an exposed one. */
  async referenceOfToken(db: Executor, organisationId: number, token: string): Promise<{ reference: string | null } | undefined> {
    const row = await db
      .selectFrom('channel_inbound as i')
      .leftJoin('cases as c', 'c.id', 'i.case_id')
      .select(['c.reference'])
      .where('i.organisation_id', '=', organisationId)
      .where('i.channel', '=', 'open311')
      .where('i.external_id', '=', token)
      .executeTakeFirst();
    return row && { reference: row.reference ?? null };
  },

  /** Status changes of exposed cases in a time window, oldest first. */
  async listStatusChanges(db: Executor, organisationId: number, from: string, to: string, limit: number): Promise<StatusChange[]> {
    const rows = await db
      .selectFrom('case_journal as j')
      .innerJoin('cases as c', 'c.id', 'j.case_id')
      .innerJoin('procedures as p', 'p.id', 'c.procedure_id')
      .select(['j.id', 'j.payload', 'j.created_at', 'c.reference', 'c.workflow_id'])
      .where('j.type', '=', 'status.changed')
      .where('j.created_at', '>=', from)
      .where('j.created_at', '<=', to)
      .where('c.organisation_id', '=', organisationId)
      .where('p.open311_service_code', 'is not', null)
      .where('c.public_report', '=', 1)
      .orderBy('j.created_at')
      .orderBy('j.id')
      .limit(limit)
      .execute();
    return rows.flatMap((r) => {
      const payload = fromJson<{ from?: unknown; to?: unknown }>(r.payload);
      // A transition that keeps the status (a transfer to another team) changes nothing the citizen sees.
      if (typeof payload.to !== 'string' || payload.to === payload.from) return [];
      return [{ id: Number(r.id), reference: r.reference, workflowId: r.workflow_id, to: payload.to, at: r.created_at }];
    });
  },
};

function servicesQuery(db: Executor, organisationId: number) {
  return db
    .selectFrom('procedures as p')
    .select(['p.id', 'p.slug', 'p.open311_service_code', 'p.title', 'p.description', 'p.category', 'p.form_definition', 'p.allow_anonymous'])
    .where('p.organisation_id', '=', organisationId)
    .where('p.open311_service_code', 'is not', null)
    .where('p.is_online', '=', 1);
}

function toService(r: {
  id: number;
  slug: string;
  open311_service_code: string | null;
  title: string;
  description: string;
  category: string;
  form_definition: string;
  allow_anonymous: number;
}): Open311Service {
  return {
    procedureId: r.id,
    slug: r.slug,
    code: r.open311_service_code ?? '',
    title: r.title,
    description: r.description,
    category: r.category,
    form: fromJson<FormDefinition>(r.form_definition),
    allowAnonymous: r.allow_anonymous === 1,
  };
}

/**
 * Public reports of exposed procedures with what a public answer may show: only cases whose
 * submitter was told the report is public (sent through Open311, or a portal form that says so);
 * never a phone, counter, mail, e-mail or account case, whatever the procedure. The last journal event gives
 * updated_datetime; the Open311 receipt that created the case, if any, gives its media_url.
 */
function casesQuery(db: Executor, organisationId: number) {
  return db
    .selectFrom('cases as c')
    .innerJoin('procedures as p', 'p.id', 'c.procedure_id')
    .innerJoin('departments as d', 'd.id', 'c.department_id')
    .select([
      'c.id',
      'c.reference',
      'c.status',
      'c.workflow_id',
      'c.closed_at',
      'p.open311_service_code',
      'p.title',
      'p.form_definition',
      'c.data',
      'd.name as department',
      'c.received_at',
      'c.due_at',
      'c.address',
      'c.lat',
      'c.lon',
    ])
    .select((eb) => [
      eb.selectFrom('case_journal as j').select((e) => e.fn.max('j.created_at').as('m')).whereRef('j.case_id', '=', 'c.id').as('updated_at'),
      eb
        .selectFrom('channel_inbound as i')
        .select('i.payload')
        .whereRef('i.case_id', '=', 'c.id')
        .where('i.channel', '=', 'open311')
        .where('i.status', '=', 'created')
        .limit(1)
        .as('inbound_payload'),
    ])
    .where('c.organisation_id', '=', organisationId)
    .where('p.open311_service_code', 'is not', null)
    .where('c.public_report', '=', 1);
}

function toCase(r: {
  id: number;
  reference: string;
  status: string;
  workflow_id: number | null;
  closed_at: string | null;
  open311_service_code: string | null;
  title: string;
  form_definition: string;
  data: string;
  department: string;
  received_at: string;
  due_at: string | null;
  address: string | null;
  lat: number | null;
  lon: number | null;
  updated_at: string | null;
  inbound_payload: string | null;
}): Open311Case {
  const payload = r.inbound_payload === null ? null : fromJson<{ media_url?: unknown }>(r.inbound_payload);
  return {
    id: r.id,
    reference: r.reference,
    status: r.status,
    workflowId: r.workflow_id,
    closedAt: r.closed_at,
    serviceCode: r.open311_service_code ?? '',
    serviceName: r.title,
    form: fromJson<FormDefinition>(r.form_definition),
    data: fromJson<Record<string, unknown>>(r.data) ?? {},
    department: r.department,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    updatedAt: r.updated_at === null ? r.received_at : timestamp(r.updated_at),
    address: r.address,
    lat: r.lat,
    lon: r.lon,
    mediaUrl: payload && typeof payload.media_url === 'string' ? payload.media_url : null,
  };
}

/** max() over a timestamptz comes back typed by the driver; keep one ISO form. */
function timestamp(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
