/**
 * Where a historical case stands in its procedure's workflow, drawn from tables prepared once per
 * workflow (a million cases must not scan definitions): open cases spread over the open statuses
 * the way a back office looks (mostly in progress, a quarter waiting, a few not yet looked at),
 * closed ones in a closed status of the category matching their outcome.
 */
import type { Duration, Status, StatusCategory, Transition, WorkflowDefinition } from '../workflow/definition.js';
import type { WorkflowVersion } from '../workflow/repository.js';
import { WeightedTable, type Rng } from './prng.js';
import type { Outcome } from './procedures/index.js';

const DAY_MS = 86_400_000;
/** Calendar length of a business day, on average (weekends and holidays included). */
const BUSINESS_DAY_MS = 1.45 * DAY_MS;
const CLOSED_CATEGORY: Readonly<Record<Outcome, StatusCategory>> = {
  accepted: 'closed_accepted',
  refused: 'closed_refused',
  without_action: 'closed_without_action',
};
const CLOSED_CATEGORIES: ReadonlySet<StatusCategory> = new Set(Object.values(CLOSED_CATEGORY));

/** Shares of open statuses by category: cases received in the last two days, and older ones. */
const RECENT_SHARES: Partial<Record<StatusCategory, number>> = { new: 60, in_progress: 40 };
const OLDER_SHARES: Partial<Record<StatusCategory, number>> = { new: 10, in_progress: 65, waiting_citizen: 17, waiting_third_party: 8 };

/** The move that brought a case into a status, as the journal records it. */
export interface StatusEntry {
  from: string;
  transition: string;
}

/** One published workflow version, prepared for drawing the statuses of many historical cases. */
export class HistoryWorkflow {
  readonly id: number;
  readonly initial: string;
  private readonly recent: WeightedTable<Status>;
  private readonly older: WeightedTable<Status>;
  private readonly closed = new Map<Outcome, WeightedTable<Status>>();
  private readonly entries = new Map<string, StatusEntry>();
  private readonly longestStays = new Map<string, number>();
  private readonly timerReached = new Map<string, number>();

  constructor(version: Pick<WorkflowVersion, 'id' | 'definition'>) {
    const def = version.definition;
    this.id = version.id;
    this.initial = def.initial;
    this.recent = openTable(def, RECENT_SHARES);
    this.older = openTable(def, OLDER_SHARES);
    for (const [outcome, category] of Object.entries(CLOSED_CATEGORY) as [Outcome, StatusCategory][]) {
      const statuses = def.statuses.filter((s) => s.category === category);
      if (statuses.length > 0) this.closed.set(outcome, new WeightedTable(statuses.map((s) => [s, 1] as const)));
    }
    for (const status of def.statuses) {
      const entry = entryInto(def, status.id);
      if (entry) this.entries.set(status.id, entry);
      const stays = (status.timers ?? []).filter((t) => t.transition !== undefined).map((t) => durationMs(t.after));
      if (stays.length > 0) this.longestStays.set(status.id, Math.min(...stays));
      const delay = timerDelayInto(def, status.id);
      if (delay !== undefined) this.timerReached.set(status.id, delay);
    }
  }

  /** The procedure's outcome weights, without the outcomes this workflow has no closed status for. */
  outcomes(weights: Readonly<Record<Outcome, number>>): WeightedTable<Outcome> {
    const possible = (Object.entries(weights) as [Outcome, number][]).filter(([outcome]) => this.closed.has(outcome));
    if (possible.length === 0) throw new Error(`workflow ${this.id} has no closed status for any outcome of its procedure`);
    return new WeightedTable(possible);
  }

  /** A closed status for this outcome; `outcomes()` only gives outcomes that have one. */
  closedStatus(rng: Rng, outcome: Outcome): Status {
    const table = this.closed.get(outcome);
    if (!table) throw new Error(`workflow ${this.id} has no closed status for outcome ${outcome}`);
    return table.draw(rng);
  }

  /** An open status for a case still being handled; recent cases are mostly not looked at yet. */
  openStatus(rng: Rng, recent: boolean): Status {
    return (recent ? this.recent : this.older).draw(rng);
  }

  /** How a case came into this status; undefined for the initial status. */
  entry(statusId: string): StatusEntry | undefined {
    return statusId === this.initial ? undefined : this.entries.get(statusId);
  }

  /**
   * For a status every way into which is a timer's transition (closing a request the citizen never
   * completed, or never replied to), how long after receipt a case gets there at the earliest (ms):
   * agents may take those transitions too, but cases mostly get there when the delay runs out.
   * Undefined for statuses reached otherwise.
   */
  timerDelay(statusId: string): number | undefined {
    return this.timerReached.get(statusId);
  }

  /** How long a case can stay in this status before a timer moves it on (ms); Infinity when none does. */
  longestStay(statusId: string): number {
    return this.longestStays.get(statusId) ?? Infinity;
  }
}

/** A duration in calendar milliseconds, business time taken at its average calendar length. */
function durationMs(duration: Duration): number {
  const unit = duration.unit === 'calendar_days' ? DAY_MS : duration.unit === 'business_days' ? BUSINESS_DAY_MS : BUSINESS_DAY_MS / 8;
  return duration.value * unit;
}

/** The shortest timer delay leading to `statusId` when every transition into it, from every status, is a timer's. */
function timerDelayInto(def: WorkflowDefinition, statusId: string): number | undefined {
  const incoming = def.transitions.filter((t) => t.to === statusId && t.from.some((f) => f !== statusId));
  if (incoming.length === 0) return undefined;
  const delays: number[] = [];
  for (const transition of incoming) {
    for (const from of transition.from) {
      const timer = def.statuses.find((s) => s.id === from)?.timers?.find((t) => t.transition === transition.name);
      if (!timer) return undefined;
      delays.push(durationMs(timer.after));
    }
  }
  return Math.min(...delays);
}

/** Open statuses weighted by their category's share, split evenly within a category. */
function openTable(def: WorkflowDefinition, shares: Partial<Record<StatusCategory, number>>): WeightedTable<Status> {
  const open = def.statuses.filter((s) => !CLOSED_CATEGORIES.has(s.category));
  const count = (category: StatusCategory) => open.filter((s) => s.category === category).length;
  const weighted = open.map((s) => [s, (shares[s.category] ?? 0) / count(s.category)] as const);
  // A workflow whose open statuses all lie outside the shares still gets open cases.
  return weighted.some(([, w]) => w > 0) ? new WeightedTable(weighted) : new WeightedTable(open.map((s) => [s, 1] as const));
}

/**
 * The everyday way into a status: a transition an agent takes, preferably straight from the
 * initial status, never a loop on the status itself nor a reopening of a closed case.
 */
function entryInto(def: WorkflowDefinition, statusId: string): StatusEntry | undefined {
  const closedIds = new Set(def.statuses.filter((s) => CLOSED_CATEGORIES.has(s.category)).map((s) => s.id));
  const leavesOpen = (t: Transition) => t.from.some((f) => f === '*' || (f !== statusId && !closedIds.has(f)));
  const candidates = def.transitions.filter((t) => t.to === statusId && leavesOpen(t));
  const fromInitial = (t: Transition) => t.from.includes(def.initial) || t.from.includes('*');
  const chosen = candidates.find((t) => fromInitial(t) && t.roles.includes('agent')) ?? candidates.find(fromInitial) ?? candidates[0];
  if (!chosen) return undefined;
  const from = fromInitial(chosen) ? def.initial : (chosen.from.find((f) => f !== statusId && !closedIds.has(f)) ?? def.initial);
  return { from, transition: chosen.name };
}
