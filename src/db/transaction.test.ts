import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/db.js';
import { makeOrganisation } from '../../test/factories.js';
import type { Db } from './database.js';
import { transaction } from './transaction.js';

describe('transaction', () => {
  let db: Db;
  let organisationId: number;
  beforeAll(async () => {
    db = await freshDb();
    organisationId = await makeOrganisation(db);
  });
  afterAll(async () => db.close());

  const counter = (year: number) =>
    db.kysely.selectFrom('reference_counters').select('value').where('organisation_id', '=', organisationId).where('year', '=', year).executeTakeFirst();

  it('commits concurrent transactions, and a failing one rolls back alone', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        transaction(db, async (trx) => {
          await trx.insertInto('reference_counters').values({ organisation_id: organisationId, year: 3000 + i, value: i }).execute();
          if (i % 3 === 0) throw new Error(`échec ${i}`);
          return i;
        }),
      ),
    );
    outcomes.forEach((outcome, i) => {
      if (i % 3 === 0) expect(outcome).toMatchObject({ status: 'rejected', reason: { message: `échec ${i}` } });
      else expect(outcome).toEqual({ status: 'fulfilled', value: i });
    });
    for (let i = 0; i < 30; i++) expect(await counter(3000 + i)).toEqual(i % 3 === 0 ? undefined : { value: i });
  });

  it('leaves nothing behind when a database error interrupts a work half-way', async () => {
    const failing = transaction(db, async (trx) => {
      await trx.insertInto('reference_counters').values({ organisation_id: organisationId, year: 4000, value: 1 }).execute();
      // Same primary key: the second insert fails after the first one succeeded.
      await trx.insertInto('reference_counters').values({ organisation_id: organisationId, year: 4000, value: 2 }).execute();
    });
    const passing = transaction(db, (trx) => trx.insertInto('reference_counters').values({ organisation_id: organisationId, year: 4001, value: 7 }).execute());
    await expect(failing).rejects.toThrow();
    await passing;
    expect(await counter(4000)).toBeUndefined();
    expect(await counter(4001)).toEqual({ value: 7 });
  });
});
