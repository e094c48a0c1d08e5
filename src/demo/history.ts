/**
 * Two years of made-up but believable activity for a demo organisation: `count` cases over every
 * channel and procedure, with their citizens, journals (valid hash chains), outbox messages and
 * reference numbers — enough to try dashboards, search and exports at the scale of a large city.
 *
 * Built for volume: a million cases load in a couple of minutes. Receipt instants are drawn and
 * sorted first (so references follow the order of receipt), then cases are generated and written
 * in batches of 20,000 per transaction through the bulk repository.
 */
import { bulkCaseRepository } from '../cases/bulk-repository.js';
import { formatReference, newTrackingCode } from '../cases/codes.js';
import { CHANNELS, type Channel } from '../cases/repository.js';
import type { Db, Dialect } from '../db/database.js';
import { transaction, type Executor } from '../db/transaction.js';
import { HistoryCalendar } from './history-calendar.js';
import { finaliseCase, CaseFactory, type CaseDraft } from './history-cases.js';
import { citizensToGenerate, CitizenPool, generateCitizens, insertCitizens } from './history-citizens.js';
import { loadHistoryContext, type HistoryContext } from './history-context.js';
import { createRng, WeightedTable, type Rng } from './prng.js';
import type { CitizenProfile } from './repository.js';

export interface HistoryOptions {
  /** Same seed, same history (tracking codes aside, which stay unguessable). Default 1. */
  seed?: number;
  /** Called after each committed batch with the number of cases written so far. */
  onProgress?: (done: number) => void;
  /** End of the two-year period; default now. */
  now?: Date;
  /** The organisation's zone (TIMEZONE setting), for local days, years and deadlines. */
  timezone?: string;
  /** Cases per transaction. */
  batchSize?: number;
}

/** How requests reach a French town hall today: mostly the website, then e-mail and phone. */
const CHANNEL_SHARES: Readonly<Record<Channel, number>> = {
  web: 45, email: 15, phone: 15, counter: 10, mail: 6, mobile: 5, open311: 2, social: 1, api: 1,
};
const DEFAULT_BATCH = 20_000;
/** Drafts generated between two yields to the event loop. */
const YIELD_EVERY = 500;
/** Receipt instant and channel share one sortable number: instant × 16 + channel index. */
const CHANNEL_SLOTS = 16;

export async function seedHistoricalCases(db: Db, organisationId: number, count: number, options: HistoryOptions = {}): Promise<void> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`Nombre de dossiers invalide : ${count}.`);
  const rng = createRng(options.seed ?? 1);
  const calendar = new HistoryCalendar(options.now ?? new Date(), options.timezone ?? 'Europe/Paris');
  const ctx = await loadHistoryContext(db, organisationId);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const restoreDurability = await bulkCaseRepository.relaxDurability(db);
  try {
    const pool = await populate(db, ctx, calendar, rng, count, batchSize);
    const receipts = drawReceipts(rng, calendar, count);
    const factory = new CaseFactory(ctx, calendar, pool, rng, newTrackingCode);
    const generate = (start: number) => draftBatch(factory, receipts, start, Math.min(start + batchSize, count));
    // The next batch is generated while the current one is written: PostgreSQL works in its own
    // process meanwhile (on SQLite the two simply take turns).
    let drafts = await generate(0);
    for (let start = 0; start < count; start += batchSize) {
      const current = drafts;
      const [, next] = await Promise.all([
        transaction(db, (trx) => writeBatch(trx, db.dialect, organisationId, current)),
        start + batchSize < count ? generate(start + batchSize) : Promise.resolve([]),
      ]);
      options.onProgress?.(start + current.length);
      drafts = next;
    }
  } finally {
    await restoreDurability();
  }
}

/** Adds the generated population and returns the pool cases draw their citizens from. */
async function populate(db: Db, ctx: HistoryContext, calendar: HistoryCalendar, rng: Rng, count: number, batchSize: number): Promise<CitizenPool> {
  const fresh = generateCitizens(rng, citizensToGenerate(count, ctx.citizens.length), calendar, ctx.citizens.flatMap((c) => (c.email ? [c.email] : [])));
  const profiles: CitizenProfile[] = [];
  for (let start = 0; start < fresh.length; start += batchSize) {
    const chunk = fresh.slice(start, start + batchSize);
    profiles.push(...(await transaction(db, (trx) => insertCitizens(trx, db.dialect, ctx.organisationId, chunk))));
  }
  return new CitizenPool(ctx.citizens, profiles, fresh.map((c) => c.firstSeen), count);
}

/** Drafts of cases `start` to `end`, yielding to the event loop now and then so writes proceed. */
async function draftBatch(factory: CaseFactory, receipts: Float64Array, start: number, end: number): Promise<CaseDraft[]> {
  const drafts: CaseDraft[] = [];
  for (let i = start; i < end; i++) {
    if ((i - start) % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    const key = receipts[i] ?? 0;
    const slot = key % CHANNEL_SLOTS;
    drafts.push(factory.draft((key - slot) / CHANNEL_SLOTS, CHANNELS[slot] ?? 'web'));
  }
  return drafts;
}

/** `count` (instant, channel) pairs in order of receipt, packed in one sortable array. */
function drawReceipts(rng: Rng, calendar: HistoryCalendar, count: number): Float64Array {
  const channels = new WeightedTable(CHANNELS.map((channel, index) => [index, CHANNEL_SHARES[channel]] as const));
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const slot = channels.draw(rng);
    keys[i] = calendar.drawReceipt(rng, CHANNELS[slot] ?? 'web') * CHANNEL_SLOTS + slot;
  }
  return keys.sort();
}

/** Reserves ids and reference numbers for the batch, then writes cases, journals and outbox. */
async function writeBatch(trx: Executor, dialect: Dialect, organisationId: number, drafts: CaseDraft[]): Promise<void> {
  const ids = await bulkCaseRepository.reserveIds(trx, dialect, 'cases', drafts.length);
  const perYear = new Map<number, number>();
  for (const d of drafts) perYear.set(d.year, (perYear.get(d.year) ?? 0) + 1);
  const nextNumber = new Map<number, number>();
  for (const [year, n] of perYear) nextNumber.set(year, await bulkCaseRepository.reserveReferenceNumbers(trx, organisationId, year, n));
  const finals = drafts.map((draft, i) => {
    const number = nextNumber.get(draft.year) ?? 1;
    nextNumber.set(draft.year, number + 1);
    return finaliseCase(draft, ids[i] ?? 0, formatReference(draft.year, number));
  });
  await bulkCaseRepository.insertCases(trx, dialect, finals.map((f) => f.row));
  await bulkCaseRepository.insertJournal(trx, dialect, finals.flatMap((f) => f.journal));
  await bulkCaseRepository.insertOutbox(trx, dialect, finals.map((f) => f.outbox));
}
