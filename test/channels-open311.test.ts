/**
 * Open311 GeoReport v2 on the demo commune, driven with HTTP requests shaped as the spec and
 * street-report applications send them (form-encoded POSTs with attribute[code]), every endpoint
 * in XML and JSON; the created case followed into the back-office inbox and through a status change.
 */
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune, type DemoSummary } from '../src/demo/commune.js';
import { DEMO_PROCEDURES } from '../src/demo/procedures/index.js';
import { createRng } from '../src/demo/prng.js';
import type { App } from '../src/http/context.js';
import { createToken } from '../src/tokens/service.js';
import { open311Command } from '../src/channels/open311/cli.js';
import { open311Status } from '../src/channels/open311/status.js';
import { testApp } from './app.js';
import { signedInAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeOrganisation } from './factories.js';
import { signedInCitizen } from './portal-session.js';

let db: Db;
let app: App;
let demo: DemoSummary;
let apiKey: string;
let workflowToken: string;
let readOnlyKey: string;

const parser = new XMLParser({ isArray: (name) => ['service', 'request', 'error', 'attribute', 'value', 'request_update', 'endpoint', 'format'].includes(name), parseTagValue: false });
// Parsed XML is walked by element names in the assertions, which are what check its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const xml = (body: string) => parser.parse(body) as Record<string, any>;

beforeAll(async () => {
  db = await freshDb();
  demo = await seedDemoCommune(db);
  apiKey = (await createToken(db.kysely, demo.organisationId, 'Appli Signalement', ['open311'])).token;
  readOnlyKey = (await createToken(db.kysely, demo.organisationId, 'lecture', ['cases:read'])).token;
  workflowToken = (await createToken(db.kysely, demo.organisationId, 'circuit', ['cases:read', 'cases:write'])).token;
  app = await testApp(db, { PUBLIC_URL: 'https://demarches.ville-demo.fr' });
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

const REPORTER = { email: 'jeanne.reporter@example.fr', first_name: 'Jeanne', last_name: 'Rapporteuse', phone: '06 11 22 33 44' };

function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  return params.toString();
}

function post(format: 'json' | 'xml', fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form(fields) });
}

const pothole = (extra: Record<string, string> = {}) => ({
  api_key: apiKey,
  service_code: 'voirie',
  lat: '47.3941',
  long: '0.6848',
  address_string: '12 rue des Tilleuls, 37000 Démo-sur-Loire',
  description: 'Un nid-de-poule profond devant le numéro 12, dangereux pour les vélos.',
  'attribute[categorie]': 'nid_de_poule',
  'attribute[danger]': 'true',
  ...extra,
});

const get = (url: string) => app.inject({ method: 'GET', url });

describe('discovery and services', () => {
  it('publishes the discovery document in JSON and XML', async () => {
    const json = await get('/open311/v2/discovery.json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.json()).toMatchObject({
      changeset: expect.any(String),
      contact: expect.any(String),
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: 'https://demarches.ville-demo.fr/open311/v2', type: 'production', formats: ['text/xml', 'application/json'] }],
    });
    const res = await get('/open311/v2/discovery.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/xml/);
    const doc = xml(res.body);
    expect(doc.discovery.endpoints.endpoint[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', type: 'production' });
    expect(doc.discovery.endpoints.endpoint[0].formats.format).toEqual(['text/xml', 'application/json']);
  });

  it('lists the street-report procedure as a service, in JSON and XML', async () => {
    const json = await get('/open311/v2/services.json');
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual([
      { service_code: 'voirie', service_name: 'Signaler un problème sur la voie publique', description: expect.any(String), metadata: true, type: 'realtime', keywords: expect.any(String), group: 'Cadre de vie' },
    ]);
    const doc = xml((await get('/open311/v2/services.xml')).body);
    expect(doc.services.service).toHaveLength(1);
    expect(doc.services.service[0]).toMatchObject({ service_code: 'voirie', metadata: 'true', type: 'realtime', group: 'Cadre de vie' });
  });

  it('gives the service definition: form fields as attributes, in JSON and XML', async () => {
    const res = await get('/open311/v2/services/voirie.json');
    expect(res.statusCode).toBe(200);
    const definition = res.json();
    expect(definition.service_code).toBe('voirie');
    const codes = definition.attributes.map((a: { code: string }) => a.code);
    expect(codes).toEqual(['categorie', 'detailEclairage', 'detailSignalisation', 'detailDepot', 'danger', 'repere']);
    const categorie = definition.attributes[0];
    expect(categorie).toMatchObject({ variable: true, datatype: 'singlevaluelist', required: true, order: 1, description: 'Type de problème' });
    expect(categorie.values).toContainEqual({ key: 'nid_de_poule', name: 'Nid-de-poule ou chaussée dégradée' });
    expect(definition.attributes[1]).toMatchObject({
      code: 'detailEclairage',
      required: false,
      datatype_description: 'Demandé seulement si attribute[categorie] (« Type de problème ») vaut « Éclairage public » ; ignoré sinon.',
    });
    expect(definition.attributes[4]).toMatchObject({ code: 'danger', datatype: 'singlevaluelist', required: true, values: [{ key: 'true', name: 'Oui' }, { key: 'false', name: 'Non' }] });
    expect(definition.attributes[5]).toMatchObject({ code: 'repere', datatype: 'string', required: false });

    const doc = xml((await get('/open311/v2/services/voirie.xml')).body);
    expect(doc.service_definition.service_code).toBe('voirie');
    expect(doc.service_definition.attributes.attribute.map((a: { code: string }) => a.code)).toEqual(codes);
    expect(doc.service_definition.attributes.attribute[0].values.value[0]).toEqual({ key: 'nid_de_poule', name: 'Nid-de-poule ou chaussée dégradée' });
  });

  it('answers an unknown service or jurisdiction with 404 in the spec’s error format', async () => {
    const json = await get('/open311/v2/services/inconnu.json');
    expect(json.statusCode).toBe(404);
    expect(json.json()).toEqual([{ code: 404, description: 'service_code « inconnu » inconnu.' }]);
    const res = await get('/open311/v2/services/inconnu.xml');
    expect(res.statusCode).toBe(404);
    expect(xml(res.body).errors.error).toEqual([{ code: '404', description: 'service_code « inconnu » inconnu.' }]);
    expect((await get('/open311/v2/services.json?jurisdiction_id=ailleurs')).statusCode).toBe(404);
    const { slug } = await db.kysely.selectFrom('organisations').select('slug').where('id', '=', demo.organisationId).executeTakeFirstOrThrow();
    const named = await get(`/open311/v2/services.json?jurisdiction_id=${slug}`);
    expect(named.statusCode).toBe(200);
    expect(named.json()).toHaveLength(1);
    expect((await get('/open311/v2/services.csv')).statusCode).toBe(404);
    const unknownPath = await get('/open311/v2/inconnu.xml');
    expect(unknownPath.statusCode).toBe(404);
    expect(xml(unknownPath.body).errors.error[0].code).toBe('404');
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/open311/v2/services.json' });
    expect(wrongMethod.statusCode).toBe(404);
    expect(wrongMethod.json()[0].code).toBe(404);
  });
});

describe('POST requests: refusals', () => {
  it('refuses a POST without api_key with 403 in the spec’s format, XML and JSON, and creates nothing', async () => {
    const before = await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const { api_key: _k, ...withoutKey } = pothole();
    const json = await post('json', withoutKey);
    expect(json.statusCode).toBe(403);
    expect(json.json()).toEqual([{ code: 403, description: expect.stringContaining('api_key') }]);
    const res = await post('xml', withoutKey);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/xml/);
    expect(xml(res.body).errors.error[0]).toMatchObject({ code: '403', description: expect.stringContaining('api_key') });
    const after = await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses an unknown api_key and a token without the open311 scope with 403', async () => {
    const unknown = await post('json', pothole({ api_key: 'gui_inconnu' }));
    expect(unknown.statusCode).toBe(403);
    expect(unknown.json()[0].code).toBe(403);
    const wrongScope = await post('xml', pothole({ api_key: readOnlyKey }));
    expect(wrongScope.statusCode).toBe(403);
    expect(xml(wrongScope.body).errors.error[0].description).toContain('open311');
  });

  it('refuses a key used for another organisation’s jurisdiction, whose lists stay its own', async () => {
    await makeOrganisation(db, 'autre-ville');
    const res = await post('json', pothole({ jurisdiction_id: 'autre-ville' }));
    expect(res.statusCode).toBe(403);
    expect(res.json()[0].description).toContain('jurisdiction_id');
    expect((await get('/open311/v2/services.json?jurisdiction_id=autre-ville')).json()).toEqual([]);
    expect((await get('/open311/v2/requests.json?jurisdiction_id=autre-ville')).json()).toEqual([]);
  });

  it('answers 400 for a missing or unknown service_code, with the receipt kept as refused', async () => {
    const missing = await post('json', pothole({ service_code: '' }));
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual([{ code: 400, description: 'service_code manquant.' }]);
    const unknown = await post('xml', pothole({ service_code: 'piscine' }));
    expect(unknown.statusCode).toBe(400);
    expect(xml(unknown.body).errors.error[0]).toEqual({ code: '400', description: 'service_code « piscine » inconnu.' });
    const refused = await db.kysely.selectFrom('channel_inbound').selectAll().where('channel', '=', 'open311').where('status', '=', 'ignored').execute();
    expect(refused.some((r) => r.reason === 'refused' && r.error?.includes('piscine'))).toBe(true);
  });

  it('says in French which attribute is wrong, and refuses unknown attributes and missing places', async () => {
    const bad = await post('json', pothole({ 'attribute[categorie]': 'ovni', 'attribute[danger]': 'peut-être' }));
    expect(bad.statusCode).toBe(400);
    const descriptions = bad.json().map((e: { description: string }) => e.description);
    expect(descriptions).toContainEqual(expect.stringMatching(/^attribute\[categorie\] : /));
    expect(descriptions).toContainEqual('attribute[danger] : Répondez par oui ou par non.');

    const missing = await post('json', pothole({ 'attribute[categorie]': '' }));
    expect(missing.statusCode).toBe(400);
    expect(missing.json()[0].description).toMatch(/^attribute\[categorie\] : /);

    const unknown = await post('xml', pothole({ 'attribute[couleur]': 'rouge' }));
    expect(unknown.statusCode).toBe(400);
    expect(xml(unknown.body).errors.error[0].description).toBe('attribute[couleur] : cet attribut n’existe pas pour ce service.');

    const { lat: _lat, long: _long, address_string: _a, ...nowhere } = pothole();
    const noPlace = await post('json', nowhere);
    expect(noPlace.statusCode).toBe(400);
    expect(noPlace.json()[0].description).toContain('lat et long');

    const badLat = await post('json', pothole({ lat: '123', long: 'abc' }));
    expect(badLat.statusCode).toBe(400);

    const shortDescription = await post('json', pothole({ description: 'Trou' }));
    expect(shortDescription.statusCode).toBe(400);
    expect(shortDescription.json()[0].description).toMatch(/^description : /);

    const badEmail = await post('json', pothole({ email: 'pas-une-adresse' }));
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json()[0].description).toMatch(/^email : /);
  });
});

describe('a request through Open311 with someone else’s e-mail (issue 13)', () => {
  it('lands on a record of its own, flagged as a possible duplicate, never in the victim’s « Mes demandes »', async () => {
    const victim = await signedInCitizen(db, demo.organisationId, { email: 'odile.victime@example.fr', firstNames: 'Odile', lastName: 'Victime' });
    const res = await post('json', pothole({ email: victim.email, first_name: 'Odile', last_name: 'Victime' }));
    expect(res.statusCode, res.body).toBe(201);
    const reference = res.json()[0].service_request_id as string;
    const row = await db.kysely.selectFrom('cases').select('citizen_id').where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(row.citizen_id).not.toBeNull();
    expect(row.citizen_id).not.toBe(victim.citizenId);
    const record = await db.kysely.selectFrom('citizens').select('possible_duplicate_of').where('id', '=', row.citizen_id!).executeTakeFirstOrThrow();
    expect(record.possible_duplicate_of).toBe(victim.citizenId);
    expect(await db.kysely.selectFrom('citizen_emails').select('email').where('citizen_id', '=', victim.citizenId).execute()).toEqual([{ email: victim.email }]);
    const list = await app.inject({ method: 'GET', url: '/mes-demandes', headers: { cookie: victim.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(reference);
  });
});

describe('a request through Open311, followed to its status change', () => {
  let reference = '';
  let token = '';

  it('creates the case on channel open311 and answers its id and token (JSON)', async () => {
    const res = await post('json', pothole({ ...REPORTER, media_url: 'https://photos.example.org/p/123.jpg', device_id: 'iphone-42', 'attribute[repere]': 'Devant la boulangerie' }));
    expect(res.statusCode, res.body).toBe(201);
    const [answer] = res.json();
    expect(answer.service_request_id).toMatch(/^\d{4}-\d{6}$/);
    expect(answer.token).toEqual(expect.any(String));
    reference = answer.service_request_id;
    token = answer.token;

    const row = await db.kysely.selectFrom('cases').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(row.channel).toBe('open311');
    expect(row.lat).toBeCloseTo(47.3941);
    const data = JSON.parse(typeof row.data === 'string' ? row.data : JSON.stringify(row.data));
    expect(data).toMatchObject({ categorie: 'nid_de_poule', danger: true, repere: 'Devant la boulangerie', localisation: { lat: 47.3941, lon: 0.6848 } });
    expect(data.description).toContain('https://photos.example.org/p/123.jpg');

    const receipt = await db.kysely.selectFrom('channel_inbound').selectAll().where('external_id', '=', token).executeTakeFirstOrThrow();
    expect(receipt).toMatchObject({ channel: 'open311', source: 'api_key:Appli Signalement', status: 'created', case_id: row.id });
  });

  it('creates one from an XML POST too, anonymous, located by its address only', async () => {
    const { lat: _lat, long: _long, ...byAddress } = pothole({ 'attribute[categorie]': 'eclairage', 'attribute[detailEclairage]': 'eteint', 'attribute[danger]': 'false' });
    const res = await post('xml', byAddress);
    expect(res.statusCode, res.body).toBe(201);
    const doc = xml(res.body);
    expect(doc.service_requests.request[0].service_request_id).toMatch(/^\d{4}-\d{6}$/);
    const row = await db.kysely.selectFrom('cases').selectAll().where('reference', '=', doc.service_requests.request[0].service_request_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel: 'open311', citizen_id: null, address: '12 rue des Tilleuls, 37000 Démo-sur-Loire' });
  });

  it('escapes what the reporter wrote in XML answers', async () => {
    const description = 'Lampadaire <éteint> & câbles à nu, « danger » ]]> près du n° 3.';
    const res = await post('json', pothole({ description }));
    expect(res.statusCode, res.body).toBe(201);
    const reference = res.json()[0].service_request_id;
    const body = (await get(`/open311/v2/requests/${reference}.xml`)).body;
    expect(body).not.toContain('<éteint>');
    expect(xml(body).service_requests.request[0].description).toBe(description);
  });

  it('gives the same case to a retry with the same Idempotency-Key', async () => {
    const first = await post('json', pothole({ 'attribute[categorie]': 'tag' }), { 'idempotency-key': 'essai-1' });
    const second = await post('json', pothole({ 'attribute[categorie]': 'tag' }), { 'idempotency-key': 'essai-1' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()[0].service_request_id).toBe(first.json()[0].service_request_id);
    const cases = await db.kysely.selectFrom('cases').select('id').where('reference', '=', first.json()[0].service_request_id).execute();
    expect(cases).toHaveLength(1);
    const other = await post('json', pothole({ 'attribute[categorie]': 'autre' }), { 'idempotency-key': 'essai-1' });
    expect(other.statusCode).toBe(400);
  });

  it('appears in the back-office inbox of the street department with channel open311', async () => {
    const agent = await signedInAgent(db, demo.organisationId, app.signCookie.bind(app), { roles: [{ departmentId: demo.departments['voirie']!, role: 'agent' }] });
    const res = await app.inject({ method: 'GET', url: '/backoffice/dossiers?canal=open311', headers: { cookie: agent.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(reference);
  });

  it('shows the request by id and by token, without the reporter’s identity (JSON and XML)', async () => {
    const res = await get(`/open311/v2/requests/${reference}.json`);
    expect(res.statusCode).toBe(200);
    const [request] = res.json();
    expect(request).toMatchObject({
      service_request_id: reference,
      status: 'open',
      status_notes: 'Signalement reçu',
      service_name: 'Signaler un problème sur la voie publique',
      service_code: 'voirie',
      agency_responsible: 'Voirie et propreté',
      lat: 47.3941,
      long: 0.6848,
      media_url: 'https://photos.example.org/p/123.jpg',
    });
    for (const secret of ['jeanne', 'Rapporteuse', '06 11', '+33611', 'iphone-42']) expect(res.body.toLowerCase()).not.toContain(secret.toLowerCase());

    const doc = xml((await get(`/open311/v2/requests/${reference}.xml`)).body);
    expect(doc.service_requests.request[0]).toMatchObject({ service_request_id: reference, status: 'open', service_code: 'voirie' });

    const byToken = await get(`/open311/v2/tokens/${token}.json`);
    expect(byToken.json()).toEqual([{ service_request_id: reference, token }]);
    const byTokenXml = xml((await get(`/open311/v2/tokens/${token}.xml`)).body);
    expect(byTokenXml.service_requests.request[0]).toEqual({ service_request_id: reference, token });
    expect((await get('/open311/v2/tokens/inconnu.json')).statusCode).toBe(404);
    expect((await get('/open311/v2/requests/2000-000001.xml')).statusCode).toBe(404);
  });

  it('shows a status change through requests/{id} and servicerequestupdates', async () => {
    const before = (await get(`/open311/v2/requests/${reference}.json`)).json()[0];
    const start = new Date(Date.now() - 60_000).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const moved = await app.inject({ method: 'POST', url: `/api/v1/cases/${reference}/transitions/qualifier`, headers: { authorization: `Bearer ${workflowToken}`, 'content-type': 'application/json' }, payload: {} });
    expect(moved.statusCode, moved.body).toBe(200);

    const after = (await get(`/open311/v2/requests/${reference}.json`)).json()[0];
    expect(after).toMatchObject({ status: 'open', status_notes: 'Signalement pris en compte' });
    expect(after.updated_datetime > before.updated_datetime).toBe(true);

    const updates = await get(`/open311/v2/servicerequestupdates.json?start_date=${encodeURIComponent(start)}`);
    expect(updates.statusCode).toBe(200);
    expect(updates.json()).toContainEqual({ update_id: expect.any(String), service_request_id: reference, status: 'IN_PROGRESS', updated_datetime: after.updated_datetime, description: 'Signalement pris en compte', media_url: '' });

    const closed = await app.inject({
      method: 'POST',
      url: `/api/v1/cases/${reference}/transitions/classer_doublon`,
      headers: { authorization: `Bearer ${workflowToken}`, 'content-type': 'application/json' },
      payload: { inputs: { motif: 'Déjà signalé sous le numéro 2026-000001.' } },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const final = (await get(`/open311/v2/requests/${reference}.xml`)).body;
    expect(xml(final).service_requests.request[0]).toMatchObject({ status: 'closed', status_notes: 'Déjà signalé' });
    expect(final).not.toContain('2026-000001.');

    const doc = xml((await get(`/open311/v2/servicerequestupdates.xml?start_date=${encodeURIComponent(start)}`)).body);
    const mine = doc.service_requests_updates.request_update.filter((u: { service_request_id: string }) => u.service_request_id === reference);
    expect(mine.map((u: { status: string }) => u.status)).toEqual(['IN_PROGRESS', 'DUPLICATE']);
    expect(Number(mine[1].update_id)).toBeGreaterThan(Number(mine[0].update_id));
  });

  it('filters requests by status, service code, dates and ids', async () => {
    const all = (await get('/open311/v2/requests.json')).json() as { service_request_id: string; status: string }[];
    expect(all.map((r) => r.service_request_id)).toContain(reference);
    const open = (await get('/open311/v2/requests.json?status=open')).json() as { service_request_id: string; status: string }[];
    expect(open.every((r) => r.status === 'open')).toBe(true);
    expect(open.map((r) => r.service_request_id)).not.toContain(reference);
    const closed = xml((await get('/open311/v2/requests.xml?status=closed')).body);
    expect(closed.service_requests.request.map((r: { service_request_id: string }) => r.service_request_id)).toContain(reference);
    expect((await get('/open311/v2/requests.json?service_code=autre')).json()).toEqual([]);
    expect((await get('/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z')).json()).toEqual([]);
    expect((await get('/open311/v2/requests.json?end_date=2000-01-01T00:00:00%2B01:00')).json()).toEqual([]);
    const byIds = (await get(`/open311/v2/requests.json?service_request_id=${reference},2000-000001&status=open`)).json();
    expect(byIds.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([reference]);
    const empty = await get('/open311/v2/requests.xml?service_code=autre');
    expect(xml(empty.body).service_requests).toBe('');
    for (const bad of ['status=perdu', 'start_date=hier', 'start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z']) {
      const res = await get(`/open311/v2/requests.json?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()[0].code).toBe(400);
    }
    expect(all.length).toBeLessThanOrEqual(1000);
  });

  it('never shows cases of procedures not exposed as services, nor anyone’s identity', async () => {
    const contact = DEMO_PROCEDURES.find((p) => p.procedure.slug === 'contact')!;
    const data = contact.sample({ rng: createRng(3), today: new Date().toISOString().slice(0, 10), citizen: null, children: [] });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${workflowToken}`, 'content-type': 'application/json' },
      payload: { procedure: 'contact', citizen: { firstNames: 'Paul', lastName: 'Contact', email: 'paul.contact@example.fr' }, data },
    });
    expect(created.statusCode, created.body).toBe(201);
    const hidden = created.json().reference as string;
    expect((await get(`/open311/v2/requests/${hidden}.json`)).statusCode).toBe(404);
    expect((await get(`/open311/v2/requests.json?service_request_id=${hidden}`)).json()).toEqual([]);
    const res = await get('/open311/v2/requests.json');
    const listed = res.json() as { service_code: string; service_request_id: string }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((r) => r.service_code === 'voirie')).toBe(true);
    expect(listed.map((r) => r.service_request_id)).not.toContain(hidden);
    for (const body of [res.body, (await get('/open311/v2/requests.xml')).body, (await get('/open311/v2/servicerequestupdates.xml')).body]) {
      for (const secret of ['jeanne', 'rapporteuse', '+33611223344', 'paul.contact']) expect(body.toLowerCase()).not.toContain(secret);
    }
  });

  it('lets an administrator expose and withdraw a procedure by command', async () => {
    const config = app.ctx.config;
    expect(await open311Command(db, config, ['expose', 'contact', 'contact'])).toBe(0);
    expect((await get('/open311/v2/services.json')).json().map((s: { service_code: string }) => s.service_code).sort()).toEqual(['contact', 'voirie']);
    expect(await open311Command(db, config, ['expose', 'signalement-voirie', 'contact'])).toBe(1);
    expect(await open311Command(db, config, ['expose', 'contact', 'avec.point'])).toBe(1);
    expect(await open311Command(db, config, ['expose', 'inconnue', 'x'])).toBe(1);
    expect(await open311Command(db, config, ['withdraw', 'contact'])).toBe(0);
    expect((await get('/open311/v2/services.json')).json().map((s: { service_code: string }) => s.service_code)).toEqual(['voirie']);
    expect(await open311Command(db, config, ['expose'])).toBe(2);
  });

  it('reports its configuration to the health page', async () => {
    const settings = await open311Status({ db: db.kysely, config: app.ctx.config, organisationId: demo.organisationId });
    expect(settings.map((s) => s.state)).toEqual(['active', 'active']);
    expect(settings[1]!.detail).toContain('1 jeton');
  });
});
