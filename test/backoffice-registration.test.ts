/**
 * « Nouvelle demande » and the postal mail register: requests registered by phone, at the counter
 * and by post through the intake (existing or new citizen, scanned letter, legal receipt date,
 * acknowledgment), one case per form even when sent twice, errors in an accessible summary with
 * nothing written, CSRF and access refusals, register numbers written with their case or not at all.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { registerLetter } from '../src/mail-register/service.js';
import { registerCsv } from '../src/mail-register/service.js';
import { fileInputName } from '../src/portal/forms/fields/index.js';
import { today } from '../src/backoffice/registration/service.js';
import type { FormDefinition } from '../src/procedures/form/definition.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeDepartment, makeOrganisation, makeProcedure } from './factories.js';

const TZ = 'Europe/Paris';
const contactForm: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'message',
      title: 'Votre message',
      fields: [
        { type: 'text', name: 'objet', label: 'Objet', required: true, maxLength: 150 },
        { type: 'textarea', name: 'message', label: 'Message', required: true, minLength: 10 },
      ],
    },
  ],
};

let db: Db;
let app: App;
let organisationId: number;
let departments: { reception: number; roads: number };
let reception: TestAgent;
let roads: TestAgent;
let pdf: Buffer;

beforeAll(async () => {
  db = await freshDb();
  app = await testApp(db, { TIMEZONE: TZ });
  organisationId = await makeOrganisation(db);
  departments = { reception: await makeDepartment(db, organisationId, 'accueil', { reception: true }), roads: await makeDepartment(db, organisationId, 'voirie') };
  await makeProcedure(db, organisationId, departments.reception, { slug: 'contact', title: 'Contacter la mairie', form: contactForm, allowAnonymous: false, isLocated: false });
  await makeProcedure(db, organisationId, departments.roads);
  const sign = app.signCookie.bind(app);
  reception = await signedInAgent(db, organisationId, sign, { name: 'Agent d’accueil', roles: [{ departmentId: departments.reception, role: 'agent' }] });
  roads = await signedInAgent(db, organisationId, sign, { name: 'Agent de voirie', roles: [{ departmentId: departments.roads, role: 'agent' }] });
  pdf = Buffer.from(await textToPdf('Courrier', 'Madame, Monsieur, je vous écris au sujet de…', { author: 'Test' }));
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

type Fields = Record<string, string | string[]>;
interface Part {
  name: string;
  filename: string;
  type: string;
  bytes: Buffer;
}

const newKey = () => randomBytes(16).toString('base64url');

function post(agent: TestAgent, fields: Fields, files: Part[] = [], csrf = agent.csrf) {
  const boundary = `----guichet${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  const text = (name: string, value: string) => chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  text('_csrf', csrf);
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) text(name, v);
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\ncontent-type: ${file.type}\r\n\r\n`));
    chunks.push(file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return app.inject({
    method: 'POST',
    url: '/backoffice/nouvelle-demande',
    headers: { cookie: agent.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(chunks),
  });
}

const get = (agent: TestAgent | null, url: string) => app.inject({ method: 'GET', url, headers: agent ? { cookie: agent.cookie } : {} });

const contactAnswers = (objet = 'Horaires de la déchèterie'): Fields => ({ objet, message: 'Bonjour, quels sont les horaires de la déchèterie ?' });

/** A complete request from a new citizen, to vary. */
function newCitizenRequest(overrides: Fields = {}): Fields {
  return {
    _cle: newKey(),
    _action: 'envoyer',
    canal: 'counter',
    usager: 'nouveau',
    usagerCivility: 'Mme',
    usagerFirstNames: 'Jeanne',
    usagerLastName: `Durand${randomBytes(2).toString('hex')}`,
    usagerEmail: `jeanne.${randomBytes(3).toString('hex')}@exemple.fr`,
    demarche: 'contact',
    ...contactAnswers(),
    dateReception: today(TZ),
    accuse: 'email',
    ...overrides,
  };
}

async function caseByReference(reference: string) {
  return db.kysely.selectFrom('cases').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
}

/** Follows the success redirection: the confirmation page and the case reference it shows. */
async function registered(agent: TestAgent, response: Awaited<ReturnType<typeof post>>) {
  expect(response.statusCode, response.body.slice(0, 2000)).toBe(303);
  const location = String(response.headers.location);
  expect(location).toMatch(/^\/backoffice\/nouvelle-demande\/enregistree\/[A-Za-z0-9_-]{22}$/);
  const page = await get(agent, location);
  expect(page.statusCode).toBe(200);
  const reference = /\b\d{4}-\d{6}\b/.exec(page.body)?.[0];
  expect(reference).toBeDefined();
  return { location, page: page.body, reference: reference! };
}

const countCases = async () => Number((await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const countRegister = async () => Number((await db.kysely.selectFrom('mail_register').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('the « Nouvelle demande » screen', () => {
  it('asks for a signed-in agent and shows the steps, « Contact / autre demande » first', async () => {
    const anonymous = await get(null, '/backoffice/nouvelle-demande');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toContain('/backoffice/connexion');

    const page = await get(reception, '/backoffice/nouvelle-demande?demarche=contact');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="_cle"');
    expect(page.body).toContain('enctype="multipart/form-data"');
    for (const label of ['Téléphone', 'Accueil physique', 'Courrier postal', 'Courriel transféré', 'Date de réception', 'Accusé de réception', 'Objet']) expect(page.body).toContain(label);
    expect(page.body.indexOf('Contact / autre demande')).toBeLessThan(page.body.indexOf('Signaler un problème de voirie'));
    expect(page.body).toContain(`value="${today(TZ)}"`);
  });

  it('registers a counter visit creating a new citizen, acknowledged by e-mail', async () => {
    const fields = newCitizenRequest();
    const { reference, page } = await registered(reception, await post(reception, fields));
    expect(page).toContain(`/backoffice/dossiers/${reference}`);
    expect(page).toContain('part par courriel');
    const row = await caseByReference(reference);
    expect(row.channel).toBe('counter');
    expect(row.department_id).toBe(departments.reception);
    const citizen = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', row.citizen_id!).executeTakeFirstOrThrow();
    expect(citizen.first_names).toBe('Jeanne');
    const message = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', row.id).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ channel: 'email', recipient: fields['usagerEmail'], status: 'queued' });
    const journal = await db.kysely.selectFrom('case_journal').select(['type', 'actor_type', 'actor_id']).where('case_id', '=', row.id).orderBy('seq').execute();
    expect(journal[0]).toMatchObject({ type: 'case.created', actor_type: 'agent', actor_id: String(reception.agentId) });
    expect(journal.map((e) => e.type)).toContain('acknowledgment.sent');
  });

  it('registers a phone call for a citizen found by the search, acknowledged by SMS to their known mobile', async () => {
    const first = newCitizenRequest({ usagerLastName: 'Lefebvre-Téléphone', usagerPhone: '06 12 34 56 78' });
    const { reference: firstReference } = await registered(reception, await post(reception, first));
    const citizenId = (await caseByReference(firstReference)).citizen_id!;

    // Without JavaScript, « Rechercher » shows the page again with the hits, and logs the search.
    const search = await post(reception, { _cle: newKey(), _action: 'rechercher', usager: 'existant', usagerRecherche: 'Lefebvre' });
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('name="citizenId"');
    expect(search.body).toContain(`value="${citizenId}"`);
    const logged = await db.kysely.selectFrom('access_log').select('action').where('agent_id', '=', reception.agentId).where('action', '=', 'search_citizens').execute();
    expect(logged.length).toBeGreaterThan(0);

    const before = await countCases();
    const { reference, page } = await registered(
      reception,
      await post(reception, { _cle: newKey(), _action: 'envoyer', canal: 'phone', usager: 'existant', citizenId: String(citizenId), demarche: 'contact', ...contactAnswers('Appel'), dateReception: today(TZ), accuse: 'sms' }),
    );
    expect(await countCases()).toBe(before + 1);
    expect(page).toContain('part par SMS');
    const row = await caseByReference(reference);
    expect(row).toMatchObject({ channel: 'phone', citizen_id: citizenId });
    const message = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', row.id).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ channel: 'sms', recipient: '+33612345678', status: 'queued' });
  });

  it('registers a letter with its scan, numbers it in the register, and offers its acknowledgment letter to print', async () => {
    const year = today(TZ).slice(0, 4);
    const fields = newCitizenRequest({ canal: 'mail', accuse: 'letter', objetCourrier: 'Demande d’horaires', 'usagerAddress.line1': '3 rue des Lilas', 'usagerAddress.postcode': '99000', 'usagerAddress.city': 'Ville-Test' });
    const { reference, page, location } = await registered(reception, await post(reception, fields, [{ name: fileInputName('courrierNumerise'), filename: 'lettre.pdf', type: 'application/pdf', bytes: pdf }]));
    const row = await caseByReference(reference);
    expect(row.channel).toBe('mail');

    const entry = await db.kysely.selectFrom('mail_register').selectAll().where('case_id', '=', row.id).executeTakeFirstOrThrow();
    expect(entry.register_number).toMatch(new RegExp(`^${year}-C-\\d{6}$`));
    expect(entry).toMatchObject({ subject: 'Demande d’horaires', agent_id: reception.agentId, received_on: today(TZ) });
    expect(entry.sender).toContain('Jeanne');
    expect(page).toContain(entry.register_number);

    const files = await db.kysely.selectFrom('attachments').select(['filename', 'mime_type']).where('case_id', '=', row.id).execute();
    expect(files).toEqual([{ filename: 'lettre.pdf', mime_type: 'application/pdf' }]);
    const journal = await db.kysely.selectFrom('case_journal').select('type').where('case_id', '=', row.id).execute();
    expect(journal.map((e) => e.type)).toEqual(expect.arrayContaining(['attachment.added', 'mail.registered', 'acknowledgment.sent']));

    for (const url of [`${location}/accuse-reception.pdf`, `/backoffice/dossiers/${reference}/accuse-reception.pdf`]) {
      const letter = await get(reception, url);
      expect(letter.statusCode, url).toBe(200);
      expect(letter.headers['content-type']).toBe('application/pdf');
      expect(letter.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    }
    const exports = await db.kysely.selectFrom('access_log').select('action').where('case_id', '=', row.id).where('action', '=', 'export_case').execute();
    expect(exports.length).toBe(2);

    // Another department's agent: neither the case's letter nor someone else's registration.
    expect((await get(roads, `/backoffice/dossiers/${reference}/accuse-reception.pdf`)).statusCode).toBe(404);
    expect((await get(roads, `${location}/accuse-reception.pdf`)).statusCode).toBe(404);
    expect((await get(roads, location)).statusCode).toBe(404);
    expect((await get(null, `/backoffice/dossiers/${reference}/accuse-reception.pdf`)).statusCode).toBe(303);
  });

  it('runs the deadlines from an earlier receipt date', async () => {
    const earlier = new Date(Date.now() - 12 * 86_400_000);
    const receivedOn = today(TZ, earlier);
    const { reference: late } = await registered(reception, await post(reception, newCitizenRequest({ canal: 'mail', accuse: 'none', dateReception: receivedOn })));
    const { reference: now } = await registered(reception, await post(reception, newCitizenRequest({ accuse: 'none' })));
    const [lateCase, nowCase] = [await caseByReference(late), await caseByReference(now)];
    expect(today(TZ, new Date(lateCase.received_at))).toBe(receivedOn);
    expect(Date.parse(lateCase.due_at!)).toBeLessThan(Date.parse(nowCase.due_at!));
    // Ten business days from twelve calendar days ago: already overdue, or nearly.
    expect(Date.parse(lateCase.due_at!) - Date.parse(lateCase.received_at)).toBeLessThan(20 * 86_400_000);
    const entry = await db.kysely.selectFrom('mail_register').select('received_on').where('case_id', '=', lateCase.id).executeTakeFirstOrThrow();
    expect(entry.received_on).toBe(receivedOn);
  });

  it('routes a request to the department in charge: « transmis », with no link the agent cannot open', async () => {
    const { reference, page } = await registered(
      reception,
      await post(reception, {
        _cle: newKey(),
        _action: 'envoyer',
        canal: 'phone',
        usager: 'anonyme',
        demarche: 'signalement-voirie',
        categorie: 'eclairage',
        description: 'Lampadaire éteint rue des Écoles',
        dateReception: today(TZ),
        accuse: 'none',
      }),
    );
    expect(page).toContain('Transmis au service Voirie');
    expect(page).toContain('Aucun accusé de réception n’a été envoyé');
    expect(await db.kysely.selectFrom('messages').select('id').where('case_id', '=', (await caseByReference(reference)).id).execute()).toEqual([]);
    expect(page).not.toContain(`href="/backoffice/dossiers/${reference}"`);
    expect((await caseByReference(reference)).department_id).toBe(departments.roads);
  });

  it('makes one case of a form sent twice', async () => {
    const fields = newCitizenRequest();
    const before = await countCases();
    const first = await post(reception, fields);
    const second = await post(reception, fields);
    expect(first.statusCode).toBe(303);
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await countCases()).toBe(before + 1);
  });

  it('refuses bad input with an error summary and writes nothing', async () => {
    const before = { cases: await countCases(), register: await countRegister() };
    const tomorrow = today(TZ, new Date(Date.now() + 2 * 86_400_000));
    const response = await post(
      reception,
      newCitizenRequest({ canal: 'mail', objet: '', dateReception: tomorrow }),
      [{ name: fileInputName('courrierNumerise'), filename: 'notes.txt', type: 'text/plain', bytes: Buffer.from('pas un PDF du tout, juste du texte') }],
    );
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('class="error-summary"');
    expect(response.body).toContain('href="#champ-objet"');
    expect(response.body).toContain('href="#champ-dateReception"');
    expect(response.body).toContain('href="#champ-courrierNumerise"');
    expect(response.body).toContain('ne peut pas être dans le futur');
    expect(response.body).toContain('n’est pas dans un format accepté');
    // What was typed is kept.
    expect(response.body).toContain('Jeanne');
    expect(await countCases()).toBe(before.cases);
    expect(await countRegister()).toBe(before.register);

    const noProcedure = await post(reception, newCitizenRequest({ demarche: '' }));
    expect(noProcedure.statusCode).toBe(422);
    expect(noProcedure.body).toContain('href="#champ-demarche"');

    const anonymousContact = await post(reception, newCitizenRequest({ usager: 'anonyme' }));
    expect(anonymousContact.statusCode).toBe(422);
    expect(anonymousContact.body).toContain('ne peut pas être faite de façon anonyme');
    expect(await countCases()).toBe(before.cases);
  });

  it('refuses a post without the session’s CSRF value, or without a session', async () => {
    const before = await countCases();
    const response = await post(reception, newCitizenRequest(), [], 'forged');
    expect(response.statusCode).toBe(403);
    const signedOut = await post({ ...reception, cookie: '' }, newCitizenRequest());
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toContain('/backoffice/connexion');
    expect(await countCases()).toBe(before);
  });

  it.skipIf(!validatorAvailable)('is valid HTML, in error states too (Nu Html Checker)', async () => {
    const pages: { name: string; html: string }[] = [];
    pages.push({ name: 'écran vide', html: (await get(reception, '/backoffice/nouvelle-demande')).body });
    pages.push({ name: 'contact', html: (await get(reception, '/backoffice/nouvelle-demande?demarche=contact&canal=mail')).body });
    pages.push({ name: 'recherche', html: (await post(reception, { _cle: newKey(), _action: 'rechercher', usager: 'existant', usagerRecherche: 'Durand' })).body });
    pages.push({ name: 'erreurs', html: (await post(reception, newCitizenRequest({ objet: '', dateReception: '2999-01-01', demarche: 'signalement-voirie' }))).body });
    const { location } = await registered(reception, await post(reception, newCitizenRequest({ canal: 'mail' })));
    pages.push({ name: 'enregistrée', html: (await get(reception, location)).body });
    pages.push({ name: 'registre', html: (await get(reception, '/backoffice/courrier')).body });
    pages.push({ name: 'registre en erreur', html: (await get(reception, '/backoffice/courrier?du=2026-02-01&au=2026-01-01')).body });
    const errors = await validateHtml(pages);
    expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});

describe('the postal mail register', () => {
  it('numbers letters in sequence, and writes a number only with its case', async () => {
    const fields = () => newCitizenRequest({ canal: 'mail', accuse: 'none' });
    const { reference: a } = await registered(reception, await post(reception, fields()));
    const { reference: b } = await registered(reception, await post(reception, fields()));
    const number = async (reference: string) =>
      (await db.kysely.selectFrom('mail_register').select('register_number').where('case_id', '=', (await caseByReference(reference)).id).executeTakeFirstOrThrow()).register_number;
    const [na, nb] = [await number(a), await number(b)];
    expect(Number(nb.slice(-6))).toBe(Number(na.slice(-6)) + 1);

    // An intake that fails after the register row is written leaves neither case nor row nor number used.
    const before = { cases: await countCases(), register: await countRegister() };
    await expect(
      submitCase(
        { db, timezone: TZ },
        {
          organisationId,
          procedureSlug: 'contact',
          channel: 'mail',
          actor: { type: 'agent', id: String(reception.agentId) },
          citizen: { firstNames: 'Paul', lastName: 'Échec', email: 'paul.echec@exemple.fr' },
          data: contactAnswers(),
          hiddenFields: 'drop',
          withinTransaction: async (trx, created) => {
            await registerLetter(trx, { organisationId, caseId: created.caseId, reference: created.reference, receivedOn: today(TZ), sender: 'Paul Échec', subject: 'Test', agentId: reception.agentId, actor: { type: 'agent', id: String(reception.agentId) } }, new Date().toISOString());
            throw new Error('the disk is full');
          },
        },
      ),
    ).rejects.toThrow('the disk is full');
    expect(await countCases()).toBe(before.cases);
    expect(await countRegister()).toBe(before.register);
    const { reference: c } = await registered(reception, await post(reception, fields()));
    expect(Number((await number(c)).slice(-6))).toBe(Number(nb.slice(-6)) + 1);
  });

  it('lists the letters of the period the agent may see, with a CSV export', async () => {
    const { reference } = await registered(reception, await post(reception, newCitizenRequest({ canal: 'mail', accuse: 'none', objetCourrier: 'Lettre listée' })));
    const page = await get(reception, '/backoffice/courrier');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Lettre listée');
    expect(page.body).toContain(`href="/backoffice/dossiers/${reference}"`);
    expect(page.body).toContain('<th scope="col">Numéro</th>');
    expect(page.body).toContain('aria-current="page"');

    const other = await get(roads, '/backoffice/courrier');
    expect(other.statusCode).toBe(200);
    expect(other.body).not.toContain('Lettre listée');

    expect((await get(null, `/backoffice/courrier.csv`)).statusCode).toBe(303);
    const csv = await get(reception, `/backoffice/courrier.csv?du=${today(TZ)}&au=${today(TZ)}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain(reference);
    expect(csv.body).toContain('Lettre listée');

    const bad = await get(reception, '/backoffice/courrier?du=2026-13-45');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('class="error-summary"');
    expect((await get(null, '/backoffice/courrier')).statusCode).toBe(303);
  });

  it('neutralises spreadsheet formulas in the CSV', () => {
    const csv = registerCsv([
      {
        id: 1, registerNumber: '2026-C-000001', receivedOn: '2026-01-02', sender: '=HYPERLINK("x")', subject: 'a;b', createdAt: '',
        case: { id: 1, reference: '2026-000001', status: 'new', workflowId: null, closedAt: null, department: { id: 1, name: 'Accueil' }, assignedAgentId: null },
        statusLabel: 'Nouveau',
      },
    ]);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('"a;b"');
  });
});
