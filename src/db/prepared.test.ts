import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';

/**
 * PostgreSQL connections prepare the parameterised statements they repeat (PreparingClient), and
 * recover when a table changes shape under a prepared statement.
 */
const url = process.env.TEST_DATABASE_URL;
if (!url) console.warn('Test des requêtes préparées ignoré : il faut PostgreSQL (définissez TEST_DATABASE_URL).');

describe.skipIf(!url)('statements prepared by each PostgreSQL connection', () => {
  const schema = `prep_${randomBytes(5).toString('hex')}`;
  const opened: Db[] = [];
  const open = (preparedStatements: boolean) => {
    const db = openDatabase({ url: url!, schema, poolSize: 1, preparedStatements });
    opened.push(db);
    return db;
  };
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(statement);
    await client.end();
  };

  beforeAll(async () => {
    await admin(`create schema ${schema}`);
    await admin(`create table ${schema}.notes (id integer primary key, body text not null)`);
    await admin(`insert into ${schema}.notes values (1, 'un'), (2, 'deux')`);
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await admin(`drop schema ${schema} cascade`);
  });

  /** The statements the (single) connection of `db` holds prepared. */
  const prepared = async (db: Db) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements where name like 'guichet_%'`.execute(db.kysely)).rows.map((r) => r.statement);

  it('prepares a statement with parameters once and runs it again without a new Parse', async () => {
    const db = open(true);
    const body = (id: number) => sql<{ body: string }>`select body from notes where id = ${id}`.execute(db.kysely);
    expect((await body(1)).rows).toEqual([{ body: 'un' }]);
    expect((await body(2)).rows).toEqual([{ body: 'deux' }]);
    expect(await prepared(db)).toEqual(['select body from notes where id = $1']);
    // Statements without parameters (BEGIN, several commands in one text) are not prepared.
    await sql`select 1; select 2`.execute(db.kysely);
    await db.kysely.transaction().execute((trx) => sql`select body from notes where id = ${1}`.execute(trx));
    expect(await prepared(db)).toEqual(['select body from notes where id = $1']);
  });

  it('prepares nothing when switched off (a PgBouncer in transaction mode)', async () => {
    const db = open(false);
    await sql`select body from notes where id = ${1}`.execute(db.kysely);
    expect(await prepared(db)).toEqual([]);
  });

  it('sends a statement unprepared once its table changed shape under it', async () => {
    const db = open(true);
    const all = () => sql<Record<string, unknown>>`select * from notes where id = ${1}`.execute(db.kysely);
    expect((await all()).rows).toEqual([{ id: 1, body: 'un' }]);
    await admin(`alter table ${schema}.notes add column author text`);
    await expect(all()).rejects.toThrow(/cached plan must not change result type/);
    expect((await all()).rows).toEqual([{ id: 1, body: 'un', author: null }]);
  });
});
