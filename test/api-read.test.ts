import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune, makeDepartment, makeOrganisation, makeProcedure, makeToken } from './factories.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let otherToken: string;
const references: string[] = [];

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
  // Another organisation with its own token: it must never see the first one's cases.
  const otherOrg = await makeOrganisation(db, 'ville-voisine');
  await makeProcedure(db, otherOrg, await makeDepartment(db, otherOrg, 'voirie-voisine', { reception: true }), { slug: 'signalement-voisin' });
  otherToken = await makeToken(db, otherOrg, ['cases:read', 'cases:write']);

  const categories = ['nid_de_poule', 'depot_sauvage', 'eclairage'];
  for (let i = 0; i < 30; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: auth(commune.tokens.write),
      payload: {
        procedure: 'signalement-voirie',
        channel: i % 3 === 0 ? 'phone' : 'web',
        citizen: null,
        subject: i === 7 ? 'Lampadaire 100% éteint' : undefined,
        receivedAt: new Date(Date.UTC(2026, 0, 5, 9, 0, i)).toISOString(),
        data: { categorie: categories[i % 3], description: `Signalement n° ${i}` },
      },
    });
    expect(res.statusCode).toBe(201);
    references.push(res.json().reference);
  }
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('GET /api/v1/cases', () => {
  it('walks every case exactly once with keyset pagination, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/cases?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.inject({ url, headers: auth(commune.tokens.read) });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.items.map((c: { reference: string }) => c.reference));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(seen).toEqual([...references].reverse());
  });

  it('filters by department, channel, procedure, status and date range', async () => {
    const byDept = await app.inject({ url: `/api/v1/cases?department=${commune.departments.cleaning}&limit=100`, headers: auth(commune.tokens.read) });
    expect(byDept.json().items).toHaveLength(10);
    expect(byDept.json().items.every((c: { department: { id: number } }) => c.department.id === commune.departments.cleaning)).toBe(true);

    const byChannel = await app.inject({ url: '/api/v1/cases?channel=phone&procedure=signalement-voirie&status=new&limit=100', headers: auth(commune.tokens.read) });
    expect(byChannel.json().items).toHaveLength(10);

    const from = new Date(Date.UTC(2026, 0, 5, 9, 0, 10)).toISOString();
    const to = new Date(Date.UTC(2026, 0, 5, 9, 0, 20)).toISOString();
    const byDate = await app.inject({ url: `/api/v1/cases?receivedFrom=${from}&receivedTo=${to}&limit=100`, headers: auth(commune.tokens.read) });
    expect(byDate.json().items).toHaveLength(10);

    const unknownProcedure = await app.inject({ url: '/api/v1/cases?procedure=inconnue', headers: auth(commune.tokens.read) });
    expect(unknownProcedure.json()).toEqual({ items: [], nextCursor: null });
  });

  it('searches by exact reference or by subject text, with LIKE wildcards taken literally', async () => {
    const byRef = await app.inject({ url: `/api/v1/cases?q=${references[3]}`, headers: auth(commune.tokens.read) });
    expect(byRef.json().items.map((c: { reference: string }) => c.reference)).toEqual([references[3]]);
    const byText = await app.inject({ url: `/api/v1/cases?q=${encodeURIComponent('100%')}`, headers: auth(commune.tokens.read) });
    expect(byText.json().items.map((c: { reference: string }) => c.reference)).toEqual([references[7]]);
    const wildcard = await app.inject({ url: `/api/v1/cases?q=${encodeURIComponent('%')}`, headers: auth(commune.tokens.read) });
    expect(wildcard.json().items).toHaveLength(1);
  });

  it('refuses bad filters with field errors', async () => {
    for (const [query, field] of [
      ['limit=0', 'query.limit'],
      ['limit=1000', 'query.limit'],
      ['channel=pigeon', 'query.channel'],
      ['receivedFrom=hier', 'query.receivedFrom'],
      ['cursor=nimporte-quoi', 'query.cursor'],
      ['tri=asc', 'query.tri'],
    ] as const) {
      const res = await app.inject({ url: `/api/v1/cases?${query}`, headers: auth(commune.tokens.read) });
      expect(res.statusCode, query).toBe(422);
      expect(res.json().errors.map((e: { field: string }) => e.field), query).toContain(field);
    }
  });

  it('never shows another organisation’s cases', async () => {
    const res = await app.inject({ url: '/api/v1/cases?limit=100', headers: auth(otherToken) });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([]);
  });
});

describe('authorization on every read route', () => {
  const routes = () => ['/api/v1/cases', `/api/v1/cases/${references[0]}`, `/api/v1/cases/${references[0]}/journal`];

  it('refuses a missing or unknown token with 401', async () => {
    for (const url of routes()) {
      expect((await app.inject({ url })).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: auth('gui_inconnu') })).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: { authorization: 'Basic Zm9vOmJhcg==' } })).statusCode, url).toBe(401);
    }
  });

  it('refuses a token without cases:read with 403', async () => {
    for (const url of routes()) expect((await app.inject({ url, headers: auth(commune.tokens.write) })).statusCode, url).toBe(403);
  });

  it('answers "not found" for another organisation’s case, never revealing it exists', async () => {
    for (const url of routes().slice(1)) {
      const res = await app.inject({ url, headers: auth(otherToken) });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
  });

  it('answers 404 for an unknown reference and 422 for a malformed one', async () => {
    expect((await app.inject({ url: '/api/v1/cases/2026-999999', headers: auth(commune.tokens.read) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/cases/abc', headers: auth(commune.tokens.read) })).statusCode).toBe(422);
  });

  it('does not let a revoked token in', async () => {
    const { tokenRepository } = await import('../src/tokens/repository.js');
    const token = await makeToken(db, commune.organisationId, ['cases:read']);
    expect((await app.inject({ url: '/api/v1/cases', headers: auth(token) })).statusCode).toBe(200);
    const rows = await tokenRepository.list(db.kysely, commune.organisationId);
    await tokenRepository.revoke(db.kysely, rows.at(-1)!.id, new Date().toISOString());
    expect((await app.inject({ url: '/api/v1/cases', headers: auth(token) })).statusCode).toBe(401);
  });

  it('stores tokens hashed, never in clear', async () => {
    const rows = await db.kysely.selectFrom('api_tokens').select('token_hash').execute();
    for (const row of rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.map((r) => r.token_hash)).not.toContain(commune.tokens.read);
  });
});

describe('procedures (public catalogue)', () => {
  it('lists online procedures and reads one with its form, without a token', async () => {
    const list = await app.inject({ url: '/api/v1/procedures' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((p: { slug: string }) => p.slug)).toContain('signalement-voirie');
    const one = await app.inject({ url: '/api/v1/procedures/signalement-voirie' });
    expect(one.statusCode).toBe(200);
    expect(one.json().form.pages[0].fields[0].name).toBe('categorie');
    expect(one.json().department.name).toBe('Voirie');
  });

  it('hides procedures that are not open online', async () => {
    await makeProcedure(db, commune.organisationId, commune.departments.reception, { slug: 'guichet-seulement', isOnline: false });
    const list = await app.inject({ url: '/api/v1/procedures' });
    expect(list.json().items.map((p: { slug: string }) => p.slug)).not.toContain('guichet-seulement');
    expect((await app.inject({ url: '/api/v1/procedures/guichet-seulement' })).statusCode).toBe(404);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: auth(commune.tokens.write),
      payload: { procedure: 'guichet-seulement', citizen: null, data: { categorie: 'autre', precision: 'x', description: 'y' } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('procedure_closed');
  });
});

describe('operations and documentation', () => {
  it('answers liveness and readiness', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });

  it('publishes an OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const spec = res.json();
    expect(spec.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/cases', '/api/v1/cases/{reference}', '/api/v1/cases/{reference}/journal', '/api/v1/procedures', '/api/v1/procedures/{slug}', '/api/v1/attachments']) {
      expect(spec.paths, path).toHaveProperty([path]);
    }
    expect(spec.paths['/api/v1/cases'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('procedure');
    expect(spec.components.securitySchemes.bearer.scheme).toBe('bearer');
  });

  it('serves the browsable docs from local files, no CDN', async () => {
    const page = await app.inject({ url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)[a-z0-9.-]+\/[^"']*\.(js|css)/i);
    const asset = await app.inject({ url: '/api/docs/static/swagger-ui-bundle.js' });
    expect(asset.statusCode).toBe(200);
  });

  it('documents each problem type', async () => {
    const res = await app.inject({ url: '/api/problems/validation_failed' });
    expect(res.json()).toMatchObject({ code: 'validation_failed', status: 422 });
    expect((await app.inject({ url: '/api/problems/toString' })).statusCode).toBe(404);
  });

  it('answers unknown routes with a problem', async () => {
    const res = await app.inject({ url: '/api/v1/nulle-part' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
