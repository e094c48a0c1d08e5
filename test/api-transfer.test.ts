import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune, makeDepartment, makeOrganisation, makeToken } from './factories.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function newCase(categorie = 'nid_de_poule') {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: headers(commune.tokens.write),
    payload: { procedure: 'signalement-voirie', citizen: null, data: { categorie, description: 'Un trou.', position: { lat: 47.39, lon: 0.69 } } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().reference as string;
}

const transfer = (reference: string, body: unknown, token = commune.tokens.all) =>
  app.inject({ method: 'POST', url: `/api/v1/cases/${reference}/transfer`, headers: headers(token), payload: body as object });
const read = async (reference: string) => (await app.inject({ method: 'GET', url: `/api/v1/cases/${reference}`, headers: headers(commune.tokens.read) })).json();
const journal = async (reference: string) =>
  (await app.inject({ method: 'GET', url: `/api/v1/cases/${reference}/journal`, headers: headers(commune.tokens.read) })).json().items as { type: string; payload: Record<string, unknown> }[];

describe('POST /api/v1/cases/{reference}/transfer', () => {
  it('transfers by hand, recorded as manual with its reason, then back by the routing rules', async () => {
    const reference = await newCase();
    expect((await read(reference)).department.id).toBe(commune.departments.roads);
    const manual = await transfer(reference, { department: commune.departments.reception, reason: 'Relève de l’accueil' });
    expect(manual.statusCode, manual.body).toBe(200);
    expect(manual.json().department.id).toBe(commune.departments.reception);
    const rerouted = await transfer(reference, { reason: 'Orientation automatique' });
    expect(rerouted.statusCode, rerouted.body).toBe(200);
    expect(rerouted.json().department.id).toBe(commune.departments.roads);
    const transfers = (await journal(reference)).filter((e) => e.type === 'case.transferred').map((e) => e.payload);
    expect(transfers).toEqual([
      { from: commune.departments.roads, to: commune.departments.reception, by: 'manual', rule: null, reason: 'Relève de l’accueil' },
      { from: commune.departments.reception, to: commune.departments.roads, by: 'procedure_default', rule: null, reason: 'Orientation automatique' },
    ]);
  });

  it('names the rule when the rules pick a department', async () => {
    const reference = await newCase('depot_sauvage');
    await transfer(reference, { department: commune.departments.reception, reason: 'Erreur de saisie' });
    const res = await transfer(reference, { reason: 'Réorientation' });
    expect(res.json().department.id).toBe(commune.departments.cleaning);
    expect((await journal(reference)).at(-1)!.payload).toMatchObject({ by: 'rule', rule: 'Dépôts sauvages → Propreté' });
  });

  it('refuses bad requests and changes nothing', async () => {
    const reference = await newCase();
    const other = await makeOrganisation(db, 'autre-ville');
    const foreignDepartment = await makeDepartment(db, other, 'ailleurs');
    const before = await read(reference);
    const eventsBefore = (await journal(reference)).length;
    const cases: [unknown, number, string?][] = [
      [{ department: 99_999, reason: 'Service inconnu' }, 422, 'department'],
      [{ department: foreignDepartment, reason: 'Service d’une autre collectivité' }, 422, 'department'],
      [{ department: commune.departments.roads, reason: 'Même service' }, 409],
      [{ department: commune.departments.reception }, 422, 'reason'],
      [{ department: commune.departments.reception, reason: 'Version périmée', expectedVersion: 99 }, 409],
      [{ department: commune.departments.reception, reason: 'Champ en trop', extra: true }, 422],
    ];
    for (const [body, status, field] of cases) {
      const res = await transfer(reference, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      if (field) expect(JSON.stringify(res.json().errors)).toContain(field);
    }
    const after = await read(reference);
    expect(after.version).toBe(before.version);
    expect((await journal(reference)).length).toBe(eventsBefore);
  });

  it('refuses callers without a token, without the write scope, or from another organisation', async () => {
    const reference = await newCase();
    const body = { department: commune.departments.reception, reason: 'Essai' };
    expect((await app.inject({ method: 'POST', url: `/api/v1/cases/${reference}/transfer`, payload: body })).statusCode).toBe(401);
    expect((await transfer(reference, body, commune.tokens.read)).statusCode).toBe(403);
    const other = await makeOrganisation(db, 'ville-voisine');
    expect((await transfer(reference, body, await makeToken(db, other, ['cases:write']))).statusCode).toBe(404);
    expect((await read(reference)).department.id).toBe(commune.departments.roads);
  });
});
