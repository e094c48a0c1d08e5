/**
 * Audit finding 6, replayed: the public Open311 feed listed every case of an exposed procedure —
 * phone, counter and signed-in portal requests included — with their full description. It now shows
 * only reports whose submitter was told they are public (sent through Open311, or through a portal
 * form that says so at the time), without any way to reach the reporter.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open311Command } from '../src/channels/open311/cli.js';
import type { Channel } from '../src/cases/repository.js';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune, type DemoSummary } from '../src/demo/commune.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { VISITOR_COOKIE } from '../src/portal/session.js';
import { createToken } from '../src/tokens/service.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { csrfOf, signedInCitizen } from './portal-session.js';

let db: Db;
let app: App;
let demo: DemoSummary;
let apiKey: string;
let writeToken: string;

beforeAll(async () => {
  db = await freshDb();
  demo = await seedDemoCommune(db);
  apiKey = (await createToken(db.kysely, demo.organisationId, 'Appli Signalement', ['open311'])).token;
  writeToken = (await createToken(db.kysely, demo.organisationId, 'circuit', ['cases:read', 'cases:write'])).token;
  app = await testApp(db, { PUBLIC_URL: 'https://demarches.ville-demo.fr' });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Every public view of one reference: the list, by id, in both formats. */
async function feedShows(reference: string): Promise<boolean> {
  const byId = await get(`/open311/v2/requests/${reference}.json`);
  const listed = (await get('/open311/v2/requests.json')).json() as { service_request_id: string }[];
  const xml = (await get(`/open311/v2/requests.xml?service_request_id=${reference}`)).body;
  const shown = [byId.statusCode === 200, listed.some((r) => r.service_request_id === reference), xml.includes(reference)];
  expect(new Set(shown).size, `${reference}: the views disagree`).toBe(1);
  return shown[0]!;
}

/** Every body the feed answers, for a search of names and contacts. */
async function allFeedBodies(): Promise<string> {
  const urls = ['/open311/v2/requests.json', '/open311/v2/requests.xml', '/open311/v2/servicerequestupdates.json', '/open311/v2/servicerequestupdates.xml'];
  return (await Promise.all(urls.map(async (url) => (await get(url)).body))).join('\n').toLowerCase();
}

/** A signed-out visitor's street report through the portal form, up to « Envoyer »; returns the review page and the reference. */
async function portalReport(description: string, cookie = `${VISITOR_COOKIE}=${randomBytes(18).toString('base64url')}`) {
  const signedOut = cookie.startsWith(VISITOR_COOKIE);
  const csrf = csrfOf((await app.inject({ method: 'GET', url: '/demarches/signalement-voirie', headers: { cookie } })).body);
  const post = (url: string, fields: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: csrf, ...fields }) });
  const started = await post('/demarches/signalement-voirie/commencer', {});
  expect(started.statusCode).toBe(303);
  const first = started.headers.location as string;
  const base = first.replace(/\/[^/]+$/, '');
  const steps: [string, Record<string, string>][] = [
    ['probleme', { categorie: 'nid_de_poule', description, danger: 'false' }],
    ['lieu', { 'localisation.address': '4 place de la Mairie, Démo-sur-Loire', 'localisation.lat': '47.3941', 'localisation.lon': '0.6848', repere: '' }],
    ['photos', {}],
  ];
  for (const [id, fields] of steps) {
    const step = await post(`${base}/${id}`, { ...fields, _nav: 'next' });
    expect(step.statusCode, `${id}: ${step.body}`).toBe(303);
  }
  if (signedOut) {
    const contact = await post(`${base}/coordonnees`, { mode: 'anonyme', emailAnonyme: '', _nav: 'next' });
    expect(contact.statusCode, contact.body).toBe(303);
  }
  const review = await app.inject({ method: 'GET', url: `${base}/recapitulatif`, headers: { cookie } });
  expect(review.statusCode).toBe(200);
  const sent = await post(`${base}/recapitulatif`, { declaration: 'oui' });
  expect(sent.statusCode, sent.body).toBe(303);
  const draftId = /\/brouillons\/([^/]+)/.exec(first)![1]!;
  const draft = await db.kysely.selectFrom('form_drafts').select('case_id').where('id', '=', draftId).executeTakeFirstOrThrow();
  const row = await db.kysely.selectFrom('cases').select('reference').where('id', '=', draft.case_id!).executeTakeFirstOrThrow();
  return { review: review.body, reference: row.reference };
}

/** A report of the exposed procedure recorded by an agent or an integration, on another channel. */
async function reportOn(channel: Channel, who: { firstNames: string; lastName: string; email: string; phone: string }) {
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris' },
    {
      organisationId: demo.organisationId,
      procedureSlug: 'signalement-voirie',
      channel,
      actor: { type: 'system', id: null },
      citizen: who,
      data: {
        categorie: 'nid_de_poule',
        description: `Trou signalé par ${who.firstNames} ${who.lastName}, joignable au ${who.phone}`,
        danger: false,
        localisation: { lat: 47.3941, lon: 0.6848, address: '9 impasse des Secrets, Démo-sur-Loire' },
      },
      location: { address: '9 impasse des Secrets, Démo-sur-Loire' },
      hiddenFields: 'drop',
    },
  );
  return receipt.reference;
}

describe('the public Open311 feed', () => {
  it('never shows phone, counter, postal mail, e-mail, social or API reports of an exposed procedure', async () => {
    const channels: Channel[] = ['phone', 'counter', 'mail', 'email', 'social', 'api', 'mobile'];
    const references = await Promise.all(
      channels.map((channel, i) => reportOn(channel, { firstNames: 'Odile', lastName: `Secrète${i}`, email: `odile.secrete${i}@example.fr`, phone: `06 12 34 56 7${i}` })),
    );
    for (const reference of references) expect(await feedShows(reference), reference).toBe(false);
    const viaApi = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/json' },
      payload: {
        procedure: 'signalement-voirie',
        citizen: { firstNames: 'Odile', lastName: 'Api', email: 'odile.api@example.fr' },
        data: { categorie: 'nid_de_poule', description: 'Signalé par l’API', danger: false, localisation: { lat: 47.3941, lon: 0.6848 } },
      },
    });
    expect(viaApi.statusCode, viaApi.body).toBe(201);
    expect(await feedShows(viaApi.json().reference)).toBe(false);

    // Their status changes stay private too.
    const start = new Date(Date.now() - 60_000).toISOString();
    const moved = await app.inject({ method: 'POST', url: `/api/v1/cases/${references[0]}/transitions/qualifier`, headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/json' }, payload: {} });
    expect(moved.statusCode, moved.body).toBe(200);
    const updates = (await get(`/open311/v2/servicerequestupdates.json?start_date=${encodeURIComponent(start)}`)).json() as { service_request_id: string }[];
    expect(updates.map((u) => u.service_request_id)).not.toContain(references[0]);

    const bodies = await allFeedBodies();
    for (const secret of ['odile', 'secrète', 'secrete', '9 impasse des secrets', '06 12 34 56', '+3361234567']) expect(bodies).not.toContain(secret);
  });

  it('never shows a portal report sent while the form did not say reports are public, even once it does', async () => {
    expect(await open311Command(db, app.ctx.config, ['public', 'signalement-voirie', 'non'])).toBe(0);
    const visitor = await portalReport('Trou devant chez moi, au 3 rue Privée');
    expect(visitor.review).not.toContain('Votre signalement sera public');
    const citizen = await signedInCitizen(db, demo.organisationId, { firstNames: 'Agathe', lastName: 'Compte' });
    const signedIn = await portalReport('Trou signalé depuis mon compte', citizen.cookie);

    expect(await open311Command(db, app.ctx.config, ['public', 'signalement-voirie', 'oui'])).toBe(0);
    expect(await feedShows(visitor.reference)).toBe(false);
    expect(await feedShows(signedIn.reference)).toBe(false);
    expect(await allFeedBodies()).not.toContain('rue privée');
  });

  it('shows a portal report whose review page said it is public, without the contacts written in it', async () => {
    expect(await open311Command(db, app.ctx.config, ['public', 'signalement-voirie', 'oui'])).toBe(0);
    const report = await portalReport('Grand trou. Rappelez-moi au 06 98 76 54 32 ou à marc.voisin@example.fr');
    expect(report.review).toContain('Votre signalement sera public');
    expect(report.review).toContain('Votre nom et vos coordonnées ne sont jamais publiés');
    expect(await feedShows(report.reference)).toBe(true);
    const [shown] = (await get(`/open311/v2/requests/${report.reference}.json`)).json() as { description: string; address: string }[];
    expect(shown!.description).toBe('Grand trou. Rappelez-moi au [masqué] ou à [masqué]');
    expect(shown!.address).toBe('4 place de la Mairie, Démo-sur-Loire');
    expect(await allFeedBodies()).not.toContain('marc.voisin');
  });

  it('shows reports sent through Open311, without the reporter or the contacts they typed', async () => {
    const sent = await app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        api_key: apiKey,
        service_code: 'voirie',
        lat: '47.3941',
        long: '0.6848',
        description: 'Lampadaire cassé, écrivez-moi : lucie.rapport@example.fr',
        email: 'lucie.rapport@example.fr',
        first_name: 'Lucie',
        last_name: 'Rapport',
        phone: '06 55 44 33 22',
        'attribute[categorie]': 'nid_de_poule',
        'attribute[danger]': 'false',
      }),
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const reference = (sent.json() as { service_request_id: string }[])[0]!.service_request_id;
    expect(await feedShows(reference)).toBe(true);
    const bodies = await allFeedBodies();
    for (const secret of ['lucie', 'rapport@', '06 55 44 33 22', '+33655443322']) expect(bodies).not.toContain(secret);
  });
});
