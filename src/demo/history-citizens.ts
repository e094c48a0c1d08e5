/**
 * Who files the historical requests. A million cases shared by forty inhabitants would make every
 * citizen page absurd, so the history brings its own population — about one citizen per ten
 * cases, each appearing at some point of the period and filing requests from then on — while the
 * named demo inhabitants keep a couple of dozen requests each to show in a demo.
 */
import type { Dialect } from '../db/database.js';
import type { Executor } from '../db/transaction.js';
import type { HistoryCalendar } from './history-calendar.js';
import { emailLocalPart, fictionPhone, randomAddress, randomDate, randomPerson } from './people.js';
import type { Rng } from './prng.js';
import type { BulkCitizen, CitizenProfile } from './repository.js';
import { demoRepository } from './repository.js';
import { bulkCaseRepository } from '../cases/bulk-repository.js';

/** Generated citizens per historical case. */
const CITIZENS_PER_CASE = 0.1;
/** Requests each named demo inhabitant should have on average. */
const REQUESTS_PER_NAMED_CITIZEN = 20;

export type NewCitizen = Omit<BulkCitizen, 'id'> & { firstSeen: number };

/** How many citizens to add so the population matches `count` cases. */
export function citizensToGenerate(count: number, existing: number): number {
  return Math.max(existing === 0 && count > 0 ? 1 : 0, Math.round(count * CITIZENS_PER_CASE) - existing);
}

/** `n` new citizens in order of first appearance, with e-mails distinct from `takenEmails`. */
export function generateCitizens(rng: Rng, n: number, calendar: HistoryCalendar, takenEmails: Iterable<string>): NewCitizen[] {
  const firstSeen = Array.from({ length: n }, () => calendar.drawReceipt(rng, 'web')).sort((a, b) => a - b);
  const used = new Map<string, number>();
  for (const email of takenEmails) used.set(email.slice(0, email.indexOf('@')), 1);
  return firstSeen.map((seen) => {
    const person = randomPerson(rng);
    const local = emailLocalPart(person.firstNames, person.lastName);
    const n = used.get(local) ?? 0;
    used.set(local, n + 1);
    const address = randomAddress(rng);
    return {
      ...person,
      birthDate: randomDate(rng, 1940, 2006),
      email: `${local}${n === 0 ? '' : n + 1}@courriel.example`,
      phone: rng.chance(0.8) ? fictionPhone(rng) : null,
      address,
      createdAt: new Date(seen).toISOString(),
      firstSeen: seen,
    };
  });
}

/** Writes generated citizens, reserving their ids; returns their profiles in the same order. */
export async function insertCitizens(trx: Executor, dialect: Dialect, organisationId: number, citizens: readonly NewCitizen[]): Promise<CitizenProfile[]> {
  const ids = await bulkCaseRepository.reserveIds(trx, dialect, 'citizens', citizens.length);
  const rows = citizens.map((c, i) => ({ ...c, id: ids[i] ?? 0 }));
  await demoRepository.insertCitizens(trx, dialect, organisationId, rows);
  return rows.map((c) => ({
    id: c.id, civility: c.civility, firstNames: c.firstNames, lastName: c.lastName, birthDate: c.birthDate,
    email: c.email, phone: c.phone, address: c.address, children: [],
  }));
}

/**
 * Draws the citizen behind a request received at a given instant, among the named inhabitants
 * and the generated citizens already "arrived" by then. Cases must be drawn in time order.
 */
export class CitizenPool {
  private arrived = 0;
  private readonly seen: Uint8Array;
  private readonly namedShare: number;
  private readonly parents: CitizenProfile[];

  constructor(
    private readonly named: readonly CitizenProfile[],
    private readonly generated: readonly CitizenProfile[],
    private readonly firstSeen: readonly number[],
    count: number,
  ) {
    this.seen = new Uint8Array(generated.length);
    this.namedShare = named.length === 0 ? 0 : Math.min(0.3, (named.length * REQUESTS_PER_NAMED_CITIZEN) / Math.max(count, 1));
    this.parents = named.filter((c) => c.children.length > 0);
  }

  /** The citizen and whether this is their first request (intake would have created them). */
  pick(rng: Rng, instant: number, preferParents: boolean): { citizen: CitizenProfile; created: boolean } | null {
    while (this.arrived < this.firstSeen.length && (this.firstSeen[this.arrived] ?? Infinity) <= instant) this.arrived++;
    if (preferParents && this.parents.length > 0 && rng.chance(Math.max(this.namedShare, 0.05))) return { citizen: rng.pick(this.parents), created: false };
    // Without named inhabitants, the first generated citizen stands in until others arrive.
    const available = this.named.length === 0 ? Math.max(this.arrived, Math.min(1, this.generated.length)) : this.arrived;
    if (available === 0 || rng.chance(this.namedShare)) {
      return this.named.length > 0 ? { citizen: rng.pick(this.named), created: false } : null;
    }
    const index = rng.int(0, available - 1);
    const created = this.seen[index] === 0;
    this.seen[index] = 1;
    const citizen = this.generated[index];
    return citizen === undefined ? null : { citizen, created };
  }
}
