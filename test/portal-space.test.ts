/**
 * « Mon espace »: each page for its owner, the profile and its certified identity, the household,
 * the document safe, notification preferences as queueCitizenMessage applies them, the JSON export
 * and the account deletion request; refusals (another citizen's resources, missing CSRF, signed out).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, VISITOR_COOKIE } from '../src/portal/session.js';
import { caseRepository } from '../src/cases/repository.js';
import type { Db } from '../src/db/database.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import type { exportMyData } from '../src/portal/space/my-data.js';
import { queueCitizenMessage, templateVariables } from '../src/workflow/effects.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';
import { csrfOf, signedInCitizen, type TestCitizen } from './portal-session.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let pdf: Buffer;

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  await db.kysely.updateTable('organisations').set({ email: 'mairie@ville-test.fr' }).where('id', '=', commune.organisationId).execute();
  app = await testApp(db);
  pdf = await textToPdf('Justificatif', 'Facture d’électricité de mars.', { author: 'Test' });
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

const HTML = 'text/html,application/xhtml+xml';
const get = (url: string, who?: TestCitizen) => app.inject({ method: 'GET', url, headers: { accept: HTML, ...(who ? { cookie: who.cookie } : {}) } });
const post = (url: string, who: TestCitizen, form: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    headers: { accept: HTML, cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
  });

/** Posts a form of `url`, with the CSRF value its page carries. */
async function submitForm(url: string, who: TestCitizen, form: Record<string, string>, pageUrl = url) {
  const csrf = csrfOf((await get(pageUrl, who)).body);
  return post(url, who, { _csrf: csrf, ...form });
}

function multipart(fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }) {
  const boundary = '----guichet-test-boundary';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    chunks.push(file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(who: TestCitizen, fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }) {
  const csrf = csrfOf((await get('/mon-espace/documents', who)).body);
  const body = multipart({ _csrf: csrf, ...fields }, file);
  return app.inject({ method: 'POST', url: '/mon-espace/documents', headers: { accept: HTML, cookie: who.cookie, 'content-type': body.contentType }, payload: body.payload });
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function caseFor(who: TestCitizen, description: string) {
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
    {
      organisationId: commune.organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'citizen', id: String(who.citizenId) },
      citizen: null,
      citizenId: who.citizenId,
      data: { categorie: 'eclairage', description },
      location: { address: '1 rue de la Paix', lat: 48.85, lon: 2.35 },
      hiddenFields: 'reject',
    },
  );
  return receipt;
}

describe('« Mon espace » pages', () => {
  it('renders every page for its owner, with one h1, a CSRF value in each form, and no cache', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    const dashboard = await get('/mon-espace', owner);
    expect(dashboard.statusCode).toBe(200);
    for (const href of ['/mes-demandes', '/mes-brouillons', '/mon-compte/connexions', '/mon-compte/mot-de-passe', '/mon-espace/profil', '/mon-espace/foyer', '/mon-espace/documents', '/mon-espace/notifications', '/mon-espace/mes-donnees', '/mon-espace/supprimer-mon-compte']) {
      expect(dashboard.body).toContain(`href="${href}"`);
    }
    for (const url of ['/mon-espace', '/mon-espace/profil', '/mon-espace/foyer', '/mon-espace/foyer/ajouter', '/mon-espace/documents', '/mon-espace/notifications', '/mon-espace/mes-donnees', '/mon-espace/supprimer-mon-compte']) {
      const res = await get(url, owner);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
      expect(res.body.match(/<h1[ >]/g), url).toHaveLength(1);
      const forms = res.body.match(/<form method="post" action="\/mon-espace[^"]*"/g) ?? [];
      const csrfInputs = (res.body.match(/name="_csrf"/g) ?? []).length;
      expect(csrfInputs, url).toBeGreaterThanOrEqual(forms.length);
    }
    const documents = await get('/mon-espace/documents', owner);
    expect(documents.body).toContain('Formats acceptés : PDF, JPEG, PNG, WebP, HEIC. Taille maximale :');
    expect(documents.body).toContain('enctype="multipart/form-data"');
  });

  it('sends a signed-out visitor to the sign-in page, and back here afterwards', async () => {
    for (const url of ['/mon-espace', '/mon-espace/profil', '/mon-espace/documents/1/fichier', '/mon-espace/mes-donnees.json']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe(`/connexion?retour=${encodeURIComponent(url)}`);
    }
    const posted = await app.inject({ method: 'POST', url: '/mon-espace/profil', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'firstNames=X' });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toContain('/connexion?retour=');
  });

  it('refuses a form posted without its CSRF value (403) and changes nothing', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    for (const url of ['/mon-espace/profil', '/mon-espace/foyer/ajouter', '/mon-espace/notifications', '/mon-espace/supprimer-mon-compte']) {
      const res = await post(url, owner, { firstNames: 'Pirate', birthName: 'Pirate', relationship: 'enfant', role: 'child', lastName: 'X', confirm: '1', email: owner.email });
      expect(res.statusCode, url).toBe(403);
      expect(res.headers['content-type']).toContain('text/html');
    }
    const forged = await post('/mon-espace/profil', owner, { _csrf: 'faux', firstNames: 'Pirate', birthName: 'Pirate' });
    expect(forged.statusCode).toBe(403);
    const upload = multipart({ kind: 'autre', label: 'Sans jeton' }, { name: 'a.pdf', type: 'application/pdf', bytes: pdf });
    const res = await app.inject({ method: 'POST', url: '/mon-espace/documents', headers: { cookie: owner.cookie, 'content-type': upload.contentType }, payload: upload.payload });
    expect(res.statusCode).toBe(403);
    const citizen = await db.kysely.selectFrom('citizens').select(['first_names', 'household_id']).where('id', '=', owner.citizenId).executeTakeFirstOrThrow();
    expect(citizen).toEqual({ first_names: 'Claire', household_id: null });
    expect(await db.kysely.selectFrom('citizen_documents').select('id').where('citizen_id', '=', owner.citizenId).execute()).toEqual([]);
    expect((await db.kysely.selectFrom('citizen_accounts').select('deletion_requested_at').where('citizen_id', '=', owner.citizenId).executeTakeFirstOrThrow()).deletion_requested_at).toBeNull();
  });
});

describe('profile', () => {
  it('saves identity and contacts, then shows them', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    const res = await submitForm('/mon-espace/profil', owner, {
      civility: 'Mme',
      firstNames: 'Claire Anne',
      birthName: 'Martin',
      usageName: 'Durand',
      birthDate: '12/04/1985',
      phone: '06 12 34 56 78',
      'address.line1': '3 rue des Lilas',
      'address.line2': '',
      'address.postcode': '75 011',
      'address.city': 'Paris',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mon-espace/profil?fait=modification');
    const citizen = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', owner.citizenId).executeTakeFirstOrThrow();
    expect(citizen).toMatchObject({ first_names: 'Claire Anne', usage_name: 'Durand', birth_date: '1985-04-12' });
    expect(await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', owner.citizenId).execute()).toEqual([{ phone: '+33612345678' }]);
    expect(await db.kysely.selectFrom('citizen_addresses').select(['line1', 'postcode', 'city']).where('citizen_id', '=', owner.citizenId).execute()).toEqual([
      { line1: '3 rue des Lilas', postcode: '75011', city: 'Paris' },
    ]);
    const shown = await get('/mon-espace/profil?fait=modification', owner);
    expect(shown.body).toContain('Vos informations ont été enregistrées.');
    expect(shown.body).toContain('value="3 rue des Lilas"');
    expect(shown.body).toContain(owner.email);
    expect(shown.body).toContain('autocomplete="given-name"');
  });

  it('answers bad input with 422, an error summary linked to each field, and keeps what was typed', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    const res = await submitForm('/mon-espace/profil', owner, {
      firstNames: 'Claire',
      birthName: 'Martin',
      birthDate: isoDay(30),
      phone: '12',
      'address.line1': '3 rue des Lilas',
      'address.postcode': '123',
      'address.city': 'Paris',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('<title>Erreur — Mon profil');
    expect(res.body).toContain('class="error-summary"');
    expect(res.body).toContain('href="#phone"');
    expect(res.body).toContain('href="#address-postcode"');
    expect(res.body).toContain('href="#birthDate"');
    expect(res.body).toContain('Saisissez un numéro de téléphone valide');
    expect(res.body).toContain('Saisissez un code postal valide de 5 chiffres');
    expect(res.body).toMatch(/id="phone"[^>]*aria-describedby="phone-hint phone-error"[^>]*aria-invalid="true"|aria-describedby="phone-hint phone-error"/);
    expect(res.body).toContain('value="123"');
    expect(await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', owner.citizenId).execute()).toEqual([]);
    const missing = await submitForm('/mon-espace/profil', owner, { firstNames: '', birthName: 'Martin' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('href="#firstNames"');
  });

  it('shows a FranceConnect identity read-only and refuses any change to it', async () => {
    const owner = await signedInCitizen(db, commune.organisationId, { firstNames: 'Jeanne', lastName: 'Certifiée' });
    await db.kysely.updateTable('citizens').set({ identity_assurance: 'franceconnect' }).where('id', '=', owner.citizenId).execute();
    const shown = await get('/mon-espace/profil', owner);
    expect(shown.body).toContain('Certifiées par FranceConnect');
    expect(shown.body).not.toContain('name="firstNames"');
    expect(shown.body).not.toContain('name="birthDate"');
    expect(shown.body).toContain('name="phone"');

    const changes: Record<string, string>[] = [{ firstNames: 'Usurpée' }, { birthName: 'Autre' }, { birthDate: '2000-01-01' }, { civility: 'M' }, { firstNames: '' }];
    for (const change of changes) {
      const res = await submitForm('/mon-espace/profil', owner, { ...change, phone: '06 11 22 33 44' });
      expect(res.statusCode, JSON.stringify(change)).toBe(422);
      expect(res.body).toContain('Votre identité est certifiée');
      expect(res.body).toContain('href="#identite"');
    }
    const citizen = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', owner.citizenId).executeTakeFirstOrThrow();
    expect(citizen).toMatchObject({ first_names: 'Jeanne', birth_name: 'Certifiée', birth_date: '1985-04-12', civility: 'Mme' });
    expect(await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', owner.citizenId).execute()).toEqual([]);

    // The same values as the record, or none, are no change: contacts are saved.
    const same = await submitForm('/mon-espace/profil', owner, { firstNames: 'Jeanne', birthDate: '1985-04-12', phone: '06 11 22 33 44' });
    expect(same.statusCode).toBe(303);
    expect(await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', owner.citizenId).execute()).toEqual([{ phone: '+33611223344' }]);
  });
});

describe('household', () => {
  it('adds, edits and removes members, creating the household on the first one', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    const added = await submitForm('/mon-espace/foyer/ajouter', owner, { relationship: 'enfant', role: 'child', firstNames: 'Léa', lastName: 'Martin', birthDate: '2016-09-02' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/mon-espace/foyer?fait=ajout');
    const citizen = await db.kysely.selectFrom('citizens').select('household_id').where('id', '=', owner.citizenId).executeTakeFirstOrThrow();
    expect(citizen.household_id).not.toBeNull();
    await submitForm('/mon-espace/foyer/ajouter', owner, { relationship: 'conjoint', role: 'adult', firstNames: 'Paul', lastName: 'Martin' });
    const members = await db.kysely.selectFrom('household_members').selectAll().where('household_id', '=', citizen.household_id!).orderBy('id').execute();
    expect(members.map((m) => [m.first_names, m.role, m.relationship, m.birth_date])).toEqual([
      ['Léa', 'child', 'enfant', '2016-09-02'],
      ['Paul', 'adult', 'conjoint', null],
    ]);
    expect(await db.kysely.selectFrom('households').select('id').where('id', '=', citizen.household_id!).execute()).toHaveLength(1);

    const list = await get('/mon-espace/foyer?fait=ajout', owner);
    expect(list.body).toContain('La personne a été ajoutée à votre foyer.');
    expect(list.body).toContain('Léa Martin');
    expect(list.body).toContain('2 septembre 2016');

    const lea = members[0]!;
    const editPage = await get(`/mon-espace/foyer/${lea.id}/modifier`, owner);
    expect(editPage.statusCode).toBe(200);
    expect(editPage.body).toContain('value="Léa"');
    const edited = await submitForm(`/mon-espace/foyer/${lea.id}/modifier`, owner, { relationship: 'enfant', role: 'child', firstNames: 'Léa Rose', lastName: 'Martin', birthDate: '2016-09-02' });
    expect(edited.statusCode).toBe(303);
    expect((await db.kysely.selectFrom('household_members').select('first_names').where('id', '=', lea.id).executeTakeFirstOrThrow()).first_names).toBe('Léa Rose');

    const bad = await submitForm(`/mon-espace/foyer/${lea.id}/modifier`, owner, { relationship: 'conjoint', role: 'child', firstNames: '', lastName: 'Martin', birthDate: isoDay(10) });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('href="#firstNames"');
    expect(bad.body).toContain('href="#birthDate"');
    const spouseChild = await submitForm('/mon-espace/foyer/ajouter', owner, { relationship: 'conjoint', role: 'child', firstNames: 'X', lastName: 'Y' });
    expect(spouseChild.statusCode).toBe(422);
    expect(spouseChild.body).toContain('href="#role-adult"');
    const noChoice = await submitForm('/mon-espace/foyer/ajouter', owner, { firstNames: 'X', lastName: 'Y' });
    expect(noChoice.statusCode).toBe(422);
    expect(noChoice.body).toContain('href="#relationship-conjoint"');

    const confirm = await get(`/mon-espace/foyer/${lea.id}/retirer`, owner);
    expect(confirm.body).toContain('Retirer Léa Rose Martin de mon foyer ?');
    const removed = await submitForm(`/mon-espace/foyer/${lea.id}/retirer`, owner, {}, `/mon-espace/foyer/${lea.id}/retirer`);
    expect(removed.statusCode).toBe(303);
    expect(await db.kysely.selectFrom('household_members').select('id').where('id', '=', lea.id).execute()).toEqual([]);
  });

  it('answers 404 for another household’s member on every route, and changes nothing', async () => {
    const other = await signedInCitizen(db, commune.organisationId);
    await submitForm('/mon-espace/foyer/ajouter', other, { relationship: 'enfant', role: 'child', firstNames: 'Tom', lastName: 'Autre' });
    const tom = await db.kysely.selectFrom('household_members').select('id').where('first_names', '=', 'Tom').executeTakeFirstOrThrow();
    const intruder = await signedInCitizen(db, commune.organisationId);
    await submitForm('/mon-espace/foyer/ajouter', intruder, { relationship: 'enfant', role: 'child', firstNames: 'Zoé', lastName: 'Intruse' });
    const csrf = csrfOf((await get('/mon-espace/foyer/ajouter', intruder)).body);
    for (const url of [`/mon-espace/foyer/${tom.id}/modifier`, `/mon-espace/foyer/${tom.id}/retirer`, '/mon-espace/foyer/abc/modifier', '/mon-espace/foyer/999999/retirer']) {
      expect((await get(url, intruder)).statusCode, url).toBe(404);
      const res = await post(url, intruder, { _csrf: csrf, relationship: 'enfant', role: 'child', firstNames: 'Volé', lastName: 'Volé' });
      expect(res.statusCode, url).toBe(404);
    }
    expect((await db.kysely.selectFrom('household_members').select('first_names').where('id', '=', tom.id).executeTakeFirstOrThrow()).first_names).toBe('Tom');
  });
});

describe('document safe', () => {
  it('uploads a PDF, lists it with its expiry in words, downloads it for its owner only, and deletes it softly', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    const res = await upload(owner, { kind: 'justificatif_domicile', label: 'Facture mars', expiresOn: isoDay(10) }, { name: 'facture.pdf', type: 'application/pdf', bytes: pdf });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mon-espace/documents?fait=depot');
    await upload(owner, { kind: 'piece_identite', label: 'Carte d’identité', expiresOn: isoDay(-3) }, { name: 'cni.pdf', type: 'application/pdf', bytes: pdf });
    await upload(owner, { kind: 'livret_famille', label: 'Livret', expiresOn: '' }, { name: 'livret.pdf', type: 'application/pdf', bytes: pdf });
    await upload(owner, { kind: 'avis_imposition', label: 'Avis 2025', expiresOn: isoDay(400) }, { name: 'avis.pdf', type: 'application/pdf', bytes: pdf });

    const list = await get('/mon-espace/documents?fait=depot', owner);
    expect(list.body).toContain('Le document a été ajouté à votre porte-documents.');
    expect(list.body).toContain('Mes documents (4)');
    expect(list.body).toMatch(/Facture mars[\s\S]*<strong>Expire bientôt<\/strong>/);
    expect(list.body).toMatch(/Carte d’identité[\s\S]*<strong>Expiré<\/strong> depuis le/);
    expect(list.body).toContain('Sans date de fin de validité');
    expect(list.body).toContain('Valable jusqu’au');
    expect(list.body).toContain('Justificatif de domicile');

    const rows = await db.kysely.selectFrom('citizen_documents as d').innerJoin('attachments as a', 'a.id', 'd.attachment_id').select(['d.id', 'd.label', 'a.citizen_id', 'a.mime_type']).where('d.citizen_id', '=', owner.citizenId).orderBy('d.id').execute();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ label: 'Facture mars', citizen_id: owner.citizenId, mime_type: 'application/pdf' });
    const id = rows[0]!.id;

    const file = await get(`/mon-espace/documents/${id}/fichier`, owner);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="facture\.pdf"/);
    expect(file.headers['cache-control']).toBe('private, no-store');
    expect(file.rawPayload.equals(pdf)).toBe(true);

    const stranger = await signedInCitizen(db, commune.organisationId);
    const strangerCsrf = csrfOf((await get('/mon-espace/documents', stranger)).body);
    expect((await get(`/mon-espace/documents/${id}/fichier`, stranger)).statusCode).toBe(404);
    expect((await get(`/mon-espace/documents/${id}/supprimer`, stranger)).statusCode).toBe(404);
    expect((await post(`/mon-espace/documents/${id}/supprimer`, stranger, { _csrf: strangerCsrf })).statusCode).toBe(404);
    expect((await get('/mon-espace/documents/0/fichier', stranger)).statusCode).toBe(404);

    const confirm = await get(`/mon-espace/documents/${id}/supprimer`, owner);
    expect(confirm.body).toContain('Supprimer « Facture mars » ?');
    const deleted = await submitForm(`/mon-espace/documents/${id}/supprimer`, owner, {}, `/mon-espace/documents/${id}/supprimer`);
    expect(deleted.statusCode).toBe(303);
    const row = await db.kysely.selectFrom('citizen_documents').select(['deleted_at', 'attachment_id']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect(await db.kysely.selectFrom('attachments').select('id').where('id', '=', row.attachment_id).execute()).toHaveLength(1);
    expect((await get(`/mon-espace/documents/${id}/fichier`, owner)).statusCode).toBe(404);
    expect((await get('/mon-espace/documents', owner)).body).toContain('Mes documents (3)');
  });

  it('refuses a file of another type, a missing file and a missing label with 422 and an error summary', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    const text = await upload(owner, { kind: 'autre', label: 'Texte' }, { name: 'notes.pdf', type: 'application/pdf', bytes: Buffer.from('juste du texte, pas un PDF') });
    expect(text.statusCode).toBe(422);
    expect(text.body).toContain('<title>Erreur — Mon porte-documents');
    expect(text.body).toContain('href="#file"');
    expect(text.body).toContain('Ce type de fichier n’est pas accepté. Formats acceptés : PDF, JPEG, PNG, WebP, HEIC.');
    expect(text.body).toContain('value="Texte"');
    const nothing = await upload(owner, { kind: '', label: '' });
    expect(nothing.statusCode).toBe(422);
    for (const target of ['#kind', '#label', '#file']) expect(nothing.body).toContain(`href="${target}"`);
    const badDate = await upload(owner, { kind: 'rib', label: 'RIB', expiresOn: '31/02/2030' }, { name: 'rib.pdf', type: 'application/pdf', bytes: pdf });
    expect(badDate.statusCode).toBe(422);
    expect(badDate.body).toContain('href="#expiresOn"');
    expect(await db.kysely.selectFrom('citizen_documents').select('id').where('citizen_id', '=', owner.citizenId).execute()).toEqual([]);
  });

  it('announces the installation’s size limit and refuses a larger file with 422', async () => {
    const small = await testApp(db, { ATTACHMENT_MAX_BYTES: '1024' });
    try {
      const owner = await signedInCitizen(db, commune.organisationId);
      const page = await small.inject({ method: 'GET', url: '/mon-espace/documents', headers: { accept: HTML, cookie: owner.cookie } });
      expect(page.body).toContain('Taille maximale : 1 ko.');
      const big = await textToPdf('Gros justificatif', 'Ligne de texte assez longue pour grossir le fichier.\n'.repeat(200), { author: 'Test' });
      expect(big.length).toBeGreaterThan(1024);
      const body = multipart({ _csrf: csrfOf(page.body), kind: 'autre', label: 'Trop gros' }, { name: 'gros.pdf', type: 'application/pdf', bytes: big });
      const res = await small.inject({ method: 'POST', url: '/mon-espace/documents', headers: { accept: HTML, cookie: owner.cookie, 'content-type': body.contentType }, payload: body.payload });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Le fichier dépasse la taille maximale de 1 ko.');
      expect(res.body).toContain('href="#file"');
      expect(await db.kysely.selectFrom('citizen_documents').select('id').where('citizen_id', '=', owner.citizenId).execute()).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe('notification preferences', () => {
  async function messageFor(who: TestCitizen) {
    const receipt = await caseFor(who, 'Lampadaire éteint');
    const view = (await caseRepository.findById(db.kysely, receipt.caseId))!;
    const variables = await templateVariables(db.kysely, { timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' }, view, 'Reçue', {});
    const queued = await queueCitizenMessage(db.kysely, view, { subject: 'Dossier {{ case.reference }}', body: 'Votre demande avance.' }, variables, new Date().toISOString());
    const messages = await db.kysely.selectFrom('messages').select(['id', 'channel', 'recipient', 'status', 'body_text']).where('case_id', '=', view.id).orderBy('id').execute();
    const jobs = await db.kysely.selectFrom('jobs').select('payload').where('type', '=', 'message.send').execute();
    const queuedIds = new Set(jobs.map((j) => (JSON.parse(j.payload) as { messageId: number }).messageId));
    return { queued, messages: messages.map((m) => ({ ...m, job: queuedIds.has(m.id) })) };
  }

  it('e-mails by default; without e-mail keeps the message on the portal; with SMS adds a short notice to the mobile', async () => {
    const who = await signedInCitizen(db, commune.organisationId);
    const byDefault = await messageFor(who);
    expect(byDefault.queued.channel).toBe('email');
    expect(byDefault.messages).toEqual([expect.objectContaining({ channel: 'email', recipient: who.email, status: 'queued', job: true })]);

    // SMS needs a mobile on the profile: the page says so and refuses the choice.
    const noMobile = await get('/mon-espace/notifications', who);
    expect(noMobile.body).toContain('ajoutez d’abord un numéro de téléphone mobile');
    const refused = await submitForm('/mon-espace/notifications', who, { notifySms: '1' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('href="#notifySms"');

    await submitForm('/mon-espace/profil', who, { firstNames: 'Claire', birthName: 'Martin', phone: '07 98 76 54 32' });
    const saved = await submitForm('/mon-espace/notifications', who, { notifySms: '1' });
    expect(saved.statusCode).toBe(303);
    expect(await db.kysely.selectFrom('citizen_accounts').select(['notify_email', 'notify_sms']).where('citizen_id', '=', who.citizenId).executeTakeFirstOrThrow()).toEqual({ notify_email: 0, notify_sms: 1 });
    const page = await get('/mon-espace/notifications?fait=modification', who);
    expect(page.body).toContain('Vos préférences ont été enregistrées.');
    expect(page.body).toContain('Par SMS, au +33798765432');

    const portalAndSms = await messageFor(who);
    expect(portalAndSms.queued.channel).toBe('portal');
    expect(portalAndSms.messages).toEqual([
      expect.objectContaining({ channel: 'portal', recipient: null, status: 'recorded', job: false }),
      expect.objectContaining({ channel: 'sms', recipient: '+33798765432', status: 'queued', job: true }),
    ]);
    expect(portalAndSms.messages[1]!.body_text).toContain('« Mes demandes »');

    await submitForm('/mon-espace/notifications', who, {});
    const portalOnly = await messageFor(who);
    expect(portalOnly.messages).toEqual([expect.objectContaining({ channel: 'portal', status: 'recorded', job: false })]);
  });

  it('keeps the former behaviour for a citizen without an account', async () => {
    const { receipt } = await submitCase(
      { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
      {
        organisationId: commune.organisationId,
        procedureSlug: 'signalement-voirie',
        channel: 'phone',
        actor: { type: 'agent', id: '1' },
        citizen: { firstNames: 'Sans', lastName: 'Compte', phone: '06 55 44 33 22' },
        data: { categorie: 'eclairage', description: 'Sans compte' },
        location: { address: '2 rue Haute' },
        hiddenFields: 'drop',
      },
    );
    const view = (await caseRepository.findById(db.kysely, receipt.caseId))!;
    const variables = await templateVariables(db.kysely, { timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' }, view, 'Reçue', {});
    const queued = await queueCitizenMessage(db.kysely, view, { subject: 'Dossier', body: 'Texte' }, variables, new Date().toISOString());
    expect(queued.channel).toBe('sms');
  });
});

describe('my data', () => {
  it('exports the citizen’s own data as a JSON attachment, and nothing of another citizen', async () => {
    const owner = await signedInCitizen(db, commune.organisationId, { firstNames: 'Export', lastName: 'Moi' });
    const other = await signedInCitizen(db, commune.organisationId, { firstNames: 'Autre', lastName: 'Personne' });
    const mine = await caseFor(owner, 'Ma demande à moi');
    const theirs = await caseFor(other, 'La demande de quelqu’un d’autre');
    await submitForm('/mon-espace/foyer/ajouter', owner, { relationship: 'enfant', role: 'child', firstNames: 'Petit', lastName: 'Moi' });
    await upload(owner, { kind: 'rib', label: 'Mon RIB' }, { name: 'rib.pdf', type: 'application/pdf', bytes: pdf });

    const page = await get('/mon-espace/mes-donnees', owner);
    expect(page.body).toContain('articles 15 et 20');
    expect(page.body).toContain('href="/mon-espace/mes-donnees.json"');

    const res = await get('/mon-espace/mes-donnees.json', owner);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="mes-donnees-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const data = res.json() as NonNullable<Awaited<ReturnType<typeof exportMyData>>>;
    expect(data.identity).toMatchObject({ firstNames: 'Export', birthName: 'Moi' });
    expect(data.account).toMatchObject({ email: owner.email, notifyEmail: true });
    expect(JSON.stringify(data.account)).not.toMatch(/password_?hash/i);
    expect(data.household).toEqual([expect.objectContaining({ firstNames: 'Petit', relationship: 'enfant' })]);
    expect(data.cases).toHaveLength(1);
    expect(data.cases[0]).toMatchObject({ reference: mine.reference, data: { description: 'Ma demande à moi' } });
    expect(data.cases[0]!.steps[0]).toMatchObject({ label: 'Demande reçue' });
    expect(data.documents).toEqual([expect.objectContaining({ label: 'Mon RIB', mimeType: 'application/pdf', deletedAt: null })]);
    expect(data.sessions.length).toBeGreaterThanOrEqual(1);
    expect(data.contacts.emails).toEqual([expect.objectContaining({ email: owner.email })]);
    expect(res.body).not.toContain(theirs.reference);
    expect(res.body).not.toContain('quelqu’un d’autre');
    expect(res.body).not.toContain(other.email);
  });
});

describe('account deletion request', () => {
  it('explains, refuses an unconfirmed request, then records it with a mail to the town and its job, and signs out', async () => {
    const owner = await signedInCitizen(db, commune.organisationId);
    const page = await get('/mon-espace/supprimer-mon-compte', owner);
    expect(page.body).toContain('durée légale de conservation');
    expect(page.body).toContain('délégué à la protection des données');

    const unconfirmed = await submitForm('/mon-espace/supprimer-mon-compte', owner, { email: 'autre@exemple.fr' });
    expect(unconfirmed.statusCode).toBe(422);
    expect(unconfirmed.body).toContain('href="#confirm"');
    expect(unconfirmed.body).toContain('Cette adresse n’est pas celle de votre compte.');

    const res = await submitForm('/mon-espace/supprimer-mon-compte', owner, { confirm: '1', email: owner.email.toUpperCase() });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mon-espace/suppression-demandee');
    expect(String(res.headers['set-cookie'])).toContain('guichet_session=;');

    const account = await db.kysely.selectFrom('citizen_accounts').select('deletion_requested_at').where('citizen_id', '=', owner.citizenId).executeTakeFirstOrThrow();
    expect(account.deletion_requested_at).not.toBeNull();
    const mail = await db.kysely.selectFrom('outgoing_mails').selectAll().where('kind', '=', 'deletion_request').executeTakeFirstOrThrow();
    expect(mail).toMatchObject({ organisation_id: commune.organisationId, recipient: 'mairie@ville-test.fr', status: 'queued' });
    expect(mail.body_text).toContain(owner.email);
    const job = await db.kysely.selectFrom('jobs').selectAll().where('type', '=', 'account_mail.send').executeTakeFirstOrThrow();
    expect(JSON.parse(job.payload)).toEqual({ mailId: mail.id });

    const sessions = await db.kysely.selectFrom('portal_sessions').select('revoked_at').where('citizen_id', '=', owner.citizenId).execute();
    expect(sessions.every((s) => s.revoked_at !== null)).toBe(true);
    expect((await get('/mon-espace', owner)).statusCode).toBe(303);
    const confirmation = await get('/mon-espace/suppression-demandee');
    expect(confirmation.statusCode).toBe(200);
    expect(confirmation.body).toContain('Votre demande de suppression est enregistrée');
  });
});

describe.skipIf(!browserAvailable)('« Mon espace » in a browser (axe-core, real forms)', () => {
  it('passes axe-core (WCAG 2.1 A/AA) on every page and on forms in error, and uploads through the real form', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const owner = await signedInCitizen(db, commune.organisationId);
    await submitForm('/mon-espace/foyer/ajouter', owner, { relationship: 'enfant', role: 'child', firstNames: 'Léa', lastName: 'Martin' });
    const member = await db.kysely.selectFrom('household_members').select('id').where('first_names', '=', 'Léa').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const cookies = Object.fromEntries(owner.cookie.split('; ').map((pair) => pair.split('=') as [string, string]));
      await context.addCookies([SESSION_COOKIE, VISITOR_COOKIE].map((name) => ({ name, value: cookies[name]!, url: base })));
      const page = await context.newPage();
      for (const path of ['/mon-espace', '/mon-espace/profil', '/mon-espace/foyer', '/mon-espace/foyer/ajouter', `/mon-espace/foyer/${member.id}/modifier`, `/mon-espace/foyer/${member.id}/retirer`, '/mon-espace/documents', '/mon-espace/notifications', '/mon-espace/mes-donnees', '/mon-espace/supprimer-mon-compte']) {
        await page.goto(`${base}${path}`);
        expect(await axeViolations(page), path).toEqual([]);
      }

      await page.goto(`${base}/mon-espace/profil`);
      await page.fill('#phone', '12');
      await page.fill('#birthDate', '2999-01-01');
      await page.click('button:has-text("Enregistrer")');
      await page.waitForSelector('.error-summary');
      expect(await page.title()).toMatch(/^Erreur — Mon profil/);
      expect(await axeViolations(page)).toEqual([]);

      await page.goto(`${base}/mon-espace/documents`);
      await page.selectOption('#kind', 'justificatif_domicile');
      await page.fill('#label', 'Facture déposée au navigateur');
      await page.setInputFiles('#file', { name: 'facture.pdf', mimeType: 'application/pdf', buffer: pdf });
      await page.click('button:has-text("Ajouter au porte-documents")');
      await page.waitForURL(/fait=depot/);
      expect(await page.textContent('main')).toContain('Facture déposée au navigateur');
      expect(await axeViolations(page)).toEqual([]);

      await page.selectOption('#kind', 'autre');
      await page.fill('#label', 'Pas un PDF');
      await page.setInputFiles('#file', { name: 'texte.pdf', mimeType: 'application/pdf', buffer: Buffer.from('du texte') });
      await page.click('button:has-text("Ajouter au porte-documents")');
      await page.waitForSelector('.error-summary');
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    } finally {
      await browser.close();
    }
  }, 60_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
