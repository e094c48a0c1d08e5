import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundRepository } from '../src/channels/inbound-repository.js';
import { webhookCommand } from '../src/channels/webhooks/cli.js';
import { download } from '../src/channels/webhooks/fetch.js';
import { OutboundClient } from '../src/http/outbound.js';
import { addSource } from '../src/channels/webhooks/service.js';
import { webhooksStatus } from '../src/channels/webhooks/status.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';

// A 1×1 PNG and a tiny JPEG: real files, so the attachment service's type sniffing accepts them.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);

let db: Db;
let app: App;
let organisationId: number;
let files: http.Server;
let filesUrl: string;
let decidimSecret: string;
let facebookSecret: string;
const config = loadConfig({ LOG_LEVEL: 'silent' });
const mappings = path.join(import.meta.dirname, '..', 'docs', 'channels', 'webhook-mappings');

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  // The files are served on 127.0.0.1: allowlisted here (refused by default, tested below).
  app = await testApp(db, { WEBHOOKS_FETCH_TIMEOUT_MS: '2000', ATTACHMENT_MAX_BYTES: '1048576', OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' });
  files = http.createServer((request, response) => {
    if (request.url === '/photos/lilas.png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (request.url === '/photos/nid.jpg') return void response.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG);
    if (request.url === '/photos/enorme.png') {
      // 2 MB (the limit is 1 MB here), streamed without a length: the limit must hold while reading, not only from the header.
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(PNG);
      for (let i = 0; i < 32; i += 1) response.write(Buffer.alloc(64 * 1024));
      return void response.end();
    }
    if (request.url === '/photos/lente.png') {
      response.writeHead(200, { 'content-type': 'image/png' });
      return void response.write(PNG.subarray(0, 8)); // never ends
    }
    if (request.url === '/docs/note.txt') return void response.writeHead(200, { 'content-type': 'image/png' }).end('Ceci est un texte, pas une image.');
    if (request.url === '/redirige') return void response.writeHead(302, { location: '/photos/lilas.png' }).end();
    if (request.url === '/boucle') return void response.writeHead(302, { location: '/boucle' }).end();
    response.writeHead(404).end('introuvable');
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const address = files.address();
  filesUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // The Decidim source is declared as a town's administrator would: through the command line.
  const output = await captureConsole(() =>
    webhookCommand(db, config, ['add', '--slug', 'decidim', '--name', 'Decidim Démo', '--mapping', path.join(mappings, 'decidim.json'), '--procedure', 'contact']),
  );
  expect(output.code).toBe(0);
  decidimSecret = output.stdout.trim().split('\n').pop() ?? '';
  expect(decidimSecret).toMatch(/^[0-9a-f]{64}$/);

  // The Facebook relay signs like GitHub and Facebook themselves: X-Hub-Signature-256 over the body alone.
  ({ secret: facebookSecret } = await addSource(db, organisationId, {
    slug: 'facebook',
    name: 'Page Facebook de la ville',
    mapping: JSON.parse(fs.readFileSync(path.join(mappings, 'facebook-relay.json'), 'utf8')),
    procedureSlug: 'signalement-voirie',
    signatureHeader: 'X-Hub-Signature-256',
    signatureFormat: 'body',
    deliveryHeader: '',
  }));
});

afterAll(async () => {
  await app?.close();
  files?.closeAllConnections();
  await new Promise((resolve) => files?.close(resolve));
  await db?.close();
});

async function captureConsole(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  try {
    const code = await run();
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Posts as Guichet's own scheme asks a relay to sign: HMAC-SHA256(secret, timestamp + "." + body). */
function postGuichet(slug: string, secret: string, payload: unknown, options: { timestamp?: number; delivery?: string; signature?: string } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = options.signature ?? `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return app.inject({
    method: 'POST',
    url: `/channels/webhooks/${slug}`,
    headers: {
      'content-type': 'application/json',
      'x-guichet-timestamp': timestamp,
      'x-guichet-signature': signature,
      ...(options.delivery ? { 'x-guichet-delivery': options.delivery } : {}),
    },
    payload: body,
  });
}

/** Posts as Facebook (and GitHub) sign: X-Hub-Signature-256: sha256=HMAC(secret, body). */
function postHub(slug: string, secret: string, payload: unknown) {
  const body = JSON.stringify(payload);
  return app.inject({
    method: 'POST',
    url: `/channels/webhooks/${slug}`,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
    payload: body,
  });
}

function decidimProposal(id: number, overrides: Record<string, unknown> = {}) {
  return {
    event: 'decidim.events.proposals.proposal_published',
    event_id: `evt-${id}`,
    resource: {
      id,
      type: 'Decidim::Proposals::Proposal',
      title: { fr: 'Un abri pour les vélos devant la médiathèque' },
      body: { fr: 'Beaucoup de vélos sont attachés aux grilles faute de place : un abri couvert serait bienvenu.' },
      url: `https://participer.ville-de-demo.fr/processes/budget-2026/f/12/proposals/${id}`,
      published_at: '2026-11-28T10:15:00Z',
      address: '3 place de la Médiathèque, 99100 Démo-sur-Loire',
      latitude: 47.392,
      longitude: 0.688,
      attachments: [
        { url: `${filesUrl}/photos/lilas.png`, filename: 'mediatheque.png', content_type: 'image/png' },
        { url: `${filesUrl}/photos/disparue.png`, filename: 'disparue.png', content_type: 'image/png' },
      ],
      ...overrides,
    },
    author: { name: 'Jeanne Dupont', nickname: '@jdupont', email: 'jeanne.dupont@example.fr' },
  };
}

function facebookComment(commentId: string) {
  return {
    object: 'page',
    entry: [
      {
        id: '104512345678',
        time: 1764325800,
        changes: [
          {
            field: 'feed',
            value: {
              item: 'comment',
              verb: 'add',
              comment_id: commentId,
              post_id: '104512345678_998877',
              parent_id: '104512345678_998877',
              created_time: 1764325800,
              from: { id: '7788990011', name: 'Paul Martin' },
              message: 'Énorme nid-de-poule rue des Lilas devant le numéro 8, attention aux vélos !',
              photo: `${filesUrl}/photos/nid.jpg`,
              place: { name: '8 rue des Lilas, Démo-sur-Loire', location: { latitude: 47.3905, longitude: 0.6921 } },
            },
          },
        ],
      },
    ],
  };
}

async function caseByReference(reference: string) {
  return db.kysely.selectFrom('cases').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
}

async function inboundRows() {
  return db.kysely.selectFrom('channel_inbound').selectAll().orderBy('id').execute();
}

async function countOf(table: 'cases' | 'channel_inbound') {
  return Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

describe('POST /channels/webhooks/<source>', () => {
  it('turns a Decidim proposal into a case on channel social: author, text, location, source URL, attachment', async () => {
    const res = await postGuichet('decidim', decidimSecret, decidimProposal(42), { delivery: 'decidim-delivery-42' });
    expect(res.statusCode).toBe(201);
    const { reference, status } = res.json();
    expect(status).toBe('created');

    const created = await caseByReference(reference);
    expect(created.channel).toBe('social');
    expect(created.subject).toBe('Un abri pour les vélos devant la médiathèque');
    expect(created.contact_email).toBe('jeanne.dupont@example.fr');
    expect(created.citizen_id).not.toBeNull();
    expect(created.address).toBe('3 place de la Médiathèque, 99100 Démo-sur-Loire');
    expect(created.lat).toBeCloseTo(47.392);
    expect(created.lon).toBeCloseTo(0.688);
    expect(created.received_at).toMatch(/^2026-11-28T10:15:00/);
    const data = JSON.parse(created.data) as Record<string, unknown>;
    expect(data).toMatchObject({ sujet: 'suggestion', message: expect.stringContaining('abri couvert'), reponse: 'courriel' });

    const procedure = await db.kysely.selectFrom('procedures').select('slug').where('id', '=', created.procedure_id).executeTakeFirstOrThrow();
    expect(procedure.slug).toBe('contact');
    const citizen = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', created.citizen_id).executeTakeFirstOrThrow();
    expect(citizen).toMatchObject({ id: created.citizen_id });

    // The downloaded picture is the case's, in the form's file field; the missing one is noted with its URL.
    const attachments = await db.kysely.selectFrom('attachments').selectAll().where('case_id', '=', created.id).execute();
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ mime_type: 'image/png', filename: 'mediatheque.png', size: PNG.length });
    expect(data['pieceJointe']).toEqual([attachments[0]?.id]);

    const journal = await db.kysely.selectFrom('case_journal').selectAll().where('case_id', '=', created.id).orderBy('seq').execute();
    const note = journal.find((e) => e.type === 'note');
    expect(journal.find((e) => e.type === 'case.created')?.actor_id).toBe('webhook:decidim');
    const payload = JSON.parse(note?.payload ?? '{}') as Record<string, unknown>;
    expect(payload['sourceUrl']).toBe('https://participer.ville-de-demo.fr/processes/budget-2026/f/12/proposals/42');
    expect(payload['author']).toEqual({ name: 'Jeanne Dupont', handle: '@jdupont' });
    expect(payload['text']).toContain('Lien d’origine : https://participer.ville-de-demo.fr/processes/budget-2026/f/12/proposals/42');
    expect(payload['text']).toContain(`Pièce jointe non récupérée (réponse HTTP 404) : ${filesUrl}/photos/disparue.png`);

    const receipt = (await inboundRows()).find((r) => r.external_id === 'decidim:decidim-delivery-42');
    expect(receipt).toMatchObject({ channel: 'social', source: 'webhook:decidim', status: 'created', case_id: created.id, sender: 'jeanne.dupont@example.fr' });
  });

  it('turns a Facebook page comment, signed like GitHub (X-Hub-Signature-256 over the body), into an anonymous located street report with its photo', async () => {
    const res = await postHub('facebook', facebookSecret, facebookComment('998877_1001'));
    expect(res.statusCode).toBe(201);
    const created = await caseByReference(res.json().reference);
    expect(created.channel).toBe('social');
    expect(created.citizen_id).toBeNull();
    expect(created.lat).toBeCloseTo(47.3905);
    expect(created.lon).toBeCloseTo(0.6921);
    expect(created.address).toBe('8 rue des Lilas, Démo-sur-Loire');
    const data = JSON.parse(created.data) as Record<string, unknown>;
    expect(data).toMatchObject({ categorie: 'nid_de_poule', description: expect.stringContaining('rue des Lilas'), danger: false });
    const photos = await db.kysely.selectFrom('attachments').selectAll().where('case_id', '=', created.id).execute();
    expect(photos.map((p) => [p.mime_type, p.filename])).toEqual([['image/jpeg', 'nid.jpg']]);
    const note = await db.kysely.selectFrom('case_journal').select('payload').where('case_id', '=', created.id).where('type', '=', 'note').executeTakeFirstOrThrow();
    expect(JSON.parse(note.payload)).toMatchObject({
      sourceUrl: 'https://www.facebook.com/104512345678_998877?comment_id=998877_1001',
      author: { name: 'Paul Martin', handle: 'facebook:7788990011' },
    });
    const receipt = (await inboundRows()).find((r) => r.case_id === created.id);
    expect(receipt).toMatchObject({ source: 'webhook:facebook', external_id: 'facebook:998877_1001', status: 'created' });
  });

  it('never fails a delivery for its attachments: too large, too slow, refused type or one too many, each is noted with its URL', async () => {
    const notFetched = async (id: number, attachments: { url: string; filename: string }[]) => {
      const res = await postGuichet('decidim', decidimSecret, decidimProposal(id, { attachments }), { delivery: `decidim-delivery-${id}` });
      expect(res.statusCode).toBe(201);
      const created = await caseByReference(res.json().reference);
      expect(await db.kysely.selectFrom('attachments').select('id').where('case_id', '=', created.id).execute()).toEqual([]);
      const note = await db.kysely.selectFrom('case_journal').select('payload').where('case_id', '=', created.id).where('type', '=', 'note').executeTakeFirstOrThrow();
      return JSON.parse(note.payload).attachmentsNotFetched as unknown;
    };
    expect(
      await notFetched(53, [
        { url: `${filesUrl}/photos/enorme.png`, filename: 'enorme.png' },
        { url: `${filesUrl}/photos/lente.png`, filename: 'lente.png' },
        { url: `${filesUrl}/photos/lilas.png`, filename: 'lilas.png' },
      ]),
    ).toEqual([
      { url: `${filesUrl}/photos/enorme.png`, reason: 'fichier trop volumineux' },
      { url: `${filesUrl}/photos/lente.png`, reason: 'délai dépassé' },
      // The contact form takes two files at most.
      { url: `${filesUrl}/photos/lilas.png`, reason: 'nombre maximal de fichiers atteint' },
    ]);
    expect(await notFetched(54, [{ url: `${filesUrl}/docs/note.txt`, filename: 'note.png' }])).toEqual([
      { url: `${filesUrl}/docs/note.txt`, reason: 'Formats acceptés : PDF, JPEG, PNG.' },
    ]);
  });

  it('fetches from internal addresses only when allowlisted, and follows no redirect', async () => {
    const options = { maxBytes: 1_000_000, timeoutMs: 2000 };
    const strictOutbound = new OutboundClient([]);
    const allowed = new OutboundClient(['127.0.0.0/8']);
    await expect(download(strictOutbound, `${filesUrl}/photos/lilas.png`, options)).rejects.toThrow('adresse interne ou réservée refusée (127.0.0.1)');
    await expect(download(strictOutbound, `${filesUrl.replace('127.0.0.1', 'localhost')}/photos/lilas.png`, options)).rejects.toThrow('adresse interne ou réservée refusée');
    await expect(download(strictOutbound, 'http://169.254.169.254/latest/meta-data/', options)).rejects.toThrow('adresse interne ou réservée refusée (169.254.169.254)');
    expect(await download(allowed, `${filesUrl}/photos/lilas.png`, options)).toEqual(PNG);
    // Even an allowed host cannot send us elsewhere: the redirect itself is the refusal.
    await expect(download(allowed, `${filesUrl}/redirige`, options)).rejects.toThrow('redirection refusée (HTTP 302 vers /photos/lilas.png)');
    await expect(download(allowed, `${filesUrl}/boucle`, options)).rejects.toThrow('redirection refusée');

    // With the default configuration, the delivery still makes its case; the refused file is noted.
    const strict = await testApp(db);
    try {
      const body = JSON.stringify(decidimProposal(55));
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await strict.inject({
        method: 'POST',
        url: '/channels/webhooks/decidim',
        headers: { 'content-type': 'application/json', 'x-guichet-timestamp': timestamp, 'x-guichet-signature': `sha256=${createHmac('sha256', decidimSecret).update(`${timestamp}.${body}`).digest('hex')}` },
        payload: body,
      });
      expect(res.statusCode).toBe(201);
      const created = await caseByReference(res.json().reference);
      const note = await db.kysely.selectFrom('case_journal').select('payload').where('case_id', '=', created.id).where('type', '=', 'note').executeTakeFirstOrThrow();
      expect(JSON.parse(note.payload).attachmentsNotFetched).toEqual([
        { url: `${filesUrl}/photos/lilas.png`, reason: expect.stringContaining('adresse interne ou réservée refusée (127.0.0.1)') },
        { url: `${filesUrl}/photos/disparue.png`, reason: expect.stringContaining('adresse interne ou réservée refusée (127.0.0.1)') },
      ]);
    } finally {
      await strict.close();
    }
  });

  it('gives the same case for a replayed delivery, and creates nothing new', async () => {
    const first = await postGuichet('decidim', decidimSecret, decidimProposal(43), { delivery: 'decidim-delivery-43' });
    expect(first.statusCode).toBe(201);
    const [cases, receipts] = [await countOf('cases'), await countOf('channel_inbound')];
    const again = await postGuichet('decidim', decidimSecret, decidimProposal(43), { delivery: 'decidim-delivery-43' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ reference: first.json().reference, status: 'replayed' });
    // A relay retrying without its own delivery header: the mapped delivery id (event_id) still catches it.
    const facebook = await postHub('facebook', facebookSecret, facebookComment('998877_1001'));
    expect(facebook.statusCode).toBe(200);
    expect(facebook.json().status).toBe('replayed');
    expect(await countOf('cases')).toBe(cases);
    expect(await countOf('channel_inbound')).toBe(receipts);
  });

  it('refuses a bad or missing signature with 401 and records nothing', async () => {
    const before = await countOf('channel_inbound');
    const forged = await postGuichet('decidim', 'not-the-secret', decidimProposal(44));
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    expect(forged.json()).toMatchObject({ status: 401, detail: 'Signature absente ou invalide.' });
    const tampered = await postGuichet('decidim', decidimSecret, decidimProposal(44), { signature: 'sha256=00' });
    expect(tampered.statusCode).toBe(401);
    const unsigned = await app.inject({ method: 'POST', url: '/channels/webhooks/decidim', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(decidimProposal(44)) });
    expect(unsigned.statusCode).toBe(401);
    // Guichet's scheme signed with the right secret but the Facebook source expects its own header.
    const wrongScheme = await postGuichet('facebook', facebookSecret, facebookComment('998877_1002'));
    expect(wrongScheme.statusCode).toBe(401);
    expect(await countOf('channel_inbound')).toBe(before);
  });

  it('refuses a stale or future timestamp with 401 (replay protection), records nothing', async () => {
    const before = await countOf('channel_inbound');
    const stale = await postGuichet('decidim', decidimSecret, decidimProposal(45), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().detail).toBe('Horodatage absent ou hors de la fenêtre de cinq minutes.');
    const future = await postGuichet('decidim', decidimSecret, decidimProposal(45), { timestamp: Math.floor(Date.now() / 1000) + 400 });
    expect(future.statusCode).toBe(401);
    const withinWindow = await postGuichet('decidim', decidimSecret, decidimProposal(45), { timestamp: Math.floor(Date.now() / 1000) - 240 });
    expect(withinWindow.statusCode).toBe(201);
    expect(await countOf('channel_inbound')).toBe(before + 1);
  });

  it('refuses a body over WEBHOOKS_MAX_BODY_BYTES with 413, recording nothing', async () => {
    const before = await countOf('channel_inbound');
    const huge = decidimProposal(51, { body: { fr: 'x'.repeat(300_000) } });
    const res = await postGuichet('decidim', decidimSecret, huge, { delivery: 'decidim-delivery-51' });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(await countOf('channel_inbound')).toBe(before);
  });

  it('finishes a delivery whose first attempt was recorded but never settled (a crash), with one case', async () => {
    // What a process killed between receipt and commit leaves behind: a pending receipt, no case.
    await inboundRepository.insert(
      db.kysely,
      { organisationId, channel: 'social', source: 'webhook:decidim', externalId: 'decidim:decidim-delivery-52', sender: null, summary: null, payload: decidimProposal(52) },
      new Date().toISOString(),
    );
    const cases = await countOf('cases');
    const res = await postGuichet('decidim', decidimSecret, decidimProposal(52), { delivery: 'decidim-delivery-52' });
    expect(res.statusCode).toBe(201);
    expect(await countOf('cases')).toBe(cases + 1);
    const rows = (await inboundRows()).filter((r) => r.external_id === 'decidim:decidim-delivery-52');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'created', case_id: (await caseByReference(res.json().reference)).id });
  });

  it('answers 404 problem+json for an unknown source', async () => {
    const res = await postGuichet('inconnue', decidimSecret, decidimProposal(46));
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toBe('Aucune source de webhook active à cette adresse.');
  });

  it('quarantines a delivery whose mapping yields invalid data, answering 422 with French messages', async () => {
    const res = await postGuichet('decidim', decidimSecret, decidimProposal(47, { body: { fr: 'Court' }, title: { fr: '' } }), { delivery: 'decidim-delivery-47' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['data.objet', 'data.message']));
    const row = (await inboundRows()).find((r) => r.external_id === 'decidim:decidim-delivery-47');
    expect(row).toMatchObject({ status: 'quarantined', reason: 'validation_failed', case_id: null });
    expect(row?.error).toContain('data.message');
    // Refused before any download: no stored file is left without a case.
    expect(await db.kysely.selectFrom('attachments').select('id').where('case_id', 'is', null).execute()).toEqual([]);
    // The delivery itself is kept, as received.
    expect(JSON.parse(row?.payload ?? '{}')).toMatchObject({ event_id: 'evt-47' });
    // Sent again, it stays one quarantined row and gets the same refusal.
    const again = await postGuichet('decidim', decidimSecret, decidimProposal(47, { body: { fr: 'Court' }, title: { fr: '' } }), { delivery: 'decidim-delivery-47' });
    expect(again.statusCode).toBe(422);
    expect((await inboundRows()).filter((r) => r.external_id === 'decidim:decidim-delivery-47')).toHaveLength(1);
  });

  it('quarantines a body that is not JSON (400) and a mapping output of the wrong type (422)', async () => {
    const broken = await postGuichet('decidim', decidimSecret, '{"event_id": "evt-48", ', { delivery: 'decidim-delivery-48' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().detail).toBe('Le corps de l’envoi n’est pas un JSON valide : il est conservé en quarantaine.');
    expect((await inboundRows()).find((r) => r.external_id === 'decidim:decidim-delivery-48')).toMatchObject({ status: 'quarantined', reason: 'invalid_json' });

    const badPoint = await postGuichet('decidim', decidimSecret, decidimProposal(49, { latitude: 'au nord', attachments: [{ url: 'file:///etc/passwd' }] }), { delivery: 'decidim-delivery-49' });
    expect(badPoint.statusCode).toBe(422);
    expect(badPoint.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'location.lat', message: '« location.lat » doit être un nombre entre -90 et 90.' }),
        expect.objectContaining({ field: 'attachments[0].url' }),
      ]),
    );
    expect((await inboundRows()).find((r) => r.external_id === 'decidim:decidim-delivery-49')).toMatchObject({ status: 'quarantined', reason: 'mapping_failed' });
  });

  it('stops a looping mapping expression at its depth budget and quarantines the delivery', async () => {
    await addSource(db, organisationId, {
      slug: 'boucle',
      name: 'Source en boucle',
      mapping: { text: '( $f := function($n) { $f($n + 1) }; $f(0) )' },
      procedureSlug: 'signalement-voirie',
    });
    const secret = (await db.kysely.selectFrom('webhook_sources').select('secret').where('slug', '=', 'boucle').executeTakeFirstOrThrow()).secret;
    const started = Date.now();
    const res = await postGuichet('boucle', secret, { id: 1 }, { delivery: 'boucle-1' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'mapping.text', code: 'evaluation_failed' });
    expect((await inboundRows()).find((r) => r.external_id === 'boucle:boucle-1')).toMatchObject({ status: 'quarantined', reason: 'mapping_failed' });
  });

  it('fills the triage procedure\'s form from the text when the mapping gives no form answers', async () => {
    const { secret } = await addSource(db, organisationId, {
      slug: 'quartier',
      name: 'Appli du quartier',
      mapping: { text: 'post.body', subject: 'post.title', 'author.email': 'user.mail', 'author.name': 'user.display', sourceUrl: 'post.link', deliveryId: 'post.id' },
    });
    const res = await postGuichet('quartier', secret, {
      post: { id: 'p-77', title: 'Horaires de la piscine', body: 'La piscine ouvre-t-elle le dimanche matin pendant les vacances ?', link: 'https://quartier.example/p/77' },
      user: { mail: 'lea.petit@example.fr', display: 'Léa Petit' },
    });
    expect(res.statusCode).toBe(201);
    const created = await caseByReference(res.json().reference);
    const procedure = await db.kysely.selectFrom('procedures').select('slug').where('id', '=', created.procedure_id).executeTakeFirstOrThrow();
    expect(procedure.slug).toBe('contact');
    expect(JSON.parse(created.data)).toEqual({
      sujet: 'autre',
      objet: 'Horaires de la piscine',
      message: 'La piscine ouvre-t-elle le dimanche matin pendant les vacances ?',
      reponse: 'courriel',
    });
    expect(created.contact_email).toBe('lea.petit@example.fr');
  });

  it('falls back to the triage procedure when the mapping names a procedure that does not exist, and says so on the case', async () => {
    const { secret } = await addSource(db, organisationId, {
      slug: 'quartier-bis',
      name: 'Appli du quartier (bis)',
      mapping: { procedure: 'post.kind', text: 'post.body', 'author.phone': 'user.phone', data: "{ 'inconnu': post.body }" },
    });
    const res = await postGuichet('quartier-bis', secret, { post: { kind: 'demande-de-banc', body: 'Pourrait-on installer un banc place des Tilleuls ?' }, user: { phone: '06 11 22 33 44' } });
    expect(res.statusCode).toBe(201);
    const created = await caseByReference(res.json().reference);
    expect(JSON.parse(created.data)).toMatchObject({ sujet: 'autre', message: 'Pourrait-on installer un banc place des Tilleuls ?', reponse: 'telephone' });
    const note = await db.kysely.selectFrom('case_journal').select('payload').where('case_id', '=', created.id).where('type', '=', 'note').executeTakeFirstOrThrow();
    expect(JSON.parse(note.payload).text).toContain('La démarche « demande-de-banc » désignée par l’envoi n’existe pas');
  });

  it('refuses an anonymous author for a procedure that needs a contact: quarantined with the reason', async () => {
    const anonymous = decidimProposal(50);
    anonymous.author = { name: 'Anonyme', nickname: '@anonyme', email: '' };
    const res = await postGuichet('decidim', decidimSecret, anonymous, { delivery: 'decidim-delivery-50' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'author', code: 'required' });
    expect((await inboundRows()).find((r) => r.external_id === 'decidim:decidim-delivery-50')).toMatchObject({ status: 'quarantined' });
  });
});

describe('guichet channels webhook', () => {
  it('refuses at add a mapping that does not compile, or with an unknown key, and adds nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-mapping-'));
    const file = path.join(dir, 'mapping.json');
    fs.writeFileSync(file, JSON.stringify({ text: 'message.(', auteur: 'from.name' }));
    const res = await captureConsole(() => webhookCommand(db, config, ['add', '--slug', 'cassee', '--name', 'Cassée', '--mapping', file]));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('La source n’a pas été ajoutée.');
    expect(res.stderr).toContain('mapping.text : L’expression de « text » ne se compile pas');
    expect(res.stderr).toContain('mapping.auteur : Clé inconnue « auteur »');
    expect(await db.kysely.selectFrom('webhook_sources').select('id').where('slug', '=', 'cassee').executeTakeFirst()).toBeUndefined();
  });

  it('lists sources with their last delivery and no secret; the status says which are active', async () => {
    const res = await captureConsole(() => webhookCommand(db, config, ['list']));
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^decidim\tactive\tDecidim Démo\tdémarche : contact\tsignature : X-Guichet-Signature \(timestamp\.body\)\tdernier envoi : \d{4}-/m);
    expect(res.stdout).toMatch(/^facebook\tactive\t.*X-Hub-Signature-256 \(body\)/m);
    expect(res.stdout).not.toContain(decidimSecret);
    const status = await webhooksStatus({ db: db.kysely, config, organisationId });
    expect(status.find((s) => s.label.includes('Decidim Démo'))).toMatchObject({ state: 'active', detail: expect.stringMatching(/dernier envoi : \d{4}-/) });
  });

  it('rotates a secret (the old one stops working) and disables a source (404 afterwards)', async () => {
    const rotated = await captureConsole(() => webhookCommand(db, config, ['rotate-secret', 'facebook']));
    expect(rotated.code).toBe(0);
    const newSecret = rotated.stdout.trim().split('\n').pop() ?? '';
    expect(newSecret).toMatch(/^[0-9a-f]{64}$/);
    expect((await postHub('facebook', facebookSecret, facebookComment('998877_2001'))).statusCode).toBe(401);
    expect((await postHub('facebook', newSecret, facebookComment('998877_2001'))).statusCode).toBe(201);
    facebookSecret = newSecret;

    const disabled = await captureConsole(() => webhookCommand(db, config, ['disable', 'facebook']));
    expect(disabled.code).toBe(0);
    const res = await postHub('facebook', facebookSecret, facebookComment('998877_2002'));
    expect(res.statusCode).toBe(404);
    const status = await webhooksStatus({ db: db.kysely, config, organisationId });
    expect(status.find((s) => s.label.includes('Facebook'))?.state).toBe('off');
    expect((await captureConsole(() => webhookCommand(db, config, ['disable', 'inconnue']))).code).toBe(1);
  });
});
