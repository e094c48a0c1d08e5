/**
 * The online form flow: a draft started from the procedure page, prefilled for a signed-in citizen,
 * page by page with conditions, uploads, the contact step for signed-out visitors, the review and
 * one submission through the intake; and refusals: another owner, no CSRF value, bad answers.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentRepository } from '../src/attachments/repository.js';
import type { Db } from '../src/db/database.js';
import { fromJson } from '../src/db/transaction.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import type { FormDefinition } from '../src/procedures/form/definition.js';
import { fileInputName, inputIdOf } from '../src/portal/forms/fields/index.js';
import { draftAccess } from '../src/portal/forms/policy.js';
import { prefilledAnswers } from '../src/portal/forms/prefill.js';
import { checkContact, normalisedAnswers, visiblePages } from '../src/portal/forms/service.js';
import { VISITOR_COOKIE } from '../src/portal/session.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeDepartment, makeOrganisation, makeProcedure } from './factories.js';
import { csrfOf, signedInCitizen, signInAs, type TestCitizen } from './portal-session.js';

const FIELD_MAX = 4_000;
const GLOBAL_MAX = 60_000;

/** A request for a child, over five pages, one of them shown only for urgent requests. */
const childForm: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'identite',
      title: 'Votre identité',
      fields: [
        { type: 'select', name: 'civilite', label: 'Civilité', options: [{ value: 'M', label: 'Monsieur' }, { value: 'Mme', label: 'Madame' }], prefill: { from: 'citizen', path: 'civility' } },
        { type: 'text', name: 'prenoms', label: 'Prénoms', required: true, prefill: { from: 'citizen', path: 'firstNames' } },
        { type: 'text', name: 'nom', label: 'Nom de naissance', required: true, prefill: { from: 'citizen', path: 'birthName' } },
        { type: 'email', name: 'courriel', label: 'Adresse électronique', prefill: { from: 'citizen', path: 'email' } },
        { type: 'address', name: 'adresse', label: 'Adresse', required: true, prefill: { from: 'citizen', path: 'address' } },
      ],
    },
    {
      id: 'enfant',
      title: 'L’enfant',
      fields: [{ type: 'householdMember', name: 'enfant', label: 'Enfant concerné', memberRole: 'child', required: true, prefill: { from: 'household', role: 'child' } }],
    },
    {
      id: 'details',
      title: 'Votre demande',
      fields: [
        { type: 'yesno', name: 'urgent', label: 'Est-ce urgent ?', required: true },
        { type: 'textarea', name: 'motif', label: 'Pourquoi ?', required: true, visibleWhen: { field: 'urgent', op: 'eq', value: true } },
      ],
    },
    {
      id: 'urgence',
      title: 'Joindre quelqu’un en urgence',
      visibleWhen: { field: 'urgent', op: 'eq', value: true },
      fields: [{ type: 'phone', name: 'telephoneUrgence', label: 'Téléphone', required: true }],
    },
    {
      id: 'justificatif',
      title: 'Justificatif',
      fields: [{ type: 'file', name: 'piece', label: 'Justificatif de domicile', required: true, accept: ['application/pdf'], maxSizeBytes: FIELD_MAX }],
    },
  ],
};

/** One page with a repeatable group, whose add and remove buttons are submit buttons. */
const guardiansForm: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'responsables',
      title: 'Responsables légaux',
      fields: [{ type: 'group', name: 'responsables', label: 'Responsables légaux', minItems: 1, maxItems: 2, fields: [{ type: 'text', name: 'nom', label: 'Nom', required: true }] }],
    },
  ],
};

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let db: Db;
let app: App;
let organisationId: number;
let childId: number;
let citizen: TestCitizen;
let other: TestCitizen;
let smallPdf: Buffer;

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  const roads = await makeDepartment(db, organisationId, 'voirie');
  const family = await makeDepartment(db, organisationId, 'famille');
  await makeProcedure(db, organisationId, roads);
  await makeProcedure(db, organisationId, family, { slug: 'demande-enfant', title: 'Demande pour un enfant', form: childForm, allowAnonymous: false, isLocated: false });
  await makeProcedure(db, organisationId, family, { slug: 'responsables', title: 'Déclarer les responsables', form: guardiansForm, allowAnonymous: false, isLocated: false });
  await makeProcedure(db, organisationId, family, { slug: 'hors-ligne', title: 'Démarche au guichet', form: childForm, isOnline: false });
  const now = new Date().toISOString();
  const household = await db.kysely.insertInto('households').values({ organisation_id: organisationId, name: 'Foyer Martin', created_at: now }).returning('id').executeTakeFirstOrThrow();
  citizen = await signedInCitizen(db, organisationId, { householdId: household.id });
  await db.kysely.insertInto('citizen_addresses').values({ citizen_id: citizen.citizenId, line1: '3 rue des Lilas', line2: null, postcode: '99000', city: 'Ville-Test', country: 'FR', ban_id: null, is_primary: 1 }).execute();
  await db.kysely.insertInto('household_members').values({ household_id: household.id, citizen_id: citizen.citizenId, role: 'adult', relationship: null, first_names: 'Claire', last_name: 'Martin', birth_date: '1985-04-12', created_at: now }).execute();
  childId = (
    await db.kysely
      .insertInto('household_members')
      .values({ household_id: household.id, citizen_id: null, role: 'child', relationship: 'fille', first_names: 'Léa', last_name: 'Martin', birth_date: '2018-09-01', created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  other = await signedInCitizen(db, organisationId, { firstNames: 'Paul' });
  smallPdf = await textToPdf('Justificatif', 'Facture d’électricité', { author: 'Test' });
  app = await testApp(db, { ATTACHMENT_MAX_BYTES: String(GLOBAL_MAX) });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** A browser: its cookies, and the CSRF value its forms carry. */
interface Browser {
  cookie: string;
  csrf: string;
}

const visitorBrowser = async (): Promise<Browser> => {
  const cookie = `${VISITOR_COOKIE}=${randomBytes(18).toString('base64url')}`;
  const page = await app.inject({ method: 'GET', url: '/demarches/signalement-voirie', headers: { cookie } });
  return { cookie, csrf: csrfOf(page.body) };
};
const citizenBrowser = async (who: TestCitizen): Promise<Browser> => {
  const page = await app.inject({ method: 'GET', url: '/demarches/signalement-voirie', headers: { cookie: who.cookie } });
  return { cookie: who.cookie, csrf: csrfOf(page.body) };
};

const get = (browser: Browser, url: string) => app.inject({ method: 'GET', url, headers: { cookie: browser.cookie } });

type FormValue = string | string[];
const post = (browser: Browser, url: string, fields: Record<string, FormValue>, options: { csrf?: boolean } = {}) => {
  const params = new URLSearchParams();
  if (options.csrf !== false) params.append('_csrf', browser.csrf);
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return app.inject({ method: 'POST', url, headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: params.toString() });
};

interface UploadedPart {
  name: string;
  filename: string;
  type: string;
  bytes: Buffer;
}
const postMultipart = (browser: Browser, url: string, fields: Record<string, FormValue>, files: UploadedPart[] = []) => {
  const boundary = `----guichet${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  const text = (name: string, value: string) =>
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  text('_csrf', browser.csrf);
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) text(name, v);
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\ncontent-type: ${file.type}\r\n\r\n`));
    chunks.push(file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return app.inject({ method: 'POST', url, headers: { cookie: browser.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(chunks) });
};

/** Starts a draft from the procedure page; returns the first page's URL. */
const start = async (browser: Browser, slug: string) => {
  const res = await post(browser, `/demarches/${slug}/commencer`, {});
  expect(res.statusCode).toBe(303);
  return res.headers.location as string;
};
const draftIdOf = (url: string) => /\/brouillons\/([^/]+)/.exec(url)![1]!;
const caseCount = async () => Number((await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

const identityAnswers = { civilite: 'Mme', prenoms: 'Claire', nom: 'Martin', courriel: '', 'adresse.line1': '3 rue des Lilas', 'adresse.line2': '', 'adresse.postcode': '99000', 'adresse.city': 'Ville-Test', 'adresse.country': 'FR' };

/** Fills a child request up to (not including) the review; returns the draft's base URL. */
async function fillChildRequest(browser: Browser): Promise<string> {
  const first = await start(browser, 'demande-enfant');
  const base = first.replace(/\/identite$/, '');
  expect((await post(browser, `${base}/identite`, { ...identityAnswers, _nav: 'next' })).headers.location).toBe(`${base}/enfant`);
  expect((await post(browser, `${base}/enfant`, { enfant: String(childId), _nav: 'next' })).headers.location).toBe(`${base}/details`);
  expect((await post(browser, `${base}/details`, { urgent: 'false', motif: 'ne doit pas rester', _nav: 'next' })).headers.location).toBe(`${base}/justificatif`);
  const upload = await postMultipart(browser, `${base}/justificatif`, { _nav: 'next' }, [{ name: fileInputName('piece'), filename: 'facture.pdf', type: 'application/pdf', bytes: smallPdf }]);
  expect(upload.statusCode).toBe(303);
  expect(upload.headers.location).toBe(`${base}/recapitulatif`);
  return base;
}

describe('the procedure page', () => {
  it('offers to start online, and to resume the signed-in citizen’s draft', async () => {
    const browser = await citizenBrowser(other);
    const before = await get(browser, '/demarches/demande-enfant');
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('action="/demarches/demande-enfant/commencer"');
    expect(before.body).toContain('Commencer la démarche');
    expect(before.body).not.toContain('Reprendre mon brouillon');
    expect(before.body).toMatch(/Vous pouvez aussi la faire auprès du service Famille, par téléphone/);
    const first = await start(browser, 'demande-enfant');
    const after = await get(browser, '/demarches/demande-enfant');
    expect(after.body).toContain('Reprendre mon brouillon');
    expect(after.body).toContain(`href="/demarches/demande-enfant/brouillons/${draftIdOf(first)}"`);
  });

  it('refuses to start a procedure that is not open online', async () => {
    const browser = await visitorBrowser();
    expect((await post(browser, '/demarches/hors-ligne/commencer', {})).statusCode).toBe(404);
    expect((await post(browser, '/demarches/inconnue/commencer', {})).statusCode).toBe(404);
  });
});

describe('a signed-in citizen', () => {
  it('goes through a prefilled multi-page form with a condition and an upload, then submits once', async () => {
    const browser = await citizenBrowser(citizen);
    const first = await start(browser, 'demande-enfant');
    expect(first).toMatch(/^\/demarches\/demande-enfant\/brouillons\/[A-Za-z0-9_-]{22}\/identite$/);
    const base = first.replace(/\/identite$/, '');

    // Identity and address come from the profile: nothing to retype.
    const identity = await get(browser, first);
    expect(identity.statusCode).toBe(200);
    expect(identity.body).toContain('Étape 1 sur 5');
    expect(identity.body).toMatch(/<li aria-current="step">\s*<strong>Votre identité<\/strong>/);
    for (const value of ['value="Claire"', 'value="Martin"', 'value="3 rue des Lilas"', 'value="99000"', `value="${citizen.email}"`]) expect(identity.body).toContain(value);
    expect((await post(browser, first, { ...identityAnswers, courriel: citizen.email, _nav: 'next' })).headers.location).toBe(`${base}/enfant`);

    // The only child of the household is already chosen.
    const child = await get(browser, `${base}/enfant`);
    expect(child.body).toContain('Léa');
    expect(child.body).toMatch(new RegExp(`value="${childId}"[^>]*checked|checked[^>]*value="${childId}"`));
    expect((await post(browser, `${base}/enfant`, { enfant: String(childId), _nav: 'next' })).headers.location).toBe(`${base}/details`);

    // Not urgent: the reason (hidden field) is dropped and the urgent page is skipped.
    const details = await post(browser, `${base}/details`, { urgent: 'false', motif: 'ne doit pas rester', _nav: 'next' });
    expect(details.headers.location).toBe(`${base}/justificatif`);
    const proof = await get(browser, `${base}/justificatif`);
    expect(proof.body).toContain('Étape 4 sur 5');
    expect(proof.body).toContain('enctype="multipart/form-data"');

    // A PNG where a PDF is expected, a PDF over the field's size: both refused at the field.
    const png = await postMultipart(browser, `${base}/justificatif`, { _nav: 'next' }, [{ name: fileInputName('piece'), filename: 'photo.png', type: 'image/png', bytes: PNG }]);
    expect(png.statusCode).toBe(422);
    expect(png.body).toContain('<title>Erreur — ');
    expect(png.body).toContain(`href="#${inputIdOf('piece')}"`);
    expect(png.body).toContain('« photo.png » n’est pas dans un format accepté');
    const big = Buffer.concat([smallPdf, Buffer.alloc(FIELD_MAX)]);
    const tooBig = await postMultipart(browser, `${base}/justificatif`, { _nav: 'next' }, [{ name: fileInputName('piece'), filename: 'gros.pdf', type: 'application/pdf', bytes: big }]);
    expect(tooBig.statusCode).toBe(422);
    expect(tooBig.body).toContain('« gros.pdf » dépasse la taille maximale de 4 ko');
    const overGlobal = await postMultipart(browser, `${base}/justificatif`, { _nav: 'next' }, [
      { name: fileInputName('piece'), filename: 'enorme.pdf', type: 'application/pdf', bytes: Buffer.concat([smallPdf, Buffer.alloc(GLOBAL_MAX)]) },
    ]);
    expect(overGlobal.statusCode, overGlobal.body.slice(0, 3000)).toBe(422);
    expect(overGlobal.body).toContain('« enorme.pdf » dépasse la taille maximale');
    const good = await postMultipart(browser, `${base}/justificatif`, { _nav: 'next' }, [{ name: fileInputName('piece'), filename: 'facture.pdf', type: 'application/pdf', bytes: smallPdf }]);
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toBe(`${base}/recapitulatif`);

    // The review: every visible page with its "Modifier" link, no contact step for a signed-in citizen.
    const review = await get(browser, `${base}/recapitulatif`);
    expect(review.statusCode).toBe(200);
    for (const text of ['Votre identité', 'L’enfant', 'Votre demande', 'Justificatif', 'facture.pdf', 'Léa', 'Je certifie l’exactitude', 'Envoyer ma demande']) expect(review.body).toContain(text);
    expect(review.body).not.toContain('Joindre quelqu’un en urgence');
    expect(review.body).not.toContain('ne doit pas rester');
    expect(review.body).toContain(`href="${base}/enfant"`);
    expect(review.body).not.toContain('/coordonnees');

    // Without the declaration: refused with the summary.
    const undeclared = await post(browser, `${base}/recapitulatif`, {});
    expect(undeclared.statusCode).toBe(422);
    expect(undeclared.body).toContain('href="#declaration"');
    expect(undeclared.body).toContain('aria-invalid="true"');

    const before = await caseCount();
    const sent = await post(browser, `${base}/recapitulatif`, { declaration: 'oui' });
    expect(sent.statusCode).toBe(303);
    const draftId = draftIdOf(first);
    expect(sent.headers.location).toBe(`/demarches/demande-enfant/envoyee/${draftId}`);
    // A second click: no second case, the same confirmation.
    const again = await post(browser, `${base}/recapitulatif`, { declaration: 'oui' });
    expect(again.headers.location).toBe(`/demarches/demande-enfant/envoyee/${draftId}`);
    expect(await caseCount()).toBe(before + 1);

    const draft = await db.kysely.selectFrom('form_drafts').selectAll().where('id', '=', draftId).executeTakeFirstOrThrow();
    const row = await db.kysely.selectFrom('cases').selectAll().where('id', '=', draft.case_id!).executeTakeFirstOrThrow();
    expect(row.channel).toBe('web');
    expect(row.citizen_id).toBe(citizen.citizenId);
    expect(row.contact_email).toBe(citizen.email);
    const data = fromJson<Record<string, unknown>>(row.data);
    expect(data).toMatchObject({ prenoms: 'Claire', nom: 'Martin', enfant: String(childId), urgent: false, adresse: { line1: '3 rue des Lilas', postcode: '99000', city: 'Ville-Test' } });
    expect(data).not.toHaveProperty('motif');
    const linked = await db.kysely.selectFrom('attachments').select(['filename', 'case_id']).where('draft_id', '=', draftId).execute();
    expect(linked.filter((a) => a.case_id === row.id).map((a) => a.filename)).toEqual(['facture.pdf']);

    const confirmation = await get(browser, sent.headers.location as string);
    expect(confirmation.statusCode).toBe(200);
    for (const text of ['Votre demande a bien été envoyée', row.reference, row.tracking_code, `/suivi/${row.tracking_code}`, `Un accusé de réception a été envoyé à ${citizen.email}`, 'Famille', '10 jours ouvrés'])
      expect(confirmation.body).toContain(text);
    expect(confirmation.body).toContain(`href="/demandes/${row.reference}/accuse-reception.pdf"`);

    // A submitted draft cannot be changed any more.
    const edit = await post(browser, `${base}/details`, { urgent: 'true', motif: 'trop tard' });
    expect(edit.statusCode).toBe(303);
    expect(edit.headers.location).toBe(`/demarches/demande-enfant/envoyee/${draftId}`);
    expect((await get(browser, `${base}/details`)).headers.location).toBe(`/demarches/demande-enfant/envoyee/${draftId}`);
  });

  it('makes one case of simultaneous submissions of the same draft (double click, retry)', async () => {
    const browser = await citizenBrowser(citizen);
    const base = await fillChildRequest(browser);
    const before = await caseCount();
    const answers = await Promise.all([1, 2, 3, 4].map(() => post(browser, `${base}/recapitulatif`, { declaration: 'oui' })));
    expect(answers.map((a) => a.statusCode), answers.map((a) => a.body.slice(0, 300)).join(' ')).toEqual([303, 303, 303, 303]);
    expect(new Set(answers.map((a) => a.headers.location)).size).toBe(1);
    expect(await caseCount()).toBe(before + 1);
  });

  it('answers the reason when urgent, on the page shown for urgent requests only', async () => {
    const browser = await citizenBrowser(citizen);
    const first = await start(browser, 'demande-enfant');
    const base = first.replace(/\/identite$/, '');
    const missing = await post(browser, `${base}/details`, { urgent: 'true', motif: '', _nav: 'next' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain(`href="#${inputIdOf('motif')}"`);
    expect((await post(browser, `${base}/details`, { urgent: 'true', motif: 'Départ en classe verte demain', _nav: 'next' })).headers.location).toBe(`${base}/urgence`);
    const page = await get(browser, `${base}/urgence`);
    expect(page.body).toContain('Étape 4 sur 6');
    expect((await post(browser, `${base}/urgence`, { telephoneUrgence: '06 12 34 56 78', _nav: 'back' })).headers.location).toBe(`${base}/details`);
  });

  it('says which answers are wrong, with a summary linking to each field (422)', async () => {
    const browser = await citizenBrowser(citizen);
    const first = await start(browser, 'demande-enfant');
    const res = await post(browser, first, { ...identityAnswers, prenoms: '', courriel: 'pas-une-adresse', 'adresse.postcode': '', _nav: 'next' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('<title>Erreur — Votre identité');
    expect(res.body).toContain('class="error-summary"');
    for (const path of ['prenoms', 'courriel']) expect(res.body).toContain(`href="#${inputIdOf(path)}"`);
    expect(res.body).toContain('aria-invalid="true"');
    // What was typed is kept.
    expect(res.body).toContain('value="pas-une-adresse"');
    // A child outside the household is refused.
    const base = first.replace(/\/identite$/, '');
    const stranger = await post(browser, `${base}/enfant`, { enfant: '999999', _nav: 'next' });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.body).toContain('ne fait pas partie de votre foyer');
  });

  it('saves to resume later, lists the draft in « Mes brouillons » and deletes it', async () => {
    const browser = await citizenBrowser(other);
    const first = await start(browser, 'demande-enfant');
    const saved = await post(browser, first, { ...identityAnswers, prenoms: 'Paul', _nav: 'save' });
    const base = first.replace(/\/identite$/, '');
    expect((await postMultipart(browser, `${base}/justificatif`, { _nav: 'save' }, [{ name: fileInputName('piece'), filename: 'facture.pdf', type: 'application/pdf', bytes: smallPdf }])).statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${first}?enregistre=1`);
    const notice = await get(browser, saved.headers.location as string);
    expect(notice.body).toContain('Vos réponses sont enregistrées');
    expect(notice.body).toContain('value="Paul"');
    const list = await get(browser, '/mes-brouillons');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Demande pour un enfant');
    const draftId = draftIdOf(first);
    expect(list.body).toContain(`href="/demarches/demande-enfant/brouillons/${draftId}"`);
    // « Reprendre » goes back to the page last saved.
    expect((await get(browser, `/demarches/demande-enfant/brouillons/${draftId}`)).headers.location).toBe(`${base}/justificatif`);
    // Another citizen cannot delete it; its owner can.
    expect((await post(await citizenBrowser(citizen), `/mes-brouillons/${draftId}/supprimer`, {})).statusCode).toBe(404);
    const deleted = await post(browser, `/mes-brouillons/${draftId}/supprimer`, {});
    expect(deleted.headers.location).toBe('/mes-brouillons?supprime=1');
    expect((await get(browser, '/mes-brouillons')).body).not.toContain(draftId);
    expect(await db.kysely.selectFrom('attachments').select('id').where('draft_id', '=', draftId).execute()).toEqual([]);
    expect((await get(browser, first)).statusCode).toBe(404);
    // Signed out: to the sign-in page.
    const signedOut = await visitorBrowser();
    expect((await get(signedOut, '/mes-brouillons')).headers.location).toBe('/connexion?retour=%2Fmes-brouillons');
  });
});

describe('files and repeatable groups', () => {
  it('takes a proof from the document safe (a copy the draft owns) and takes a file off', async () => {
    const browser = await citizenBrowser(citizen);
    const source = randomBytes(16).toString('base64url');
    await attachmentRepository.insert(db.kysely, organisationId, { id: source, sha256: 'a'.repeat(64), size: 900, mimeType: 'application/pdf', filename: 'domicile.pdf' }, new Date().toISOString(), { citizenId: citizen.citizenId });
    const documentId = (
      await db.kysely
        .insertInto('citizen_documents')
        .values({ citizen_id: citizen.citizenId, attachment_id: source, kind: 'justificatif_domicile', label: 'Justificatif de domicile', expires_on: null, created_at: new Date().toISOString(), deleted_at: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const base = (await start(browser, 'demande-enfant')).replace(/\/identite$/, '');
    const draftId = draftIdOf(`${base}/`);
    const picked = await postMultipart(browser, `${base}/justificatif`, { [`piece.__coffre`]: String(documentId), _nav: 'save' });
    expect(picked.statusCode).toBe(303);
    const afterPick = fromJson<Record<string, unknown>>((await db.kysely.selectFrom('form_drafts').select('data').where('id', '=', draftId).executeTakeFirstOrThrow()).data);
    const [copy] = afterPick['piece'] as string[];
    expect(copy).toBeDefined();
    expect(copy).not.toBe(source);
    expect((await get(browser, `${base}/justificatif`)).body).toContain('domicile.pdf');
    // Another citizen's document cannot be picked.
    const otherBrowser = await citizenBrowser(other);
    const otherBase = (await start(otherBrowser, 'demande-enfant')).replace(/\/identite$/, '');
    expect((await postMultipart(otherBrowser, `${otherBase}/justificatif`, { [`piece.__coffre`]: String(documentId), _nav: 'next' })).statusCode).toBe(422);
    const otherDraft = await db.kysely.selectFrom('form_drafts').select('data').where('id', '=', draftIdOf(`${otherBase}/`)).executeTakeFirstOrThrow();
    expect(fromJson<Record<string, unknown>>(otherDraft.data)['piece'] ?? []).toEqual([]);
    // Taken off: the page asks for a file again.
    const removed = await postMultipart(browser, `${base}/justificatif`, { piece: copy!, [`piece.__retirer`]: copy!, _nav: 'next' });
    expect(removed.statusCode).toBe(422);
    const afterRemoval = fromJson<Record<string, unknown>>((await db.kysely.selectFrom('form_drafts').select('data').where('id', '=', draftId).executeTakeFirstOrThrow()).data);
    expect(afterRemoval['piece']).toEqual([]);
  });

  it('adds and removes group items with plain submit buttons, Enter still meaning « Continuer »', async () => {
    const browser = await citizenBrowser(citizen);
    const first = await start(browser, 'responsables');
    const page = await get(browser, first);
    const form = page.body.slice(page.body.indexOf('<form method="post" action="/demarches/responsables/'));
    expect(form.indexOf('name="_nav" value="next" hidden')).toBeGreaterThan(-1);
    expect(form.indexOf('name="_nav" value="next" hidden')).toBeLessThan(form.indexOf('name="_action"'));
    const added = await post(browser, first, { 'responsables[0].nom': 'Martin', _action: 'add:responsables' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(first);
    const draft = await db.kysely.selectFrom('form_drafts').select('data').where('id', '=', draftIdOf(first)).executeTakeFirstOrThrow();
    expect((fromJson<Record<string, unknown>>(draft.data)['responsables'] as unknown[]).length).toBe(2);
    const missing = await post(browser, first, { 'responsables[0].nom': 'Martin', 'responsables[1].nom': '', _nav: 'next' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain(`href="#${inputIdOf('responsables[1].nom')}"`);
    expect((await post(browser, first, { 'responsables[0].nom': 'Martin', 'responsables[1].nom': '', _action: 'remove:responsables[1]' })).statusCode).toBe(303);
    expect((await post(browser, first, { 'responsables[0].nom': 'Martin', _nav: 'next' })).headers.location).toBe(first.replace(/responsables$/, 'recapitulatif'));
  });
});

describe('a signed-out visitor', () => {
  it('reports a street problem anonymously, with an address and no map, and gets a tracking code', async () => {
    const browser = await visitorBrowser();
    const first = await start(browser, 'signalement-voirie');
    const base = first.replace(/\/signalement$/, '');
    const page = await get(browser, first);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Étape 1 sur 3');
    const problem = await postMultipart(browser, first, {
      categorie: 'nid_de_poule',
      precision: 'caché, donc ignoré',
      description: 'Un trou profond devant l’école',
      'position.address': '12 rue de la Paix, Ville-Test',
      'position.lat': '',
      'position.lon': '',
      _nav: 'next',
    });
    expect(problem.statusCode).toBe(303);
    expect(problem.headers.location).toBe(`${base}/coordonnees`);
    // Straight to the review without contact details: back to the contact step.
    expect((await get(browser, `${base}/recapitulatif`)).headers.location).toBe(`${base}/coordonnees`);
    const contact = await get(browser, `${base}/coordonnees`);
    expect(contact.body).toContain('Rester anonyme');
    expect(contact.body).toContain(`/connexion?retour=${encodeURIComponent(`${base}/coordonnees`)}`);
    const noChoice = await post(browser, `${base}/coordonnees`, { _nav: 'next' });
    expect(noChoice.statusCode).toBe(422);
    expect((await post(browser, `${base}/coordonnees`, { mode: 'anonyme', emailAnonyme: '', _nav: 'next' })).headers.location).toBe(`${base}/recapitulatif`);
    const review = await get(browser, `${base}/recapitulatif`);
    expect(review.body).toContain('Demande anonyme');
    expect(review.body).toContain('12 rue de la Paix');
    const sent = await post(browser, `${base}/recapitulatif`, { declaration: 'oui' });
    expect(sent.statusCode).toBe(303);
    const draft = await db.kysely.selectFrom('form_drafts').selectAll().where('id', '=', draftIdOf(first)).executeTakeFirstOrThrow();
    const row = await db.kysely.selectFrom('cases').selectAll().where('id', '=', draft.case_id!).executeTakeFirstOrThrow();
    expect(row.citizen_id).toBeNull();
    expect(row.channel).toBe('web');
    expect(row.address).toBe('12 rue de la Paix, Ville-Test');
    expect(fromJson<Record<string, unknown>>(row.data)).not.toHaveProperty('precision');
    const confirmation = await get(browser, sent.headers.location as string);
    expect(confirmation.body).toContain(row.tracking_code);
    expect(confirmation.body).toContain(`href="/suivi/${row.tracking_code}/accuse-reception.pdf"`);
    expect(confirmation.body).not.toContain('Un accusé de réception a été envoyé');
    // Signing in afterwards with the same browser shows the confirmation, but the anonymous request stays anonymous.
    const session = (await signInAs(db, citizen.citizenId)).cookie.split('; ')[0]!;
    const later = await get({ cookie: `${session}; ${browser.cookie}`, csrf: browser.csrf }, sent.headers.location as string);
    expect(later.statusCode).toBe(200);
    expect(later.body).toContain(`href="/suivi/${row.tracking_code}/accuse-reception.pdf"`);
    expect((await db.kysely.selectFrom('form_drafts').select('citizen_id').where('id', '=', draftIdOf(first)).executeTakeFirstOrThrow()).citizen_id).toBeNull();
  });

  it('gives contact details for a procedure that needs them, at least one way to be answered', async () => {
    const browser = await visitorBrowser();
    const base = (await start(browser, 'demande-enfant')).replace(/\/identite$/, '');
    expect((await post(browser, `${base}/identite`, { ...identityAnswers, _nav: 'next' })).headers.location).toBe(`${base}/enfant`);
    const contact = await get(browser, `${base}/coordonnees`);
    expect(contact.body).not.toContain('Rester anonyme');
    const none = await post(browser, `${base}/coordonnees`, { firstNames: 'Jean', lastName: 'Dupont', _nav: 'next' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('Indiquez au moins un moyen de vous répondre');
    expect(none.body).toContain(`href="#${inputIdOf('email')}"`);
    const ok = await post(browser, `${base}/coordonnees`, { firstNames: 'Jean', lastName: 'Dupont', email: 'jean.dupont@exemple.fr', _nav: 'next' });
    expect(ok.headers.location).toBe(`${base}/recapitulatif`);
    const stored = await db.kysely.selectFrom('form_drafts').select('contact').where('id', '=', draftIdOf(base + '/')).executeTakeFirstOrThrow();
    expect(fromJson<Record<string, unknown>>(stored.contact)).toMatchObject({ mode: 'identified', citizen: { firstNames: 'Jean', lastName: 'Dupont', email: 'jean.dupont@exemple.fr' } });
  });

  it('keeps the draft when signing in with the same browser: it becomes the citizen’s', async () => {
    const browser = await visitorBrowser();
    const first = await start(browser, 'demande-enfant');
    await post(browser, first, { ...identityAnswers, prenoms: 'Avant connexion', _nav: 'save' });
    const { cookie: sessionCookie } = await signInAs(db, citizen.citizenId);
    const session = sessionCookie.split('; ')[0]!;
    const signedIn: Browser = { cookie: `${session}; ${browser.cookie}`, csrf: browser.csrf };
    const page = await get(signedIn, first);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="Avant connexion"');
    const draft = await db.kysely.selectFrom('form_drafts').select('citizen_id').where('id', '=', draftIdOf(first)).executeTakeFirstOrThrow();
    expect(draft.citizen_id).toBe(citizen.citizenId);
    // Now the citizen's: the same browser signed out no longer opens it.
    expect((await get(browser, first)).statusCode).toBe(404);
  });
});

describe('refusals', () => {
  it('answers 404 on every route of a draft to anybody but its owner', async () => {
    const owner = await citizenBrowser(citizen);
    const base = await fillChildRequest(owner);
    const draftId = draftIdOf(`${base}/`);
    const visitorBase = (await start(await visitorBrowser(), 'signalement-voirie')).replace(/\/signalement$/, '');
    for (const intruder of [await citizenBrowser(other), await visitorBrowser()]) {
      for (const target of [base, visitorBase]) {
        for (const step of ['', '/identite', '/signalement', '/coordonnees', '/recapitulatif']) expect((await get(intruder, `${target}${step}`)).statusCode).toBe(404);
        expect((await post(intruder, `${target}/identite`, identityAnswers)).statusCode).toBe(404);
        expect((await post(intruder, `${target}/recapitulatif`, { declaration: 'oui' })).statusCode).toBe(404);
        expect((await get(intruder, target.replace(/brouillons\/([^/]+)$/, 'envoyee/$1'))).statusCode).toBe(404);
      }
    }
    // The same draft under another procedure's URL, or a malformed id: 404 too.
    expect((await get(owner, `/demarches/signalement-voirie/brouillons/${draftId}/recapitulatif`)).statusCode).toBe(404);
    expect((await get(owner, '/demarches/demande-enfant/brouillons/court/identite')).statusCode).toBe(404);
    expect((await get(owner, `${base}/page-inconnue`)).statusCode).toBe(404);
  });

  it('brings an error found by the intake back to the page where it can be corrected', async () => {
    const browser = await citizenBrowser(citizen);
    const base = await fillChildRequest(browser);
    // The stored file no longer matches what the field accepts (say, a type list tightened meanwhile).
    await db.kysely.updateTable('attachments').set({ mime_type: 'image/png' }).where('draft_id', '=', draftIdOf(`${base}/`)).execute();
    const before = await caseCount();
    const res = await post(browser, `${base}/recapitulatif`, { declaration: 'oui' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('<title>Erreur — Justificatif');
    expect(res.body).toContain(`action="${base}/justificatif"`);
    expect(res.body).toContain(`href="#${inputIdOf('piece')}"`);
    expect(res.body).toContain('Ce type de fichier n’est pas accepté ici');
    expect(await caseCount()).toBe(before);
  });

  it('drops a posted file id that is not one of the draft’s', async () => {
    const owner = await citizenBrowser(citizen);
    const foreign = { id: randomBytes(16).toString('base64url') };
    await attachmentRepository.insert(db.kysely, organisationId, { id: foreign.id, sha256: 'f'.repeat(64), size: 10, mimeType: 'application/pdf', filename: 'autre.pdf' }, new Date().toISOString(), { draftId: 'un-autre-brouillon' });
    const base = (await start(owner, 'demande-enfant')).replace(/\/identite$/, '');
    const res = await postMultipart(owner, `${base}/justificatif`, { piece: foreign.id, _nav: 'next' });
    expect(res.statusCode).toBe(422);
    const draft = await db.kysely.selectFrom('form_drafts').select('data').where('id', '=', draftIdOf(`${base}/`)).executeTakeFirstOrThrow();
    expect(fromJson<Record<string, unknown>>(draft.data)['piece']).toEqual([]);
  });

  it('refuses a post without the CSRF value (403)', async () => {
    const browser = await visitorBrowser();
    expect((await post(browser, '/demarches/signalement-voirie/commencer', {}, { csrf: false })).statusCode).toBe(403);
    const first = await start(browser, 'signalement-voirie');
    expect((await post(browser, first, { categorie: 'autre' }, { csrf: false })).statusCode).toBe(403);
    expect((await post({ ...browser, csrf: 'faux' }, first, { categorie: 'autre' })).statusCode).toBe(403);
    const citizenSide = await citizenBrowser(citizen);
    expect((await post(citizenSide, '/mes-brouillons/abcdefghijklmnopqrstuv/supprimer', {}, { csrf: false })).statusCode).toBe(403);
  });
});

describe('a realistic form of the demo commune', () => {
  let demoDb: Db;
  let demoApp: App;
  beforeAll(async () => {
    demoDb = await freshDb();
    await seedDemoCommune(demoDb);
    demoApp = await testApp(demoDb);
  }, 60_000);
  afterAll(async () => {
    await demoApp?.close();
    await demoDb?.close();
  });

  it('enrols the household’s only child at school: the child is prefilled, the guardians are a repeatable group', async () => {
    const organisationId = (await demoDb.kysely.selectFrom('organisations').select('id').executeTakeFirstOrThrow()).id;
    const now = new Date().toISOString();
    const household = await demoDb.kysely.insertInto('households').values({ organisation_id: organisationId, name: 'Foyer Roux', created_at: now }).returning('id').executeTakeFirstOrThrow();
    const parent = await signedInCitizen(demoDb, organisationId, { householdId: household.id, firstNames: 'Inès', lastName: 'Roux' });
    const child = await demoDb.kysely
      .insertInto('household_members')
      .values({ household_id: household.id, citizen_id: null, role: 'child', relationship: 'fils', first_names: 'Hugo', last_name: 'Roux', birth_date: '2020-02-03', created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const inject = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>) =>
      demoApp.inject({
        method,
        url,
        headers: { cookie: parent.cookie, ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(fields ? { payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString() } : {}),
      });
    let csrf = '';
    csrf = csrfOf((await inject('GET', '/demarches/inscription-scolaire')).body);
    const first = (await inject('POST', '/demarches/inscription-scolaire/commencer', {})).headers.location as string;
    const base = first.replace(/\/enfant$/, '');
    expect(first).toMatch(/\/enfant$/);
    const childPage = await inject('GET', first);
    expect(childPage.body).toContain('Hugo');
    // The child was prefilled: continuing as is goes on, without retyping the child's details.
    expect((await inject('POST', first, { enfant: String(child.id), _nav: 'next' })).headers.location).toBe(`${base}/scolarite`);
    expect((await inject('POST', `${base}/scolarite`, { niveau: 'ms', ecole: 'secteur', derogation: 'false', fratrie: 'false', _nav: 'next' })).headers.location).toBe(`${base}/responsables`);
    const guardians = await inject('POST', `${base}/responsables`, {
      'responsables[0].lien': 'mere',
      'responsables[0].nom': 'Roux',
      'responsables[0].prenom': 'Inès',
      'responsables[0].telephone': '06 11 22 33 44',
      _nav: 'next',
    });
    expect(guardians.headers.location).toBe(`${base}/recapitulatif`);
    const sent = await inject('POST', `${base}/recapitulatif`, { declaration: 'oui' });
    expect(sent.statusCode).toBe(303);
    const draft = await demoDb.kysely.selectFrom('form_drafts').select('case_id').where('id', '=', draftIdOf(first)).executeTakeFirstOrThrow();
    const row = await demoDb.kysely.selectFrom('cases').select(['data', 'citizen_id', 'channel']).where('id', '=', draft.case_id!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ citizen_id: parent.citizenId, channel: 'web' });
    const data = fromJson<Record<string, unknown>>(row.data);
    expect(data).toMatchObject({ enfant: String(child.id), niveau: 'ms', derogation: false, responsables: [{ lien: 'mere', nom: 'Roux', prenom: 'Inès', telephone: '+33611223344' }] });
    expect(data).not.toHaveProperty('enfantPrenom');
    expect((await inject('GET', sent.headers.location as string)).body).toContain('Votre demande a bien été envoyée');
  });
});

describe('HTML', () => {
  it.skipIf(!validatorAvailable)('is valid on every page of the flow, in error states too (Nu Html Checker)', async () => {
    const signedIn = await citizenBrowser(citizen);
    const base = await fillChildRequest(signedIn);
    const pages: { name: string; html: string }[] = [];
    const add = async (name: string, res: { body: string }) => pages.push({ name, html: res.body });
    await add('procédure', await get(signedIn, '/demarches/demande-enfant'));
    for (const step of ['identite', 'enfant', 'details', 'justificatif', 'recapitulatif']) await add(step, await get(signedIn, `${base}/${step}`));
    await add('récapitulatif en erreur', await post(signedIn, `${base}/recapitulatif`, {}));
    const sent = await post(signedIn, `${base}/recapitulatif`, { declaration: 'oui' });
    await add('confirmation', await get(signedIn, sent.headers.location as string));
    const other = (await start(signedIn, 'demande-enfant')).replace(/\/identite$/, '');
    await add('identité en erreur', await post(signedIn, `${other}/identite`, { ...identityAnswers, prenoms: '', courriel: 'faux', _nav: 'next' }));
    await add('justificatif en erreur', await postMultipart(signedIn, `${other}/justificatif`, { _nav: 'next' }, [{ name: fileInputName('piece'), filename: 'photo.png', type: 'image/png', bytes: PNG }]));
    await add('groupe', await get(signedIn, await start(signedIn, 'responsables')));
    await add('mes brouillons', await get(signedIn, '/mes-brouillons'));
    const visitor = await visitorBrowser();
    const street = (await start(visitor, 'signalement-voirie')).replace(/\/signalement$/, '');
    await add('signalement', await get(visitor, `${street}/signalement`));
    await postMultipart(visitor, `${street}/signalement`, { categorie: 'eclairage', description: 'Lampadaire éteint', 'position.address': 'Place du marché', _nav: 'next' });
    await add('coordonnées', await get(visitor, `${street}/coordonnees`));
    await add('coordonnées en erreur', await post(visitor, `${street}/coordonnees`, { mode: 'identifie', firstNames: '', _nav: 'next' }));
    const errors = await validateHtml(pages);
    expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});

describe('the flow’s rules', () => {
  it('evaluates conditions on the normalised answers, an invalid answer counting as none', () => {
    expect(normalisedAnswers(childForm, { urgent: 'true', prenoms: ' Léa ', courriel: 'faux' })).toEqual({ urgent: true, prenoms: 'Léa' });
    expect(visiblePages(childForm, normalisedAnswers(childForm, { urgent: 'true' })).map((p) => p.id)).toContain('urgence');
    expect(visiblePages(childForm, normalisedAnswers(childForm, { urgent: 'false' })).map((p) => p.id)).not.toContain('urgence');
    expect(visiblePages(childForm, normalisedAnswers(childForm, { urgent: 'peut-être' })).map((p) => p.id)).not.toContain('urgence');
  });

  it('prefills identity, address and the only child, never a member when several fit', () => {
    const profile = {
      id: 1, organisationId: 1, civility: 'Mme' as const, firstNames: 'Claire', birthName: 'Martin', usageName: null, birthDate: '1985-04-12', gender: null, birthPlace: null,
      birthCountry: null, identityAssurance: 'declared' as const, householdId: 1, email: 'claire@exemple.fr', phone: null,
      address: { line1: '3 rue des Lilas', postcode: '99000', city: 'Ville-Test', country: 'FR' },
    };
    const child = { id: 7, citizenId: null, role: 'child' as const, relationship: null, firstNames: 'Léa', lastName: 'Martin', birthDate: '2018-09-01' };
    expect(prefilledAnswers(childForm, profile, [child])).toEqual({
      civilite: 'Mme', prenoms: 'Claire', nom: 'Martin', courriel: 'claire@exemple.fr', adresse: profile.address, enfant: '7',
    });
    expect(prefilledAnswers(childForm, profile, [child, { ...child, id: 8 }])).not.toHaveProperty('enfant');
    expect(prefilledAnswers(childForm, null, [])).toEqual({});
  });

  it('lets a draft be opened by its citizen, or by the browser that started it', () => {
    expect(draftAccess({ citizenId: 1, visitorId: null }, { citizenId: 1, visitorId: 'v' })).toBe('owner');
    expect(draftAccess({ citizenId: 1, visitorId: 'v' }, { citizenId: 2, visitorId: 'v' })).toBe('none');
    expect(draftAccess({ citizenId: 1, visitorId: 'v' }, { citizenId: null, visitorId: 'v' })).toBe('none');
    expect(draftAccess({ citizenId: null, visitorId: 'v' }, { citizenId: null, visitorId: 'v' })).toBe('owner');
    expect(draftAccess({ citizenId: null, visitorId: 'v' }, { citizenId: 3, visitorId: 'v' })).toBe('adopt');
    expect(draftAccess({ citizenId: null, visitorId: 'v' }, { citizenId: null, visitorId: 'w' })).toBe('none');
    expect(draftAccess({ citizenId: null, visitorId: null }, { citizenId: null, visitorId: null })).toBe('none');
  });

  it('checks the contact step with the intake’s citizen form', () => {
    expect(checkContact(false, { firstNames: 'Jean', lastName: 'Dupont', phone: '06 12 34 56 78' })).toMatchObject({ ok: true, contact: { mode: 'identified', citizen: { phone: '+33612345678' } } });
    expect(checkContact(false, { firstNames: 'Jean' })).toMatchObject({ ok: false, errors: [{ field: 'lastName', code: 'required' }] });
    expect(checkContact(true, { mode: 'anonyme', firstNames: 'ignoré' })).toMatchObject({ ok: true, contact: { mode: 'anonymous', email: null } });
    expect(checkContact(true, { mode: 'anonyme', emailAnonyme: 'pas-une-adresse' })).toMatchObject({ ok: false });
  });
});
