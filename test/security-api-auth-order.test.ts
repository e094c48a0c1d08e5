/**
 * Audit (issue 13, finding 15): the API validated a request before authenticating it, so a
 * stranger got a 422 listing the fields a route expects. Every bearer-protected operation of the
 * OpenAPI document is tried with an invalid body and query: no token → 401, a token without the
 * scope → 403, and only a token with every scope gets as far as validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { SCOPES } from '../src/tokens/service.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune, makeToken } from './factories.js';

const CTI_TOKEN = 'jeton-telephonie-de-test-assez-long';

let db: Db;
let app: App;
let outsider: string;
let everything: string;

interface Operation {
  method: string;
  path: string;
  url: string;
}

let operations: Operation[] = [];

beforeAll(async () => {
  db = await freshDb();
  const commune = await makeCommune(db);
  // `open311` opens none of the /api routes: the token of a real client, of the wrong kind.
  outsider = await makeToken(db, commune.organisationId, ['open311']);
  everything = await makeToken(db, commune.organisationId, [...SCOPES]);
  app = await testApp(db, { CTI_TOKEN });
  const document = app.swagger() as { paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>> };
  operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod)
      .filter(([, operation]) => (operation.security ?? []).some((requirement) => 'bearer' in requirement))
      .map(([method, _operation]) => ({
        method: method.toUpperCase(),
        path,
        // Path parameters get a plausible value; the query an invalid one, the body an unknown field.
        url: `${path.replace(/\{[^}]+\}/g, 'VOIR-2026-000001')}?limit=-5&since=pas-une-date&format=zip&filename=${'x'.repeat(400)}&inconnu=1`,
      })),
  );
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const send = (operation: Operation, token: string | null) =>
  app.inject({
    method: operation.method as 'GET' | 'POST' | 'PUT',
    url: operation.url,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(operation.method === 'GET' ? {} : { payload: JSON.stringify({ champInconnu: true, version: 'pas un nombre' }) }),
  });

describe('API: authentication runs before validation', () => {
  it('finds the protected operations in the OpenAPI document, writes among them', () => {
    const writes = operations.filter((o) => o.method !== 'GET').map((o) => `${o.method} ${o.path}`);
    expect(writes).toEqual(
      expect.arrayContaining([
        'POST /api/v1/cases',
        'POST /api/v1/attachments',
        'POST /api/v1/cases/{reference}/transitions/{name}',
        'PUT /api/v1/procedures/{slug}/workflow',
        'POST /api/v1/cases/{reference}/transfer',
      ]),
    );
  });

  it('answers 401 without a token, whatever the body and query, on every protected operation', async () => {
    for (const operation of operations) {
      const res = await send(operation, null);
      expect(res.statusCode, `${operation.method} ${operation.path}`).toBe(401);
      expect(res.headers['content-type'], `${operation.method} ${operation.path}`).toContain('application/problem+json');
      expect(res.body).not.toContain('"errors"');
    }
  });

  it('answers 401 to an unknown token before validating', async () => {
    for (const operation of operations) {
      expect((await send(operation, 'jeton-inconnu')).statusCode, `${operation.method} ${operation.path}`).toBe(401);
    }
  });

  it('answers 403 to a token without the scope before validating, on every /api operation', async () => {
    for (const operation of operations.filter((o) => o.path.startsWith('/api/'))) {
      const res = await send(operation, outsider);
      expect(res.statusCode, `${operation.method} ${operation.path}`).toBe(403);
      expect(res.json()).toMatchObject({ code: 'forbidden' });
    }
  });

  it('lets the same write requests past authentication once the token has every scope, to be refused as invalid', async () => {
    for (const operation of operations.filter((o) => o.path.startsWith('/api/') && o.method !== 'GET')) {
      const res = await send(operation, everything);
      // Past the gate the request is refused as invalid (or its target unknown): the 401/403 above came from the gate.
      expect([400, 404, 415, 422], `${operation.method} ${operation.path}: ${res.body}`).toContain(res.statusCode);
    }
  });
});
