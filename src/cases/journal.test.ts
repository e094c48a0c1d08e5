import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/db.js';
import { makeCommune } from '../../test/factories.js';
import type { Db } from '../db/database.js';
import { submitCase } from '../intake/service.js';
import { chainHash, firstBrokenLink, GENESIS_HASH, type JournalEvent } from './journal.js';
import { caseRepository } from './repository.js';
import { verifyAllJournals } from './verify.js';

const event = (seq: number, type: string): JournalEvent => ({ seq, type, actor: { type: 'system', id: null }, payload: { n: seq }, createdAt: '2026-01-01T00:00:00.000Z' });

function chain(reference: string, events: JournalEvent[]) {
  let previous = GENESIS_HASH;
  return events.map((e) => {
    previous = chainHash(previous, reference, e);
    return { ...e, hash: previous };
  });
}

describe('journal hash chain', () => {
  it('verifies an untouched chain', () => {
    expect(firstBrokenLink('2026-000001', chain('2026-000001', [event(1, 'a'), event(2, 'b'), event(3, 'c')]))).toBeNull();
  });

  it('points at the first edited, removed or reordered event', () => {
    const events = chain('2026-000001', [event(1, 'a'), event(2, 'b'), event(3, 'c')]);
    expect(firstBrokenLink('2026-000001', events.map((e) => (e.seq === 2 ? { ...e, payload: { n: 99 } } : e)))).toBe(2);
    expect(firstBrokenLink('2026-000001', [events[0]!, events[2]!])).toBe(3);
    expect(firstBrokenLink('2026-000001', [events[1]!, events[0]!, events[2]!])).toBe(2);
  });

  it('binds events to their case: a chain copied to another case does not verify', () => {
    const events = chain('2026-000001', [event(1, 'a')]);
    expect(firstBrokenLink('2026-000002', events)).toBe(1);
  });
});

describe('journal in the database', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(async () => db.close());

  it('appends chained events after the intake’s and detects a tampered row', async () => {
    const commune = await makeCommune(db);
    const { receipt } = await submitCase(
      { db, timezone: 'Europe/Paris' },
      {
        organisationId: commune.organisationId,
        procedureSlug: 'signalement-voirie',
        channel: 'counter',
        actor: { type: 'agent', id: '1' },
        citizen: null,
        data: { categorie: 'eclairage', description: 'Lampadaire' },
        hiddenFields: 'reject',
      },
    );
    await caseRepository.appendJournal(db.kysely, receipt.caseId, receipt.reference, [{ type: 'note', actor: { type: 'agent', id: '1' }, payload: { text: 'vu' } }], new Date().toISOString());
    const events = await caseRepository.listJournal(db.kysely, receipt.caseId);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(firstBrokenLink(receipt.reference, events)).toBeNull();

    const broken: string[] = [];
    expect(await verifyAllJournals(db.kysely, (b) => broken.push(`${b.reference}#${b.seq}`))).toEqual({ checked: 1, broken: 0 });

    await db.kysely.updateTable('case_journal').set({ payload: JSON.stringify({ text: 'réécrit' }) }).where('case_id', '=', receipt.caseId).where('seq', '=', 3).execute();
    expect(await verifyAllJournals(db.kysely, (b) => broken.push(`${b.reference}#${b.seq}`))).toEqual({ checked: 1, broken: 1 });
    expect(broken).toEqual([`${receipt.reference}#3`]);
  });
});
