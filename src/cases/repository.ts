import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { CaseJournalTable, CaseTable } from '../db/schema.js';
import type { Executor } from '../db/transaction.js';
import { fromJson, toJson } from '../db/transaction.js';
import { chainHash, GENESIS_HASH, type Actor, type JournalEvent } from './journal.js';

/** Every way a request reaches the town hall. */
export const CHANNELS = ['web', 'mobile', 'email', 'phone', 'counter', 'mail', 'social', 'api', 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface NewCase {
  organisationId: number;
  reference: string;
  trackingCode: string;
  procedureId: number | null;
  citizenId: number | null;
  channel: Channel;
  status: string;
  departmentId: number;
  priority: CaseTable['priority'];
  subject: string;
  location: { address: string | null; lat: number | null; lon: number | null } | null;
  data: Record<string, unknown>;
  contactEmail: string | null;
  contactPhone: string | null;
  receivedAt: string;
  dueAt: string | null;
  implicitDecisionAt: string | null;
  workflowId?: number | null;
  /** The sector of the routing rule that placed it, if that rule is drawn on the map. */
  sector?: string | null;
  /** The submitter was told the report is public (Open311 feed). */
  publicReport?: boolean;
}

/** What a workflow transition may change on a case, all at once. */
export interface CasePatch {
  status?: string;
  statusEnteredAt?: string;
  departmentId?: number;
  assignedAgentId?: number | null;
  dueAt?: string | null;
  closedAt?: string | null;
  outcome?: string | null;
  labels?: string[];
  implicitDecisionAt?: string | null;
}

export interface CaseFilter {
  organisationId: number;
  status?: string;
  departmentId?: number;
  procedureId?: number;
  channel?: Channel;
  receivedFrom?: string;
  receivedTo?: string;
  text?: string;
  /** Keyset cursor: the (received_at, id) of the last row of the previous page. */
  after?: { receivedAt: string; id: number };
  limit: number;
}

/** Every query on cases, their journal, the outbox and the reference counters. */
export const caseRepository = {
  /** Next number of the organisation's yearly sequence; the row lock serialises concurrent intakes. */
  async nextReferenceNumber(db: Executor, organisationId: number, year: number): Promise<number> {
    const row = await db
      .insertInto('reference_counters')
      .values({ organisation_id: organisationId, year, value: 1 })
      .onConflict((oc) => oc.columns(['organisation_id', 'year']).doUpdateSet({ value: sql`reference_counters.value + 1` }))
      .returning('value')
      .executeTakeFirstOrThrow();
    return row.value;
  },

  async insert(db: Executor, c: NewCase, now: string): Promise<number> {
    const row = await db
      .insertInto('cases')
      .values({
        organisation_id: c.organisationId,
        reference: c.reference,
        tracking_code: c.trackingCode,
        procedure_id: c.procedureId,
        citizen_id: c.citizenId,
        channel: c.channel,
        status: c.status,
        department_id: c.departmentId,
        assigned_agent_id: null,
        priority: c.priority,
        subject: c.subject,
        address: c.location?.address ?? null,
        lat: c.location?.lat ?? null,
        lon: c.location?.lon ?? null,
        data: toJson(c.data),
        contact_email: c.contactEmail,
        contact_phone: c.contactPhone,
        received_at: c.receivedAt,
        due_at: c.dueAt,
        implicit_decision_at: c.implicitDecisionAt,
        closed_at: null,
        outcome: null,
        version: 1,
        created_at: now,
        updated_at: now,
        workflow_id: c.workflowId ?? null,
        status_entered_at: c.receivedAt,
        labels: '[]',
        sector: c.sector ?? null,
        public_report: c.publicReport ? 1 : 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /**
   * Applies a change if nobody changed the case since `expectedVersion` was read; returns false
   * otherwise, so two agents never silently overwrite each other.
   */
  async applyChange(db: Executor, caseId: number, expectedVersion: number, patch: CasePatch, now: string): Promise<boolean> {
    const result = await db
      .updateTable('cases')
      .set((eb) => ({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.statusEnteredAt !== undefined ? { status_entered_at: patch.statusEnteredAt } : {}),
        ...(patch.departmentId !== undefined ? { department_id: patch.departmentId } : {}),
        ...(patch.assignedAgentId !== undefined ? { assigned_agent_id: patch.assignedAgentId } : {}),
        // A new due time may be missed again: the escalation is re-armed.
        ...(patch.dueAt !== undefined ? { due_at: patch.dueAt, overdue_escalated_at: null } : {}),
        ...(patch.closedAt !== undefined ? { closed_at: patch.closedAt } : {}),
        ...(patch.outcome !== undefined ? { outcome: patch.outcome } : {}),
        ...(patch.labels !== undefined ? { labels: toJson(patch.labels) } : {}),
        ...(patch.implicitDecisionAt !== undefined ? { implicit_decision_at: patch.implicitDecisionAt } : {}),
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', caseId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /**
   * Starts a period during which the case waits for the citizen: the handling clock stops, and
   * the legal silence delay is suspended or restarted when `silenceMode` says so.
   */
  async startPause(db: Executor, caseId: number, reason: string, silenceMode: 'suspend' | 'restart' | null, now: string): Promise<void> {
    await db.insertInto('case_pauses').values({ case_id: caseId, reason, silence_mode: silenceMode, started_at: now, ended_at: null }).execute();
  },

  async endOpenPauses(db: Executor, caseId: number, now: string): Promise<void> {
    await db.updateTable('case_pauses').set({ ended_at: now }).where('case_id', '=', caseId).where('ended_at', 'is', null).execute();
  },

  async listPauses(db: Executor, caseId: number): Promise<{ from: string; to: string | null; reason: string; silenceMode: 'suspend' | 'restart' | null }[]> {
    const rows = await db
      .selectFrom('case_pauses')
      .select(['started_at', 'ended_at', 'reason', 'silence_mode'])
      .where('case_id', '=', caseId)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ from: r.started_at, to: r.ended_at, reason: r.reason, silenceMode: r.silence_mode }));
  },

  /** Open cases past their due time, not waiting for the citizen, whose managers were not alerted yet. */
  async findNewlyOverdue(db: Executor, now: string, limit: number): Promise<number[]> {
    const rows = await db
      .selectFrom('cases as c')
      .select('c.id')
      .where('c.closed_at', 'is', null)
      .where('c.overdue_escalated_at', 'is', null)
      .where('c.due_at', '<=', now)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('case_pauses as p').select('p.id').whereRef('p.case_id', '=', 'c.id').where('p.ended_at', 'is', null))))
      .orderBy('c.due_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },

  /** Marks the overdue escalation as done; false when another worker did it first. */
  async markOverdueEscalated(db: Executor, caseId: number, now: string): Promise<boolean> {
    const result = await db.updateTable('cases').set({ overdue_escalated_at: now }).where('id', '=', caseId).where('overdue_escalated_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** Open cases whose legal silence delay has run out without a recorded implicit decision. */
  async findSilenceExpired(db: Executor, now: string, limit: number): Promise<number[]> {
    const rows = await db
      .selectFrom('cases')
      .select('id')
      .where('closed_at', 'is', null)
      .where('implicit_decision_recorded_at', 'is', null)
      .where('implicit_decision_at', '<=', now)
      .orderBy('implicit_decision_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },

  /** Marks the implicit decision as recorded; false when it already was, so it is recorded once. */
  async markImplicitDecisionRecorded(db: Executor, caseId: number, now: string): Promise<boolean> {
    const result = await db
      .updateTable('cases')
      .set({ implicit_decision_recorded_at: now, updated_at: now })
      .where('id', '=', caseId)
      .where('implicit_decision_recorded_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /**
   * Appends events to a case's journal, each hash-chained to the one before. Called inside the
   * transaction that changes the case, so the change and its trace commit together.
   * `newCase` says the journal is empty (the case was inserted in this transaction): no need to
   * read where the chain ends.
   */
  async appendJournal(
    db: Executor,
    caseId: number,
    caseReference: string,
    events: { type: string; actor: Actor; payload: Record<string, unknown> }[],
    now: string,
    options: { newCase?: boolean } = {},
  ): Promise<void> {
    const last = options.newCase
      ? undefined
      : await db.selectFrom('case_journal').select(['seq', 'hash']).where('case_id', '=', caseId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    let seq = last?.seq ?? 0;
    let previous = last?.hash ?? GENESIS_HASH;
    const rows = events.map((e) => {
      seq += 1;
      const event: JournalEvent = { seq, type: e.type, actor: e.actor, payload: e.payload, createdAt: now };
      previous = chainHash(previous, caseReference, event);
      return {
        case_id: caseId,
        seq,
        type: e.type,
        actor_type: e.actor.type,
        actor_id: e.actor.id,
        payload: toJson(e.payload),
        created_at: now,
        hash: previous,
      };
    });
    await db.insertInto('case_journal').values(rows).execute();
  },

  /** An event other systems must hear of; delivered after commit by the outbox relay. */
  async enqueueOutbox(db: Executor, topic: string, aggregateId: number, payload: Record<string, unknown>, now: string): Promise<void> {
    await db.insertInto('outbox').values({ topic, aggregate_id: aggregateId, payload: toJson(payload), created_at: now, published_at: null }).execute();
  },

  async findByReference(db: Executor, organisationId: number, reference: string) {
    const row = await caseView(db).where('c.organisation_id', '=', organisationId).where('c.reference', '=', reference).executeTakeFirst();
    return row ? toCaseView(row) : undefined;
  },

  /** The case a tracking code designates, in any organisation: the code itself is the key. */
  async findByTrackingCode(db: Executor, trackingCode: string) {
    const row = await caseView(db).where('c.tracking_code', '=', trackingCode).executeTakeFirst();
    return row ? toCaseView(row) : undefined;
  },

  async findById(db: Executor, id: number) {
    const row = await caseView(db).where('c.id', '=', id).executeTakeFirst();
    return row ? toCaseView(row) : undefined;
  },

  /**
   * A page of case summaries (everything but the form data, which the full case gives), newest
   * received first, walking the (received_at, id) index by keyset.
   */
  async list(db: Executor, f: CaseFilter) {
    let q = caseSummaries(db).where('c.organisation_id', '=', f.organisationId);
    if (f.status !== undefined) q = q.where('c.status', '=', f.status);
    if (f.departmentId !== undefined) q = q.where('c.department_id', '=', f.departmentId);
    if (f.procedureId !== undefined) q = q.where('c.procedure_id', '=', f.procedureId);
    if (f.channel !== undefined) q = q.where('c.channel', '=', f.channel);
    if (f.receivedFrom !== undefined) q = q.where('c.received_at', '>=', f.receivedFrom);
    if (f.receivedTo !== undefined) q = q.where('c.received_at', '<', f.receivedTo);
    if (f.text !== undefined) {
      const text = f.text;
      const pattern = `%${escapeLike(text)}%`;
      q = q.where((eb) => eb.or([eb('c.reference', '=', text), sql<boolean>`c.subject like ${pattern} escape '\\'`]));
    }
    if (f.after) {
      const { receivedAt, id } = f.after;
      q = q.where((eb) => eb(eb.refTuple('c.received_at', 'c.id'), '<', eb.tuple(receivedAt, id)));
    }
    const rows = await q.orderBy('c.received_at', 'desc').orderBy('c.id', 'desc').limit(f.limit + 1).execute();
    const hasMore = rows.length > f.limit;
    return { items: rows.slice(0, f.limit).map(toCaseSummary), hasMore };
  },

  async listJournal(db: Executor, caseId: number) {
    const rows = await db.selectFrom('case_journal').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
    return rows.map(toJournalEvent);
  },

  /** Journals of the `limit` cases after `afterId`, by case id: for verification of the whole store. */
  async journalsAfter(db: Executor, afterId: number, limit: number) {
    const cases = await db.selectFrom('cases').select(['id', 'reference']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
    if (cases.length === 0) return [];
    const events = await db
      .selectFrom('case_journal')
      .selectAll()
      .where('case_id', '>=', cases[0]!.id)
      .where('case_id', '<=', cases.at(-1)!.id)
      .orderBy('case_id')
      .orderBy('seq')
      .execute();
    const byCase = new Map<number, ReturnType<typeof toJournalEvent>[]>();
    for (const e of events) {
      const list = byCase.get(e.case_id) ?? [];
      list.push(toJournalEvent(e));
      byCase.set(e.case_id, list);
    }
    return cases.map((c) => ({ caseId: c.id, reference: c.reference, events: byCase.get(c.id) ?? [] }));
  },

  async countOutbox(db: Executor, aggregateId: number): Promise<number> {
    const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('aggregate_id', '=', aggregateId).executeTakeFirstOrThrow();
    return Number(row.n);
  },
};

function toJournalEvent(r: Selectable<CaseJournalTable>) {
  return {
    seq: r.seq,
    type: r.type,
    actor: { type: r.actor_type, id: r.actor_id } as Actor,
    payload: fromJson<Record<string, unknown>>(r.payload),
    createdAt: r.created_at,
    hash: r.hash,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function caseView(db: Executor) {
  return db
    .selectFrom('cases as c')
    .innerJoin('departments as d', 'd.id', 'c.department_id')
    .leftJoin('procedures as p', 'p.id', 'c.procedure_id')
    .selectAll('c')
    .select(['d.name as department_name', 'p.slug as procedure_slug', 'p.title as procedure_title']);
}

/** Every column of a case but its form data: what lists need, at a fraction of the bytes. */
const SUMMARY_COLUMNS = [
  'id', 'organisation_id', 'reference', 'tracking_code', 'procedure_id', 'citizen_id', 'channel', 'status', 'department_id',
  'assigned_agent_id', 'priority', 'subject', 'address', 'lat', 'lon', 'contact_email', 'contact_phone', 'received_at', 'due_at',
  'implicit_decision_at', 'closed_at', 'outcome', 'version', 'created_at', 'updated_at', 'workflow_id', 'labels', 'status_entered_at',
  'implicit_decision_recorded_at', 'overdue_escalated_at', 'sector',
] as const satisfies readonly Exclude<keyof CaseTable, 'data'>[];

function caseSummaries(db: Executor) {
  return db
    .selectFrom('cases as c')
    .innerJoin('departments as d', 'd.id', 'c.department_id')
    .leftJoin('procedures as p', 'p.id', 'c.procedure_id')
    .select(SUMMARY_COLUMNS.map((column) => `c.${column}` as const))
    .select(['d.name as department_name', 'p.slug as procedure_slug', 'p.title as procedure_title']);
}

type CaseSummaryRow = Omit<Selectable<CaseTable>, 'data' | 'public_report'> & { department_name: string; procedure_slug: string | null; procedure_title: string | null };
type CaseViewRow = CaseSummaryRow & { data: string };

function toCaseView(r: CaseViewRow) {
  return { ...toCaseSummary(r), data: fromJson<Record<string, unknown>>(r.data) };
}

function toCaseSummary(r: CaseSummaryRow) {
  return {
    id: r.id,
    reference: r.reference,
    procedure: r.procedure_slug !== null ? { slug: r.procedure_slug, title: r.procedure_title ?? '' } : null,
    channel: r.channel as Channel,
    status: r.status,
    department: { id: r.department_id, name: r.department_name },
    assignedAgentId: r.assigned_agent_id,
    citizenId: r.citizen_id,
    priority: r.priority,
    subject: r.subject,
    location: r.address !== null || r.lat !== null ? { address: r.address, lat: r.lat, lon: r.lon } : null,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    implicitDecisionAt: r.implicit_decision_at,
    closedAt: r.closed_at,
    outcome: r.outcome,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    workflowId: r.workflow_id,
    labels: fromJson<string[]>(r.labels),
    statusEnteredAt: r.status_entered_at,
    organisationId: r.organisation_id,
    procedureId: r.procedure_id,
    trackingCode: r.tracking_code,
    contact: { email: r.contact_email, phone: r.contact_phone },
    implicitDecisionRecordedAt: r.implicit_decision_recorded_at,
  };
}

export type CaseView = ReturnType<typeof toCaseView>;
export type CaseSummary = ReturnType<typeof toCaseSummary>;
