/**
 * One historical case, built the way intake would have built it at the time — same routing
 * (`decideRoute` on the same rules), same deadlines, same workflow version, same journal events
 * and outbox message — then taken through its life along the procedure's workflow: most old cases
 * closed by an agent of the department in a closed status matching their outcome, recent ones
 * still in the initial status, in progress or waiting for the citizen or a third party.
 */
import type { BulkCaseRow, BulkJournalRow, BulkOutboxRow } from '../cases/bulk-repository.js';
import { chainHash, GENESIS_HASH, type Actor } from '../cases/journal.js';
import type { Channel } from '../cases/repository.js';
import { toJson } from '../db/transaction.js';
import type { Field } from '../procedures/form/definition.js';
import { decideRoute, type RoutingDecision } from '../routing/rules.js';
import type { Status } from '../workflow/definition.js';
import type { HistoryCalendar } from './history-calendar.js';
import type { CitizenPool } from './history-citizens.js';
import type { HistoryContext, HistoryProcedure } from './history-context.js';
import { DeadlineCache } from './history-deadlines.js';
import { randomPerson } from './people.js';
import { WeightedTable, type Rng } from './prng.js';
import type { Outcome, SampleContext } from './procedures/index.js';
import type { CitizenProfile } from './repository.js';

const DAY_MS = 86_400_000;
const SYSTEM: Actor = { type: 'system', id: null };
/** Share of anonymous requests, for procedures that allow them. */
const ANONYMOUS_SHARE: Partial<Record<Channel, number>> = { web: 0.35, mobile: 0.4, open311: 0.6, social: 0.5, phone: 0.25, api: 0.5 };
/** Cases forgotten in a pile: a few stay open whatever their age, as in any real back office. */
const STUCK_SHARE = 0.015;

interface PendingEvent {
  type: string;
  actor: Actor;
  payload: Record<string, unknown>;
  createdAt: string;
}

interface Life {
  status: Status;
  closedAt: string | null;
  outcome: Outcome | null;
  version: number;
  /** When the case entered its status (ISO). */
  enteredAt: string;
  /** Whether a status timer, not an agent, moved the case there. */
  byTimer: boolean;
}

/** A case ready to write but for its id and reference (0 and '' here), reserved batch by batch. */
export interface CaseDraft {
  row: BulkCaseRow;
  /** Local year of receipt: the reference sequence it takes a number from. */
  year: number;
  procedureSlug: string;
  events: PendingEvent[];
  publishedAt: string;
}

export class CaseFactory {
  private readonly tables = new Map<string, WeightedTable<HistoryProcedure>>();
  private readonly outcomes = new Map<number, WeightedTable<Outcome>>();
  private readonly deadlines: DeadlineCache;
  private readonly nowMs: number;

  constructor(
    private readonly ctx: HistoryContext,
    private readonly calendar: HistoryCalendar,
    private readonly pool: CitizenPool,
    private readonly rng: Rng,
    private readonly trackingCode: () => string,
  ) {
    this.deadlines = new DeadlineCache(calendar);
    this.nowMs = calendar.now.getTime();
    for (const p of ctx.procedures) this.outcomes.set(p.procedure.id, p.workflow.outcomes(p.demo.outcomes));
  }

  draft(instant: number, channel: Channel): CaseDraft {
    const { rng, ctx } = this;
    const dayIndex = this.calendar.dayIndexOf(instant);
    const day = this.calendar.dayAt(dayIndex);
    const hp = this.procedureFor(channel, day.month).draw(rng);
    const { procedure, demo } = hp;
    const anonymityShare = procedure.allowAnonymous ? (ANONYMOUS_SHARE[channel] ?? 0) : 0;
    const picked = rng.chance(anonymityShare) ? null : this.pool.pick(rng, instant, hp.needsChild);
    const citizen = picked?.citizen ?? null;
    const data = demo.sample({ rng, today: day.iso, citizen: sampleCitizen(rng, citizen), children: citizen?.children ?? [] });
    const location = locate(hp.placeFields, data);
    const point = location?.lat != null && location.lon != null ? { lat: location.lat, lon: location.lon } : null;
    const decision = decideRoute(hp.rules, { data, point }, procedure.departmentId, ctx.receptionId);
    const department = ctx.departments.get(decision.departmentId);
    if (!department) throw new Error(`routing chose department ${decision.departmentId}, which does not exist`);

    const receivedAt = new Date(instant).toISOString();
    const life = this.life(instant, hp);
    const agents = ctx.agents.get(department.id) ?? [];
    const agentId = life.status.id !== hp.workflow.initial && agents.length > 0 ? rng.pick(agents) : null;
    const events: PendingEvent[] = [
      { type: 'case.created', actor: this.intakeActor(channel, citizen), payload: { channel, procedure: procedure.slug, receivedAt, attachments: [] }, createdAt: receivedAt },
    ];
    if (picked) {
      const by = picked.created ? 'created' : channel === 'phone' ? 'phone' : 'email';
      events.push({ type: 'citizen.matched', actor: SYSTEM, payload: { citizenId: picked.citizen.id, by, possibleDuplicateOf: null }, createdAt: receivedAt });
    }
    events.push({ type: 'case.routed', actor: SYSTEM, payload: { departmentId: department.id, by: decision.by, rule: ruleLabel(decision, department.name), ruleId: decision.by === 'rule' ? decision.rule.id : null }, createdAt: receivedAt });
    const entry = hp.workflow.entry(life.status.id);
    if (entry) {
      events.push({
        type: 'status.changed',
        actor: agentId === null || life.byTimer ? SYSTEM : { type: 'agent', id: String(agentId) },
        payload: { from: entry.from, to: life.status.id, transition: entry.transition, inputs: {} },
        createdAt: life.enteredAt,
      });
    }
    return {
      row: {
        id: 0,
        reference: '',
        organisation_id: ctx.organisationId,
        tracking_code: this.trackingCode(),
        procedure_id: procedure.id,
        citizen_id: citizen?.id ?? null,
        channel,
        status: life.status.id,
        workflow_id: hp.workflow.id,
        department_id: department.id,
        assigned_agent_id: agentId,
        priority: priorityOf(rng, data),
        subject: (demo.subject?.(data) ?? procedure.title).slice(0, 300),
        address: location?.address ?? null,
        lat: location?.lat ?? null,
        lon: location?.lon ?? null,
        data: toJson(data),
        contact_email: citizen?.email ?? null,
        contact_phone: citizen?.phone ?? null,
        received_at: receivedAt,
        due_at: this.deadlines.dueAt(instant, dayIndex, procedure, department),
        implicit_decision_at: this.deadlines.implicitDecisionAt(instant, dayIndex, procedure),
        closed_at: life.closedAt,
        outcome: life.outcome,
        version: life.version,
        created_at: receivedAt,
        updated_at: life.enteredAt,
        status_entered_at: life.enteredAt,
        // As the intake decides: Open311 reports, and portal reports whose form said they are public.
        public_report: channel === 'open311' || (channel === 'web' && procedure.publishesReports) ? 1 : 0,
      },
      year: day.year,
      procedureSlug: procedure.slug,
      events,
      publishedAt: new Date(instant + rng.int(200, 5_000)).toISOString(),
    };
  }

  /** Procedures a channel brings in a given month, weighted by frequency, channel affinity and season. */
  private procedureFor(channel: Channel, month: number): WeightedTable<HistoryProcedure> {
    const key = `${channel}:${month}`;
    let table = this.tables.get(key);
    if (!table) {
      const weight = (p: HistoryProcedure) => p.demo.weight * (p.demo.season?.[month - 1] ?? 1);
      const affine = this.ctx.procedures.map((p) => [p, weight(p) * (p.demo.channels[channel] ?? 0)] as const);
      // An organisation without the procedures a channel usually brings still gets cases on it.
      table = affine.some(([, w]) => w > 0) ? new WeightedTable(affine) : new WeightedTable(this.ctx.procedures.map((p) => [p, weight(p)] as const));
      this.tables.set(key, table);
    }
    return table;
  }

  /**
   * Status, closing instant and outcome of a case received at `instant`, seen from now, and when
   * it entered that status: closed cases at their closing, open ones at some working moment since
   * receipt — recently enough that no timer of the status would have moved them on already.
   */
  private life(instant: number, hp: HistoryProcedure): Life {
    const { rng, nowMs } = this;
    const workflow = hp.workflow;
    if (!rng.chance(STUCK_SHARE)) {
      const days = hp.demo.medianDays * Math.exp(0.7 * gaussian(rng));
      const handled = this.calendar.officeInstant(rng, instant + days * DAY_MS, instant);
      if (handled !== undefined && handled < nowMs) {
        const outcome = this.outcomes.get(hp.procedure.id)?.draw(rng) ?? 'accepted';
        const status = workflow.closedStatus(rng, outcome);
        // Closed by a timer: the citizen was asked for something and the reply delay ran out first.
        const timer = workflow.timerDelay(status.id);
        const closedAt = timer === undefined ? handled : handled + timer;
        if (closedAt < nowMs) {
          const at = new Date(closedAt).toISOString();
          return { status, closedAt: at, outcome, version: 3, enteredAt: at, byTimer: timer !== undefined };
        }
      }
    }
    const status = workflow.openStatus(rng, nowMs - instant < 2 * DAY_MS);
    if (status.id === workflow.initial) return { status, closedAt: null, outcome: null, version: 1, enteredAt: new Date(instant).toISOString(), byTimer: false };
    const earliest = Math.max(instant, nowMs - 0.9 * workflow.longestStay(status.id));
    const target = earliest + rng.next() * (nowMs - earliest);
    const office = this.calendar.officeInstant(rng, target, earliest);
    const entered = office !== undefined && office < nowMs ? office : target;
    return { status, closedAt: null, outcome: null, version: status.category === 'in_progress' ? 2 : 3, enteredAt: new Date(entered).toISOString(), byTimer: false };
  }

  /** Who recorded the request: the citizen online, a front-desk agent, or a partner system. */
  private intakeActor(channel: Channel, citizen: CitizenProfile | null): Actor {
    switch (channel) {
      case 'web':
      case 'mobile':
        return { type: 'citizen', id: citizen ? String(citizen.id) : null };
      case 'api':
      case 'open311':
        return { type: 'integration', id: `demo:${channel}` };
      default: {
        const desk = this.ctx.agents.get(this.ctx.receptionId) ?? [];
        return desk.length > 0 ? { type: 'agent', id: String(this.rng.pick(desk)) } : SYSTEM;
      }
    }
  }
}

/** Completes the draft's row in place (no copy: a million rows) and derives its journal and outbox message. */
export function finaliseCase(draft: CaseDraft, id: number, reference: string): { row: BulkCaseRow; journal: BulkJournalRow[]; outbox: BulkOutboxRow } {
  let previous = GENESIS_HASH;
  const journal = draft.events.map((e, i) => {
    const seq = i + 1;
    const payload = jsonbKeyOrder(e.payload);
    previous = chainHash(previous, reference, { seq, type: e.type, actor: e.actor, payload, createdAt: e.createdAt });
    return { case_id: id, seq, type: e.type, actor_type: e.actor.type, actor_id: e.actor.id, payload: toJson(payload), created_at: e.createdAt, hash: previous };
  });
  const { row } = draft;
  const outbox = {
    topic: 'case.created',
    aggregate_id: id,
    payload: toJson({ reference, procedure: draft.procedureSlug, channel: row.channel, departmentId: row.department_id, receivedAt: row.received_at }),
    created_at: row.received_at,
    published_at: draft.publishedAt,
  };
  row.id = id;
  row.reference = reference;
  return { row, journal, outbox };
}

/**
 * The payload with its keys in the order PostgreSQL's jsonb gives them back (shorter keys first,
 * then bytewise). The chain hashes the payload's JSON text, and a jsonb column does not keep key
 * order: written in any other order, a chain would verify on SQLite but not once read back from
 * PostgreSQL. Key order carries no meaning, so this order suits both dialects.
 */
function jsonbKeyOrder(payload: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(payload).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, payload[key]]));
}

/** As intake: the first geolocation or address answer of the form locates the case. */
function locate(placeFields: Field[], data: Record<string, unknown>): { address: string | null; lat: number | null; lon: number | null } | null {
  for (const field of placeFields) {
    const value = data[field.name] as Record<string, unknown> | undefined;
    if (!value) continue;
    if (field.type === 'geolocation') return { address: typeof value['address'] === 'string' ? value['address'] : null, lat: Number(value['lat']), lon: Number(value['lon']) };
    return { address: [value['line1'], value['line2'], `${String(value['postcode'])} ${String(value['city'])}`].filter(Boolean).join(', '), lat: null, lon: null };
  }
  return null;
}

function ruleLabel(decision: RoutingDecision, departmentName: string): string {
  switch (decision.by) {
    case 'rule':
      return decision.rule.name;
    case 'procedure_default':
      return `Service responsable de la démarche (${departmentName})`;
    case 'reception_fallback':
      return `Repli vers l’accueil (${departmentName})`;
  }
}

function priorityOf(rng: Rng, data: Record<string, unknown>): BulkCaseRow['priority'] {
  if (data['danger'] === true || data['urgence'] === true) return rng.chance(0.25) ? 'urgent' : 'high';
  return rng.chance(0.03) ? 'low' : 'normal';
}

/** The citizen as form generators see them; a record missing names borrows made-up ones. */
function sampleCitizen(rng: Rng, c: CitizenProfile | null): SampleContext['citizen'] {
  if (c === null) return null;
  const fallback = c.firstNames === null || c.lastName === null ? randomPerson(rng) : null;
  return {
    civility: c.civility ?? fallback?.civility ?? 'Mme',
    firstNames: c.firstNames ?? fallback?.firstNames ?? '',
    lastName: c.lastName ?? fallback?.lastName ?? '',
    birthDate: c.birthDate,
    address: c.address ? { ...c.address, country: 'FR' } : null,
    email: c.email,
    phone: c.phone,
  };
}

/** A standard normal draw (Box–Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}
