import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db, { BODY_LIMIT: '65536' });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const validBody = () => ({
  procedure: 'signalement-voirie',
  citizen: { civility: 'Mme', firstNames: 'Élise', lastName: 'Durand', email: 'elise.durand@example.fr', phone: '06 12 34 56 78' },
  data: { categorie: 'nid_de_poule', description: 'Un trou profond devant le n° 12.', position: { lat: 47.39, lon: 0.69 } },
});

function post(body: unknown, token: string | null = commune.tokens.write, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function counts() {
  const count = async (table: 'cases' | 'case_journal' | 'outbox' | 'citizens') =>
    Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { cases: await count('cases'), journal: await count('case_journal'), outbox: await count('outbox'), citizens: await count('citizens') };
}

describe('POST /api/v1/cases', () => {
  it('creates a case with its journal and outbox row, and names the routing rule', async () => {
    const before = await counts();
    const res = await post(validBody());
    expect(res.statusCode).toBe(201);
    const receipt = res.json();
    expect(receipt.reference).toMatch(/^\d{4}-\d{6}$/);
    expect(receipt.trackingCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(receipt.department.name).toBe('Voirie');
    expect(receipt.routing).toEqual({ by: 'procedure_default', rule: 'Service responsable de la démarche (Voirie)' });
    expect(receipt.dueAt > receipt.receivedAt).toBe(true);
    expect(res.headers.location).toBe(`/api/v1/cases/${receipt.reference}`);

    const after = await counts();
    expect(after.cases - before.cases).toBe(1);
    expect(after.outbox - before.outbox).toBe(1);
    expect(after.citizens - before.citizens).toBe(1);

    const journal = await app.inject({ url: `/api/v1/cases/${receipt.reference}/journal`, headers: { authorization: `Bearer ${commune.tokens.read}` } });
    expect(journal.statusCode).toBe(200);
    const events = journal.json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['case.created', 'citizen.matched', 'case.routed']);
    expect(events[0].actor.type).toBe('integration');
    expect(events[2].payload.rule).toBe('Service responsable de la démarche (Voirie)');

    const read = await app.inject({ url: `/api/v1/cases/${receipt.reference}`, headers: { authorization: `Bearer ${commune.tokens.read}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      reference: receipt.reference,
      channel: 'api',
      status: 'new',
      procedure: { slug: 'signalement-voirie' },
      location: { lat: 47.39, lon: 0.69 },
      data: { categorie: 'nid_de_poule' },
    });
    expect(read.json()).not.toHaveProperty('trackingCode');
  });

  it('routes by a rule on field values and records the rule by name', async () => {
    const body = validBody();
    body.data.categorie = 'depot_sauvage';
    const res = await post(body);
    expect(res.statusCode).toBe(201);
    expect(res.json().routing).toEqual({ by: 'rule', rule: 'Dépôts sauvages → Propreté' });
    expect(res.json().department.id).toBe(commune.departments.cleaning);
  });

  it('never binds a request to an existing citizen on a declared e-mail: a new record, flagged for an agent (ADR 0002)', async () => {
    const first = await post(validBody());
    const second = await post(validBody());
    expect(second.json().citizen.id).not.toBe(first.json().citizen.id);
    expect(second.json().citizen).toMatchObject({ matchedBy: 'created', possibleDuplicateOf: first.json().citizen.id });
  });

  it('flags, never merges, a weak match (same email, other person)', async () => {
    const original = await post(validBody());
    const body = validBody();
    body.citizen.firstNames = 'Marc';
    body.citizen.lastName = 'Lefèvre';
    const other = await post(body);
    expect(other.statusCode).toBe(201);
    expect(other.json().citizen.id).not.toBe(original.json().citizen.id);
    expect(other.json().citizen.matchedBy).toBe('created');
    expect(other.json().citizen.possibleDuplicateOf).not.toBeNull();
  });

  it('accepts an anonymous street report', async () => {
    const res = await post({ ...validBody(), citizen: null });
    expect(res.statusCode).toBe(201);
    expect(res.json().citizen).toBeNull();
  });

  it('numbers cases in sequence within the year', async () => {
    const a = (await post(validBody())).json().reference as string;
    const b = (await post(validBody())).json().reference as string;
    expect(Number(b.split('-')[1])).toBe(Number(a.split('-')[1]) + 1);
  });
});

describe('bad input: a 4xx problem+json and no row written', () => {
  const cases: [string, () => ReturnType<typeof post>, number, string, string?][] = [
    ['malformed JSON', () => post('{"procedure": "signalement-voirie",'), 400, 'malformed_json'],
    [
      'wrong content type',
      () =>
        app.inject({ method: 'POST', url: '/api/v1/cases', headers: { 'content-type': 'text/plain', authorization: `Bearer ${commune.tokens.write}` }, payload: 'bonjour' }),
      415,
      'unsupported_media_type',
    ],
    ['body over the size limit', () => post({ ...validBody(), data: { ...validBody().data, description: 'x'.repeat(70_000) } }), 413, 'payload_too_large'],
    ['unknown procedure', () => post({ ...validBody(), procedure: 'inconnue' }), 422, 'unknown_procedure', 'procedure'],
    ['missing required field', () => post({ ...validBody(), data: { categorie: 'eclairage' } }), 422, 'validation_failed', 'data.description'],
    ['invalid email', () => post({ ...validBody(), citizen: { ...validBody().citizen, email: 'pas-une-adresse' } }), 422, 'validation_failed', 'citizen.email'],
    ['invalid phone', () => post({ ...validBody(), citizen: { ...validBody().citizen, phone: '12' } }), 422, 'validation_failed', 'citizen.phone'],
    [
      'invalid postcode',
      () => post({ ...validBody(), citizen: { ...validBody().citizen, address: { line1: '1 rue Haute', postcode: '7500', city: 'Paris' } } }),
      422,
      'validation_failed',
      'citizen.address.postcode',
    ],
    ['invalid date', () => post({ ...validBody(), data: { ...validBody().data, constate: '2026-02-30' } }), 422, 'validation_failed', 'data.constate'],
    ['value outside the options', () => post({ ...validBody(), data: { ...validBody().data, categorie: 'volcan' } }), 422, 'validation_failed', 'data.categorie'],
    [
      'hidden conditional field sent anyway',
      () => post({ ...validBody(), data: { ...validBody().data, precision: 'ne devrait pas être là' } }),
      422,
      'validation_failed',
      'data.precision',
    ],
    ['unknown top-level field', () => post({ ...validBody(), admin: true }), 422, 'validation_failed', 'admin'],
    ['unknown form field', () => post({ ...validBody(), data: { ...validBody().data, bonus: 1 } }), 422, 'validation_failed', 'data.bonus'],
    ['missing token', () => post(validBody(), null), 401, 'unauthenticated'],
    ['bad token', () => post(validBody(), 'gui_pas-un-vrai-jeton'), 401, 'unauthenticated'],
    ['token without the scope', () => post(validBody(), commune.tokens.read), 403, 'forbidden'],
    ['citizen with no way to answer', () => post({ ...validBody(), citizen: { firstNames: 'Jean', lastName: 'Sans-Contact' } }), 422, 'validation_failed', 'citizen.email'],
    ['receivedAt that is not a date', () => post({ ...validBody(), receivedAt: 'hier' }), 422, 'validation_failed', 'receivedAt'],
    ['unknown attachment', () => post({ ...validBody(), data: { ...validBody().data, photo: ['AAAAAAAAAAAAAAAAAAAAAA'] } }), 422, 'validation_failed', 'data.photo'],
  ];

  for (const [name, send, status, code, field] of cases) {
    it(name, async () => {
      const before = await counts();
      const res = await send();
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = res.json();
      expect(problem).toMatchObject({ status, code, type: `/api/problems/${code}` });
      expect(problem.title).toMatch(/[a-zé]/);
      if (field) {
        const fields = (problem.errors ?? []).map((e: { field: string }) => e.field);
        expect(fields).toContain(field);
        for (const e of problem.errors) expect(e.message).toMatch(/\.$/);
      }
      expect(await counts()).toEqual(before);
    });
  }

  it('refuses an anonymous request for a procedure that needs a citizen', async () => {
    const { procedureRepository } = await import('../src/procedures/repository.js');
    const { streetReportForm } = await import('./factories.js');
    await procedureRepository.insert(
      db.kysely,
      {
        organisationId: commune.organisationId,
        slug: 'contact',
        title: 'Nous contacter',
        category: 'Contact',
        description: 'Une question',
        form: streetReportForm,
        departmentId: commune.departments.reception,
        target: { value: 5, unit: 'business_days' },
        silence: { regime: 'none', delay: null },
        retentionDays: 365,
        allowAnonymous: false,
        isOnline: true,
        isLocated: false,
      },
      new Date().toISOString(),
    );
    const before = await counts();
    const res = await post({ ...validBody(), procedure: 'contact', citizen: null });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('citizen');
    expect(await counts()).toEqual(before);
  });
});

describe('idempotency', () => {
  it('20 concurrent identical requests with one key create exactly one case', async () => {
    const before = await counts();
    const key = `cle-${Date.now()}`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(validBody(), commune.tokens.write, { 'idempotency-key': key })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const references = new Set(responses.map((r) => r.json().reference));
    expect(references.size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    const after = await counts();
    expect(after.cases - before.cases).toBe(1);
    expect(after.outbox - before.outbox).toBe(1);
  });

  it('the same key with another body is refused', async () => {
    const key = `cle-autre-${Date.now()}`;
    expect((await post(validBody(), commune.tokens.write, { 'idempotency-key': key })).statusCode).toBe(201);
    const body = validBody();
    body.data.description = 'Autre chose';
    const before = await counts();
    const res = await post(body, commune.tokens.write, { 'idempotency-key': key });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('idempotency_key_reused');
    expect(await counts()).toEqual(before);
  });

  it('keys are scoped to the token: two integrations may use the same key', async () => {
    const key = `cle-partagee-${Date.now()}`;
    const a = await post(validBody(), commune.tokens.write, { 'idempotency-key': key });
    const b = await post(validBody(), commune.tokens.all, { 'idempotency-key': key });
    expect(a.json().reference).not.toBe(b.json().reference);
  });
});
