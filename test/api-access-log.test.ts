/**
 * API reads of personal data are traced in the access log like an agent's: the actor is the API
 * token, with what was read, when and from which address. A refused read leaves no trace and no data.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogRepository } from '../src/backoffice/access-log.js';
import type { Db } from '../src/db/database.js';
import { up as migration027 } from '../src/db/migrations/027_api_access_log.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune, makeOrganisation, makeToken } from './factories.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let readTokenId: number;
let reference: string;
let caseId: number;
let citizenId: number;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const apiRows = () => db.kysely.selectFrom('access_log').selectAll().where('api_token_id', 'is not', null).orderBy('id').execute();

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
  readTokenId = (await db.kysely.selectFrom('api_tokens').select('id').where('name', '=', 'test cases:read').executeTakeFirstOrThrow()).id;
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: auth(commune.tokens.write),
    payload: { procedure: 'signalement-voirie', citizen: { firstNames: 'Nadia', lastName: 'Benali', email: 'nadia.benali@example.fr' }, data: { categorie: 'nid_de_poule', description: 'Trou rue des Lilas' } },
  });
  expect(created.statusCode).toBe(201);
  reference = created.json().reference;
  const row = await db.kysely.selectFrom('cases').select(['id', 'citizen_id']).where('reference', '=', reference).executeTakeFirstOrThrow();
  caseId = row.id;
  citizenId = row.citizen_id!;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('access log of API reads', () => {
  it('traces a case read and its journal with the token as actor, the case, the citizen, the time and the address', async () => {
    const before = new Date().toISOString();
    expect((await app.inject({ url: `/api/v1/cases/${reference}`, headers: auth(commune.tokens.read), remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
    expect((await app.inject({ url: `/api/v1/cases/${reference}/journal`, headers: auth(commune.tokens.read), remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
    const rows = await apiRows();
    expect(rows).toHaveLength(2);
    for (const [i, r] of rows.entries()) {
      expect(r).toMatchObject({ organisation_id: commune.organisationId, agent_id: null, api_token_id: readTokenId, action: 'view_case', case_id: caseId, citizen_id: citizenId, ip: '203.0.113.7' });
      expect(r.detail).toBe(i === 0 ? 'API : dossier' : 'API : journal');
      expect(r.created_at >= before).toBe(true);
    }
  });

  it('traces a list one row per case handed over, without the search terms', async () => {
    await db.kysely.deleteFrom('access_log').execute();
    const res = await app.inject({ url: `/api/v1/cases?q=${reference}`, headers: auth(commune.tokens.read) });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(1);
    const rows = await apiRows();
    expect(rows.map((r) => [r.action, r.case_id, r.citizen_id, r.api_token_id])).toEqual([['list_cases', caseId, citizenId, readTokenId]]);
    expect(rows[0]!.detail).toBe('API : liste avec recherche plein texte');
    expect(JSON.stringify(rows)).not.toContain(reference);
  });

  it('shows the token by name in the administrators’ access log, and filters by citizen', async () => {
    const listed = await accessLogRepository.list(db.kysely, commune.organisationId, { citizenId, limit: 10 });
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((r) => r.actorName === 'Jeton d’API « test cases:read »' && r.agentId === null && r.apiTokenId === readTokenId)).toBe(true);
  });

  it('writes nothing for a refused read: no token, a token without the scope, another organisation’s token', async () => {
    await db.kysely.deleteFrom('access_log').execute();
    const other = await makeToken(db, await makeOrganisation(db, 'ville-curieuse'), ['cases:read']);
    expect((await app.inject({ url: `/api/v1/cases/${reference}` })).statusCode).toBe(401);
    expect((await app.inject({ url: `/api/v1/cases/${reference}`, headers: auth(commune.tokens.write) })).statusCode).toBe(403);
    expect((await app.inject({ url: `/api/v1/cases/${reference}`, headers: auth(other) })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/cases/${reference}/journal`, headers: auth(other) })).statusCode).toBe(404);
    const list = await app.inject({ url: '/api/v1/cases', headers: auth(other) });
    expect(list.json().items).toEqual([]);
    expect(await db.kysely.selectFrom('access_log').selectAll().execute()).toEqual([]);
  });

  it('refuses a row with no actor, or with both an agent and a token', async () => {
    const row = { organisation_id: commune.organisationId, action: 'view_case', citizen_id: null, case_id: caseId, detail: null, ip: null, created_at: new Date().toISOString() };
    await expect(db.kysely.insertInto('access_log').values({ ...row, agent_id: null, api_token_id: null }).execute()).rejects.toThrow();
    const agent = await db.kysely
      .insertInto('agents')
      .values({ organisation_id: commune.organisationId, email: 'a@ville.test', display_name: 'A', password_hash: null, is_active: 1, created_at: row.created_at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await expect(db.kysely.insertInto('access_log').values({ ...row, agent_id: agent.id, api_token_id: readTokenId }).execute()).rejects.toThrow();
  });
});

describe('migration 027', () => {
  it('keeps the agents’ entries of the table it reshapes', async () => {
    const old = await freshDb();
    try {
      const k = old.kysely;
      const organisationId = await makeOrganisation(old);
      const agent = await k
        .insertInto('agents')
        .values({ organisation_id: organisationId, email: 'b@ville.test', display_name: 'B', password_hash: null, is_active: 1, created_at: '2026-01-01T00:00:00.000Z' })
        .returning('id')
        .executeTakeFirstOrThrow();
      // The table as migration 006 made it, with an agent's entry.
      await k.schema.dropTable('access_log').execute();
      await sql`create table access_log (id ${sql.raw(old.dialect === 'postgres' ? 'bigserial' : 'integer')} primary key, organisation_id integer not null references organisations (id), agent_id integer not null references agents (id), action text not null, citizen_id integer, case_id integer, detail text, ip text, created_at ${sql.raw(old.dialect === 'postgres' ? 'timestamptz' : 'text')} not null)`.execute(k);
      await sql`insert into access_log (organisation_id, agent_id, action, citizen_id, case_id, detail, ip, created_at) values (${organisationId}, ${agent.id}, 'view_citizen', 42, null, null, '198.51.100.1', '2026-02-01T10:00:00.000Z')`.execute(k);

      await migration027(k as never, old.dialect);

      const rows = await k.selectFrom('access_log').selectAll().execute();
      expect(rows).toEqual([expect.objectContaining({ organisation_id: organisationId, agent_id: agent.id, api_token_id: null, action: 'view_citizen', citizen_id: 42, ip: '198.51.100.1', created_at: '2026-02-01T10:00:00.000Z' })]);
    } finally {
      await old.close();
    }
  });
});
