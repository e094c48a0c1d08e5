/**
 * « Mes demandes »: a citizen follows their cases and their household's, whatever the channel,
 * reads a timeline in their own words, answers an information request with a file (the reply
 * moves the case through `onCitizenReply` in the same transaction), downloads what was issued to
 * them, gives their opinion once the case is closed — and never reaches anyone else's case.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAttachment } from '../src/attachments/service.js';
import { firstBrokenLink } from '../src/cases/journal.js';
import { caseRepository } from '../src/cases/repository.js';
import type { Db } from '../src/db/database.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { recordCitizenReply } from '../src/messages/citizen-reply.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { publishWorkflow, runTransition } from '../src/workflow/service.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';
import { csrfOf, signedInCitizen, type TestCitizen } from './portal-session.js';

const workflow: WorkflowDefinition = {
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu (à qualifier)', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'en_cours', label: 'Qualifié par l’équipe B', citizenLabel: 'En cours de traitement', category: 'in_progress' },
    { id: 'attente', label: 'Pièces demandées', citizenLabel: 'En attente de vos pièces', category: 'waiting_citizen', onCitizenReply: 'reprendre' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Demande traitée', category: 'closed_accepted' },
  ],
  transitions: [
    { name: 'prendre', label: 'Prendre en charge', from: ['recu'], to: 'en_cours', roles: ['agent'], inputs: [{ name: 'noteInterne', label: 'Note interne', type: 'textarea' }] },
    {
      name: 'demander',
      label: 'Demander des pièces',
      from: ['recu', 'en_cours'],
      to: 'attente',
      roles: ['agent'],
      inputs: [{ name: 'pieces', label: 'Pièces', type: 'textarea', required: true }],
      actions: [
        {
          type: 'request_information',
          replyWithin: { value: 10, unit: 'calendar_days' },
          message: { subject: 'Dossier {{ case.reference }} : pièces à fournir', body: 'Il nous manque : {{ inputs.pieces }}. Répondez avant le {{ replyBy }}.' },
        },
      ],
    },
    { name: 'reprendre', label: 'Pièces reçues', from: ['attente'], to: 'en_cours', roles: ['agent'] },
    {
      name: 'clore',
      label: 'Clore',
      from: ['en_cours'],
      to: 'clos',
      roles: ['agent'],
      actions: [{ type: 'generate_document', title: 'Attestation de traitement', filename: 'attestation.pdf', body: 'Dossier {{ case.reference }} traité.' }],
    },
  ],
};

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let claire: TestCitizen;
let paul: TestCitizen;
let stranger: TestCitizen;
let householdId: number;
const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' });
const agent = () => ({ organisationId: commune.organisationId, actor: { type: 'agent' as const, id: '7' }, roles: ['agent' as const], name: 'Agent Bernadette Secrète' });

async function submit(citizenId: number, channel: 'web' | 'phone' = 'web', description = 'Lampadaire éteint') {
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel,
    actor: channel === 'phone' ? { type: 'agent', id: '7' } : { type: 'citizen', id: String(citizenId) },
    citizen: null,
    citizenId,
    data: { categorie: 'eclairage', description },
    hiddenFields: 'drop',
  });
  return receipt.reference;
}

const move = (reference: string, name: string, inputs: Record<string, unknown> = {}) => runTransition(deps(), agent(), { reference, name, inputs });
const HTML = { accept: 'text/html,application/xhtml+xml' };
const get = (url: string, who?: TestCitizen) => app.inject({ method: 'GET', url, headers: { ...HTML, ...(who ? { cookie: who.cookie } : {}) } });
const postForm = (url: string, who: TestCitizen, form: Record<string, string>) =>
  app.inject({ method: 'POST', url, headers: { ...HTML, cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });
/** Posts the reply form (multipart, as the page sends it). */
const postReply = (reference: string, who: TestCitizen, fields: Record<string, string>, files: Parameters<typeof multipart>[1] = []) => {
  const form = multipart(fields, files);
  return app.inject({ method: 'POST', url: `/demandes/${reference}/messages`, headers: { ...HTML, cookie: who.cookie, ...form.headers }, payload: form.payload });
};

/** A multipart form as a browser sends it: fields in order, then files. */
function multipart(fields: Record<string, string>, files: { filename: string; type: string; bytes: Buffer }[] = []) {
  const boundary = `----guichet${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="${file.filename}"\r\ncontent-type: ${file.type}\r\n\r\n`), file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function csrfFor(who: TestCitizen, url = '/mes-demandes'): Promise<string> {
  return csrfOf((await get(url, who)).body);
}

async function addMember(citizen: TestCitizen, firstNames: string, lastName: string) {
  await db.kysely
    .insertInto('household_members')
    .values({ household_id: householdId, citizen_id: citizen.citizenId, role: 'adult', relationship: 'conjoint', first_names: firstNames, last_name: lastName, birth_date: '1980-01-01', created_at: new Date().toISOString() })
    .execute();
}

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', workflow, 'test');
  householdId = (await db.kysely.insertInto('households').values({ organisation_id: commune.organisationId, name: 'Foyer Martin', created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow()).id;
  claire = await signedInCitizen(db, commune.organisationId, { firstNames: 'Claire', lastName: 'Martin', householdId });
  paul = await signedInCitizen(db, commune.organisationId, { firstNames: 'Paul', lastName: 'Martin', householdId });
  stranger = await signedInCitizen(db, commune.organisationId, { firstNames: 'Inès', lastName: 'Autre' });
  await addMember(claire, 'Claire', 'Martin');
  await addMember(paul, 'Paul', 'Martin');
  app = await testApp(db);
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('« Mes demandes »: the list', () => {
  it('lists my cases of every channel and my household’s under their name, not other people’s', async () => {
    const web = await submit(claire.citizenId, 'web', 'Trou rue des Lilas');
    const phone = await submit(claire.citizenId, 'phone', 'Appel au sujet du lampadaire');
    const pauls = await submit(paul.citizenId, 'web', 'Dépôt devant le garage');
    const others = await submit(stranger.citizenId, 'web', 'Autre chose');

    const res = await get('/mes-demandes', claire);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    for (const reference of [web, phone, pauls]) expect(res.body).toContain(`href="/demandes/${reference}"`);
    expect(res.body).not.toContain(others);
    expect(res.body).toContain('Par téléphone');
    expect(res.body).toContain('<dt>Pour</dt><dd>Paul Martin</dd>');
    expect(res.body).toContain('Demande reçue');
    expect(res.body).toContain('href="/mes-brouillons"');
    // Newest first.
    expect(res.body.indexOf(pauls)).toBeLessThan(res.body.indexOf(web));

    const theirs = await get('/mes-demandes', stranger);
    expect(theirs.body).toContain(others);
    expect(theirs.body).not.toContain(web);
  });

  it('filters open and finished cases', async () => {
    const finished = await submit(claire.citizenId, 'web', 'Déjà réglé');
    await move(finished, 'prendre');
    await move(finished, 'clore');
    const open = await get('/mes-demandes?etat=en-cours', claire);
    const closed = await get('/mes-demandes?etat=terminees', claire);
    expect(open.body).not.toContain(finished);
    expect(closed.body).toContain(finished);
    expect(closed.body).toContain('Demande traitée');
    expect(closed.body).toMatch(/aria-current="page"[^>]*>Terminées</);
  });

  it('pages by fifty, newest first, with a link to older cases', async () => {
    const busy = await signedInCitizen(db, commune.organisationId, { firstNames: 'Marc' });
    const references: string[] = [];
    for (let i = 0; i < 53; i += 1) references.push(await submit(busy.citizenId, 'web', `Demande ${i}`));
    const first = await get('/mes-demandes', busy);
    const links = (html: string) => [...html.matchAll(/href="\/demandes\/([^"]+)"/g)].map((m) => m[1]);
    expect(links(first.body)).toHaveLength(50);
    expect(links(first.body)[0]).toBe(references.at(-1));
    const next = /href="(\/mes-demandes\?apres=[^"]+)"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const second = await get(next!.replace(/&amp;/g, '&'), busy);
    expect(links(second.body)).toEqual(references.slice(0, 3).reverse());
    expect(second.body).not.toContain('Demandes plus anciennes');
    // A forged cursor is ignored, not an error.
    expect((await get('/mes-demandes?apres=%27%3B--', busy)).statusCode).toBe(200);
  });

  it('sends a signed-out visitor to the sign-in page and back', async () => {
    const res = await get('/mes-demandes');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/connexion?retour=%2Fmes-demandes');
    const page = await get('/demandes/2025-000001');
    expect(page.headers.location).toBe(`/connexion?retour=${encodeURIComponent('/demandes/2025-000001')}`);
  });
});

describe('« Mes demandes »: a case and its information request', () => {
  let reference: string;

  beforeAll(async () => {
    reference = await submit(claire.citizenId, 'web', 'Lampadaire rue Haute');
    await move(reference, 'prendre', { noteInterne: 'NOTE-INTERNE-CONFIDENTIELLE' });
    await move(reference, 'demander', { pieces: 'une photo du lampadaire' });
  });

  it('shows the timeline in citizen words, the request with its deadline, and nothing internal', async () => {
    const res = await get(`/demandes/${reference}`, claire);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain('Demande reçue');
    expect(body).toContain('En cours de traitement');
    expect(body).toContain('En attente de vos pièces');
    expect(body).toContain('Action attendue de votre part');
    expect(body).toContain(`Dossier ${reference} : pièces à fournir`);
    expect(body).toContain('Il nous manque : une photo du lampadaire.');
    expect(body).toMatch(/À fournir avant le \d{1,2} [a-zéû]+ \d{4}/);
    // The form's answers with its labels (AnswerList of the form fields).
    expect(body).toContain('<dt>Type de problème</dt>');
    expect(body).toContain('Lampadaire rue Haute');
    for (const internal of ['NOTE-INTERNE-CONFIDENTIELLE', 'Qualifié par l’équipe B', 'Reçu (à qualifier)', 'Bernadette', 'prendre', 'status.changed', 'Voirie']) {
      expect(body).not.toContain(internal);
    }
    const list = await get('/mes-demandes', claire);
    expect(list.body).toMatch(/Action attendue de votre part<\/strong> — à faire avant le \d{1,2} [a-zéû]+ \d{4}/);
  });

  it('refuses a reply without CSRF value, and an empty reply with the error at the field', async () => {
    const forged = await postReply(reference, claire, { body: 'Bonjour' });
    expect(forged.statusCode).toBe(403);
    const noCsrfUrlencoded = await postForm(`/demandes/${reference}/messages`, claire, { body: 'Bonjour' });
    expect(noCsrfUrlencoded.statusCode).toBe(403);

    const empty = await postReply(reference, claire, { _csrf: await csrfFor(claire), form: 'request', body: '   ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('<title>Erreur — ');
    expect(empty.body).toContain('class="error-summary"');
    expect(empty.body).toContain('href="#request-body"');
    expect(empty.body).toMatch(/id="request-body"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="request-body"/);
    const messages = await db.kysely.selectFrom('messages').select('id').where('direction', '=', 'in').execute();
    expect(messages).toHaveLength(0);
  });

  it('records the answer with its file, moves the case back through onCitizenReply, closes the pause, keeps the journal chain', async () => {
    const pdf = await textToPdf('Photo', 'Photo du lampadaire', { author: 'Claire', subject: 'Pièce' });
    const res = await postReply(reference, claire, { _csrf: await csrfFor(claire), form: 'request', body: 'Voici la photo demandée.' }, [{ filename: 'lampadaire é.pdf', type: 'application/pdf', bytes: pdf }]);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/demandes/${reference}?fait=message`);

    const view = (await caseRepository.findByReference(db.kysely, commune.organisationId, reference))!;
    expect(view.status).toBe('en_cours');
    const message = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', view.id).where('direction', '=', 'in').executeTakeFirstOrThrow();
    expect(message).toMatchObject({ channel: 'portal', status: 'received', body_text: 'Voici la photo demandée.' });
    const attachment = await db.kysely.selectFrom('attachments').selectAll().where('message_id', '=', message.id).executeTakeFirstOrThrow();
    expect(attachment).toMatchObject({ case_id: view.id, citizen_id: claire.citizenId, filename: 'lampadaire é.pdf', mime_type: 'application/pdf' });
    const pauses = await caseRepository.listPauses(db.kysely, view.id);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]!.to).not.toBeNull();

    const journal = await caseRepository.listJournal(db.kysely, view.id);
    expect(firstBrokenLink(reference, journal)).toBeNull();
    const requested = journal.find((e) => e.type === 'information.requested')!;
    const answered = journal.find((e) => e.type === 'message.in')!;
    expect(answered.actor).toEqual({ type: 'citizen', id: String(claire.citizenId) });
    expect(answered.payload).toMatchObject({ messageId: message.id, channel: 'portal', attachments: [attachment.id], answers: requested.seq });
    const moved = journal.filter((e) => e.seq > answered.seq && e.type === 'status.changed');
    expect(moved).toEqual([expect.objectContaining({ actor: { type: 'system', id: null }, payload: expect.objectContaining({ from: 'attente', to: 'en_cours', transition: 'reprendre' }) })]);

    const page = await get(`/demandes/${reference}?fait=message`, claire);
    expect(page.body).toContain('Votre message a bien été envoyé au service.');
    expect(page.body).toContain('Voici la photo demandée.');
    expect(page.body).not.toContain('Informations demandées par le service');
    expect(page.body).not.toContain('Action attendue de votre part');
    expect(page.body).toContain(`href="/demandes/${reference}/pieces/${attachment.id}"`);

    const download = await get(`/demandes/${reference}/pieces/${attachment.id}`, claire);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(`attachment; filename="lampadaire e.pdf"; filename*=UTF-8''${encodeURIComponent('lampadaire é.pdf')}`);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['cache-control']).toBe('private, no-store');
    expect(download.rawPayload.equals(pdf)).toBe(true);
  });

  it('refuses a file of a type the town does not take, at the file field', async () => {
    const res = await postReply(reference, claire, { _csrf: await csrfFor(claire), form: 'message', body: 'Un script' }, [{ filename: 'x.html', type: 'text/html', bytes: Buffer.from('<script>alert(1)</script>') }]);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('href="#message-files"');
    expect(res.body).toContain('Formats acceptés');
    expect(res.body).toContain('Un script</textarea>');
  });

  it('refuses more than five files at the file field, and a malformed form with a 400', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    const six = Array.from({ length: 6 }, (_, i) => ({ filename: `p${i}.png`, type: 'image/png', bytes: png }));
    const res = await postReply(reference, claire, { _csrf: await csrfFor(claire), form: 'message', body: 'Six photos' }, six);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('href="#message-files"');
    expect(res.body).toContain('Vous pouvez joindre au plus 5 fichiers.');
    const malformed = await app.inject({ method: 'POST', url: `/demandes/${reference}/messages`, headers: { ...HTML, cookie: claire.cookie, 'content-type': 'multipart/form-data; boundary=zzz' }, payload: 'garbage' });
    expect(malformed.statusCode).toBe(400);
    expect(await db.kysely.selectFrom('messages').select('id').where('body_text', '=', 'Six photos').execute()).toHaveLength(0);
  });

  it('lets a household member follow and answer, and stops when they leave the household', async () => {
    const seen = await get(`/demandes/${reference}`, paul);
    expect(seen.statusCode).toBe(200);
    expect(seen.body).toContain('Demande faite pour Claire Martin');
    const mine = await submit(paul.citizenId, 'web', 'Le cas de Paul');
    expect((await get(`/demandes/${mine}`, claire)).statusCode).toBe(200);

    await db.kysely.deleteFrom('household_members').where('citizen_id', '=', paul.citizenId).execute();
    expect((await get(`/demandes/${reference}`, paul)).statusCode).toBe(404);
    expect((await get(`/demandes/${mine}`, claire)).statusCode).toBe(404);
    expect((await get('/mes-demandes', claire)).body).not.toContain(mine);
    expect((await get('/mes-demandes', paul)).body).not.toContain(reference);
    await addMember(paul, 'Paul', 'Martin');
    expect((await get(`/demandes/${mine}`, claire)).statusCode).toBe(200);
  });
});

describe('« Mes demandes »: nothing of another citizen’s case', () => {
  let claires: string;
  let claireFile: string;
  let strangers: string;

  beforeAll(async () => {
    claires = await submit(claire.citizenId, 'web', 'Privé');
    strangers = await submit(stranger.citizenId, 'web', 'À moi');
    const stored = await storeAttachment({ db, storage: app.ctx.storage, maxBytes: 1_000_000 }, commune.organisationId, await textToPdf('Pièce', 'Privée', { author: 'x', subject: 'y' }), 'prive.pdf', { owner: { citizenId: claire.citizenId } });
    claireFile = stored.id;
    const view = (await caseRepository.findByReference(db.kysely, commune.organisationId, claires))!;
    await recordCitizenReply(deps(), { organisationId: commune.organisationId, caseId: view.id, citizenId: claire.citizenId, channel: 'email', body: 'Pièce jointe', attachmentIds: [claireFile], receivedAt: new Date().toISOString() });
  });

  it('answers 404, never 403, to every way in', async () => {
    const csrf = await csrfFor(stranger);
    const checks = [
      await get(`/demandes/${claires}`, stranger),
      await get(`/demandes/${claires}/pieces/${claireFile}`, stranger),
      // A valid file id of another case, through a case of mine.
      await get(`/demandes/${strangers}/pieces/${claireFile}`, stranger),
      await get(`/demandes/${strangers}/pieces/inconnu`, stranger),
      await get('/demandes/2099-999999', stranger),
      await postForm(`/demandes/${claires}/satisfaction`, stranger, { _csrf: csrf, rating: '5' }),
      await postReply(claires, stranger, { _csrf: csrf, body: 'Intrusion' }, [{ filename: 'p.pdf', type: 'application/pdf', bytes: await textToPdf('A', 'B', { author: 'x', subject: 'y' }) }]),
    ];
    for (const res of checks) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).not.toContain('Privé');
    }
    const intrusion = await db.kysely.selectFrom('messages').select('id').where('body_text', 'like', '%Intrusion%').execute();
    expect(intrusion).toHaveLength(0);
    // The owner reads it.
    expect((await get(`/demandes/${claires}/pieces/${claireFile}`, claire)).statusCode).toBe(200);
  });

  it('does not let a reply take someone else’s upload', async () => {
    const view = (await caseRepository.findByReference(db.kysely, commune.organisationId, strangers))!;
    const free = await storeAttachment({ db, storage: app.ctx.storage, maxBytes: 1_000_000 }, commune.organisationId, await textToPdf('A', 'B', { author: 'x', subject: 'y' }), 'a.pdf', { owner: { citizenId: claire.citizenId } });
    await expect(
      recordCitizenReply(deps(), { organisationId: commune.organisationId, caseId: view.id, citizenId: stranger.citizenId, channel: 'portal', body: 'Vol', attachmentIds: [free.id], receivedAt: new Date().toISOString() }),
    ).rejects.toMatchObject({ code: 'unknown_attachment' });
    expect(await db.kysely.selectFrom('messages').select('id').where('body_text', '=', 'Vol').execute()).toHaveLength(0);
  });
});

describe('« Mes demandes »: documents issued and satisfaction', () => {
  let reference: string;

  beforeAll(async () => {
    reference = await submit(claire.citizenId, 'web', 'Satisfaction');
    await move(reference, 'prendre');
  });

  it('asks nothing while the case is open and refuses an answer then', async () => {
    const page = await get(`/demandes/${reference}`, claire);
    expect(page.body).not.toContain('name="rating"');
    const res = await postForm(`/demandes/${reference}/satisfaction`, claire, { _csrf: await csrfFor(claire), rating: '5' });
    expect(res.statusCode).toBe(400);
    expect(await db.kysely.selectFrom('satisfaction_answers').selectAll().execute()).toHaveLength(0);
  });

  it('offers the issued document once closed, for download', async () => {
    await move(reference, 'clore');
    await runDueJobs({ db, config: app.ctx.config, log: pino({ level: 'silent' }) }, new JobRegistry(applicationJobTypes()));
    const page = await get(`/demandes/${reference}`, claire);
    expect(page.body).toContain('Documents délivrés');
    expect(page.body).toContain('Attestation de traitement (attestation.pdf)');
    expect(page.body).toContain('Document disponible : Attestation de traitement');
    const id = /href="\/demandes\/[^/]+\/pieces\/(document-\d+)"/.exec(page.body)?.[1];
    expect(id).toBeDefined();
    const download = await get(`/demandes/${reference}/pieces/${id}`, claire);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="attestation.pdf"/);
    expect(download.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('checks the rating (1 to 5) with the error at the field, takes one answer, then thanks', async () => {
    const page = await get(`/demandes/${reference}`, claire);
    expect(page.body).toContain('<legend>Êtes-vous satisfait du traitement de votre demande ?</legend>');
    for (const rating of ['0', '6', 'abc', '']) {
      const res = await postForm(`/demandes/${reference}/satisfaction`, claire, { _csrf: csrfOf(page.body), rating, comment: 'Bien' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('<title>Erreur — ');
      expect(res.body).toContain('href="#rating-1"');
      expect(res.body).toContain('Choisissez une note de 1 (très insatisfait) à 5 (très satisfait).');
    }
    expect((await postForm(`/demandes/${reference}/satisfaction`, claire, { rating: '4' })).statusCode).toBe(403);

    const ok = await postForm(`/demandes/${reference}/satisfaction`, claire, { _csrf: csrfOf(page.body), rating: '4', comment: '  Rapide et clair.  ' });
    expect(ok.statusCode).toBe(303);
    const thanks = await get(ok.headers.location as string, claire);
    expect(thanks.body).toContain('Merci : votre avis a bien été enregistré.');
    expect(thanks.body).toContain('4 sur 5 (satisfait)');
    expect(thanks.body).not.toContain('name="rating"');

    const again = await postForm(`/demandes/${reference}/satisfaction`, claire, { _csrf: csrfOf(page.body), rating: '1' });
    expect(again.statusCode).toBe(400);
    const answers = await db.kysely.selectFrom('satisfaction_answers').selectAll().execute();
    expect(answers).toEqual([expect.objectContaining({ rating: 4, comment: 'Rapide et clair.', citizen_id: claire.citizenId })]);
  });

  it('records a reply to a closed case without reopening it', async () => {
    const res = await postReply(reference, claire, { _csrf: await csrfFor(claire), form: 'message', body: 'Merci encore !' });
    expect(res.statusCode).toBe(303);
    const view = (await caseRepository.findByReference(db.kysely, commune.organisationId, reference))!;
    expect(view.status).toBe('clos');
    expect(view.closedAt).not.toBeNull();
    const journal = await caseRepository.listJournal(db.kysely, view.id);
    expect(journal.at(-1)).toMatchObject({ type: 'message.in' });
    expect(firstBrokenLink(reference, journal)).toBeNull();
  });
});

describe.skipIf(!browserAvailable)('« Mes demandes » in a browser (axe-core, without JavaScript needed)', () => {
  it('passes axe-core on the list, a case awaiting an answer, and a form in error; the reply form works by keyboard', async () => {
    const reference = await submit(claire.citizenId, 'web', 'Vu dans le navigateur');
    await move(reference, 'demander', { pieces: 'un justificatif' });
    const closed = await submit(claire.citizenId, 'web', 'Fermé');
    await move(closed, 'prendre');
    await move(closed, 'clore');
    const browser = await launchBrowser();
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const context = await browser.newContext();
      await context.addCookies(claire.cookie.split('; ').map((pair) => {
        const [name, value] = pair.split('=') as [string, string];
        return { name, value, url: base };
      }));
      const page = await context.newPage();
      await page.goto(`${base}/mes-demandes`);
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${base}/demandes/${reference}`);
      expect(await axeViolations(page)).toEqual([]);
      await page.focus('#request-body');
      await page.keyboard.type('Le justificatif arrive par courrier.');
      await page.click('form:has(#request-body) button[type=submit]');
      await page.waitForURL(new RegExp(`/demandes/${reference}\\?fait=message$`));
      expect(await page.textContent('main')).toContain('Le justificatif arrive par courrier.');
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${base}/demandes/${closed}`);
      expect(await axeViolations(page)).toEqual([]);
      await page.click('form:has(#rating-1) button[type=submit]');
      await page.waitForSelector('.error-summary');
      expect(await page.title()).toMatch(/^Erreur — /);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
