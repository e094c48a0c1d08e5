/**
 * The acknowledgment of receipt (CRPA L112-11, R112-11-1): its content (pure), its sending through
 * the intake transaction to a real local SMTP sink, exactly once, and its PDF for the citizen, the
 * holder of a tracking code and the town's software.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodePDFRawStream, PDFArray, PDFDocument, PDFName, PDFRawStream, PDFString, type PDFObject } from 'pdf-lib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgmentContent, acknowledgmentHtml, acknowledgmentText, type AcknowledgmentFacts } from '../src/acknowledgments/content.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase, type IntakeRequest } from '../src/intake/service.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune, makeOrganisation, makeProcedure, makeToken } from './factories.js';
import { signedInAgent } from './backoffice-session.js';
import { signedInCitizen } from './portal-session.js';
import { startSmtpReceiver } from './smtp.js';

const PUBLIC_URL = 'https://ville-test.fr';
/** 3 March 2026, 14:05 in Paris (UTC+1 before the change to summer time). */
const RECEIVED_AT = '2026-03-03T13:05:00.000Z';

let db: Db;
let app: App;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let jobs: () => Promise<number>;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  db = await freshDb();
  commune = await makeCommune(db);
  const common = { departmentId: commune.departments.roads, isLocated: false };
  await makeProcedure(db, commune.organisationId, commune.departments.roads, {
    ...common,
    slug: 'autorisation-accord',
    title: 'Autorisation d’occupation du domaine public',
    target: { value: 15, unit: 'business_days' },
    silence: { regime: 'accept', delay: { value: 2, unit: 'months' } },
  });
  await makeProcedure(db, commune.organisationId, commune.departments.roads, {
    ...common,
    slug: 'autorisation-rejet',
    title: 'Dérogation au stationnement',
    silence: { regime: 'reject', delay: { value: 2, unit: 'months' } },
  });
  const env = { SMTP_URL: smtp.url, PUBLIC_URL, MAIL_FROM: 'Ville de Test <mairie@ville-test.fr>' };
  app = await testApp(db, env);
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-ack-')), ...env });
  const registry = new JobRegistry(applicationJobTypes());
  jobs = () => runDueJobs({ db, config, log: pino({ level: 'silent' }) }, registry);
});
afterAll(async () => {
  await app.close();
  await db.close();
  await smtp.close();
});

const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: PUBLIC_URL });
const data = { categorie: 'eclairage', description: 'Lampadaire éteint rue Nationale.' };

function request(overrides: Partial<IntakeRequest> = {}): IntakeRequest {
  return {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'web',
    actor: { type: 'citizen', id: null },
    citizen: { civility: 'Mme', firstNames: 'Claire', lastName: 'Martin', email: `claire.${Math.random().toString(36).slice(2)}@exemple.fr` },
    data,
    receivedAt: RECEIVED_AT,
    hiddenFields: 'reject',
    ...overrides,
  };
}

const mailsFor = (reference: string) => smtp.received.filter((m) => m.subject?.includes(reference));
const messagesOf = (caseId: number) => db.kysely.selectFrom('messages').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
const journalOf = async (caseId: number) =>
  (await db.kysely.selectFrom('case_journal').select(['type', 'payload']).where('case_id', '=', caseId).orderBy('seq').execute()).map((e) => ({
    type: e.type,
    payload: JSON.parse(e.payload) as Record<string, unknown>,
  }));
const jobsOf = async (messageIds: number[]) =>
  messageIds.length === 0 ? [] : db.kysely.selectFrom('jobs').selectAll().where('dedupe_key', 'in', messageIds.map((id) => `message:${id}`)).execute();

/** Text as one line: mails and PDFs wrap lines where the content has spaces. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

// --- Reading the text layer of our PDFs (standard fonts: hex strings in WinAnsi) -----------

const WIN_ANSI: Record<number, string> = { 0x80: '€', 0x85: '…', 0x8c: 'Œ', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x9c: 'œ' };

function decodeWinAnsi(hex: string): string {
  let out = '';
  for (let i = 0; i < hex.length; i += 2) {
    const code = parseInt(hex.slice(i, i + 2), 16);
    out += WIN_ANSI[code] ?? String.fromCharCode(code);
  }
  return out;
}

/** The text drawn on every page, in drawing order, one line per text operator; and the metadata. */
async function readPdf(bytes: Buffer): Promise<{ text: string; title: string | undefined; author: string | undefined; language: string | undefined; pages: number }> {
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const pdf = await PDFDocument.load(bytes);
  const lines: string[] = [];
  for (const page of pdf.getPages()) {
    const contents: PDFObject | undefined = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => pdf.context.lookup(ref)) : [contents];
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      const operators = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
      for (const match of operators.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) lines.push(decodeWinAnsi(match[1]!));
    }
  }
  const language = pdf.catalog.lookupMaybe(PDFName.of('Lang'), PDFString)?.decodeText();
  return { text: lines.join('\n'), title: pdf.getTitle(), author: pdf.getAuthor(), language, pages: pdf.getPageCount() };
}

// --- The content, pure ---------------------------------------------------------------------

const facts = (overrides: Partial<AcknowledgmentFacts> = {}): AcknowledgmentFacts => ({
  reference: '2026-000042',
  trackingCode: 'ABCD-EFGH-JKMN',
  trackingUrl: `${PUBLIC_URL}/suivi/ABCD-EFGH-JKMN`,
  receivedAt: '2026-05-01T07:05:00.000Z',
  issuedAt: '2026-05-01T07:06:00.000Z',
  timezone: 'Europe/Paris',
  procedureTitle: 'Permis de louer',
  target: { value: 2, unit: 'calendar_days' },
  dueAt: '2026-05-03T07:05:00.000Z',
  silence: { regime: 'none', delay: null },
  implicitDecisionAt: null,
  department: { name: 'Service de l’habitat', email: 'habitat@ville-test.fr', phone: '+33247000000', address: '2 rue de la Mairie, 37000 Tours' },
  organisation: { name: 'Ville de Tours', address: '1 place de la Mairie, 37000 Tours' },
  citizen: { civility: 'M', fullName: 'Jules Petit', address: { line1: '12 rue des Lilas', postcode: '37100', city: 'Tours', country: 'FR' } },
  ...overrides,
});

describe('acknowledgment content', () => {
  it('writes dates and times in French in the town’s zone, durations in words, and the department’s contacts', () => {
    const content = acknowledgmentContent(facts());
    const text = acknowledgmentText(content);
    expect(content.subject).toBe('Accusé de réception – demande n° 2026-000042');
    expect(text).toContain('Nous avons bien reçu votre demande « Permis de louer » le 1er mai 2026 à 9 h 05.');
    expect(text).toContain('Date et heure de réception : 1er mai 2026 à 9 h 05');
    expect(text).toContain('2 jours : une réponse vous sera apportée au plus tard le 3 mai 2026');
    expect(text).toContain('Adresse électronique : habitat@ville-test.fr');
    expect(text).toContain('Téléphone : 02 47 00 00 00');
    expect(text).toContain('Adresse postale : 2 rue de la Mairie, 37000 Tours');
    expect(text).toContain(`${PUBLIC_URL}/suivi/ABCD-EFGH-JKMN`);
    expect(text).toContain('Le service de l’habitat\nVille de Tours');
    expect(text).not.toMatch(/réputée|sous réserve|Télérecours|L232-3/);
  });

  it('for a silence-acceptance procedure, gives the date of implicit acceptance, the reserve of a complete file and the attestation', () => {
    const text = flat(acknowledgmentText(acknowledgmentContent(facts({ silence: { regime: 'accept', delay: { value: 2, unit: 'months' } }, implicitDecisionAt: '2026-07-01T21:59:59.999Z' }))));
    expect(text).toContain('décision implicite d’acceptation');
    expect(text).toContain('dans un délai de 2 mois à compter de sa réception, elle sera réputée acceptée le 1er juillet 2026, sous réserve que la demande soit complète.');
    expect(text).toContain('attestation d’acceptation implicite (article L232-3');
    expect(text).not.toMatch(/Télérecours|recours gracieux/);
  });

  it('for a silence-rejection procedure, gives the date of implicit rejection and the means and delays of appeal', () => {
    const text = flat(acknowledgmentText(acknowledgmentContent(facts({ silence: { regime: 'reject', delay: { value: 2, unit: 'months' } }, implicitDecisionAt: '2026-07-01T21:59:59.999Z' }))));
    expect(text).toContain('elle sera réputée rejetée le 1er juillet 2026, sous réserve que la demande soit complète.');
    expect(text).toContain('recours gracieux auprès de l’autorité qui l’a prise (Ville de Tours)');
    expect(text).toContain('recours contentieux devant le tribunal administratif');
    expect(text).toContain('dans un délai de deux mois');
    expect(text).toContain('« Télérecours citoyens »');
    expect(text).not.toContain('L232-3');
  });

  it('lays the letter out with the sender, the recipient’s postal address, place and date, object and signature', () => {
    const { letter, signature } = acknowledgmentContent(facts());
    expect(letter.sender).toEqual(['Ville de Tours', 'Service de l’habitat', '2 rue de la Mairie', '37000 Tours', 'Tél. 02 47 00 00 00', 'habitat@ville-test.fr']);
    expect(letter.recipient).toEqual(['Monsieur Jules Petit', '12 rue des Lilas', '37100 TOURS']);
    expect(letter.placeAndDate).toBe('Tours, le 1er mai 2026');
    expect(letter.object).toBe('Objet : accusé de réception de votre demande n° 2026-000042');
    expect(letter.salutation).toBe('Monsieur,');
    expect(signature[0]).toBe('Le service de l’habitat');
  });

  it('renders accessible HTML: language, title, headings, escaped text', () => {
    const html = acknowledgmentHtml(acknowledgmentContent(facts({ procedureTitle: 'Fête <script>' })));
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<title>Accusé de réception – demande n° 2026-000042</title>');
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toContain('<h2>Délai de traitement</h2>');
    expect(html).toContain('Fête &lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<a href="${PUBLIC_URL}/suivi/ABCD-EFGH-JKMN">`);
  });
});

// --- Sending, through the intake ------------------------------------------------------------

describe('acknowledgment sent on submission', () => {
  it('e-mails a web request for a silence-acceptance procedure exactly once, idempotent replay included', async () => {
    const key = { scope: 'portal:test', key: 'accord-1', requestHash: 'h1' };
    const asked = request({ procedureSlug: 'autorisation-accord', idempotency: key });
    const { receipt } = await submitCase(deps(), asked);
    expect(receipt.implicitDecisionAt).not.toBeNull();
    await jobs();

    const replay = await submitCase(deps(), asked);
    expect(replay).toMatchObject({ replayed: true, receipt: { reference: receipt.reference } });
    await jobs();

    const mails = mailsFor(receipt.reference);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.to).toMatchObject({ text: receipt.contactEmail });
    expect(mail.subject).toBe(`Accusé de réception – demande n° ${receipt.reference}`);
    const text = flat(mail.text ?? '');
    expect(text).toContain(`Référence du dossier : ${receipt.reference}`);
    expect(text).toContain('Date et heure de réception : 3 mars 2026 à 14 h 05');
    expect(text).toContain('Service : Voirie');
    expect(text).toContain('Adresse postale : 1 place de la Mairie, 99000 Ville-Test');
    expect(text).toContain('Adresse électronique : voirie@ville-test.fr');
    expect(text).toContain('Téléphone : 01 00 00 00 00');
    expect(text).toContain('15 jours ouvrés');
    expect(text).toContain('elle sera réputée acceptée le 4 mai 2026, sous réserve que la demande soit complète.');
    expect(text).toContain('attestation d’acceptation implicite (article L232-3');
    expect(text).toContain(`${PUBLIC_URL}/suivi/${receipt.trackingCode}`);
    expect(mail.html).toContain('lang="fr"');

    const messages = await messagesOf(receipt.caseId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ direction: 'out', channel: 'email', status: 'sent', recipient: receipt.contactEmail });
    const events = (await journalOf(receipt.caseId)).filter((e) => e.type.startsWith('acknowledgment.'));
    expect(events).toEqual([{ type: 'acknowledgment.sent', payload: { channel: 'email', messageId: messages[0]!.id } }]);
  });

  it('gives the means and delays of appeal for a silence-rejection procedure, and no silence mention without a regime', async () => {
    const { receipt: rejected } = await submitCase(deps(), request({ procedureSlug: 'autorisation-rejet', channel: 'mobile' }));
    const { receipt: plain } = await submitCase(deps(), request());
    await jobs();

    const [rejection] = mailsFor(rejected.reference);
    const text = flat(rejection!.text ?? '');
    expect(text).toContain('elle sera réputée rejetée le 4 mai 2026, sous réserve que la demande soit complète.');
    expect(text).toContain('recours gracieux auprès de l’autorité');
    expect(text).toContain('recours contentieux devant le tribunal administratif territorialement compétent, dans un délai de deux mois');
    expect(text).toContain('Télérecours citoyens');

    const [none, ...more] = mailsFor(plain.reference);
    expect(more).toHaveLength(0);
    const plainText = flat(none!.text ?? '');
    expect(plainText).toContain(`Référence du dossier : ${plain.reference}`);
    expect(plainText).toContain('10 jours ouvrés');
    expect(plainText).not.toMatch(/réputée|sous réserve que la demande soit complète|Télérecours|L232-3/);
  });

  it('sends nothing for channels without a default, nor when asked for none', async () => {
    const { receipt: phone } = await submitCase(deps(), request({ channel: 'phone', actor: { type: 'agent', id: '1' } }));
    const { receipt: web } = await submitCase(deps(), request({ acknowledgment: 'none' }));
    await jobs();
    for (const receipt of [phone, web]) {
      expect(mailsFor(receipt.reference)).toHaveLength(0);
      expect(await messagesOf(receipt.caseId)).toHaveLength(0);
      expect((await journalOf(receipt.caseId)).filter((e) => e.type.startsWith('acknowledgment.'))).toEqual([]);
    }
  });

  it('journals that no acknowledgment could be sent when e-mail is asked and none is known', async () => {
    const { receipt } = await submitCase(deps(), request({ citizen: { firstNames: 'Paul', lastName: 'Sans', phone: '02 47 00 00 00' } }));
    expect(receipt.contactEmail).toBeNull();
    expect(await messagesOf(receipt.caseId)).toHaveLength(0);
    const events = (await journalOf(receipt.caseId)).filter((e) => e.type.startsWith('acknowledgment.'));
    expect(events).toMatchObject([{ type: 'acknowledgment.not_sent', payload: { channel: 'email' } }]);
  });

  it('texts the reference, date and tracking link to a mobile, and refuses a landline', async () => {
    const { receipt } = await submitCase(deps(), request({ channel: 'counter', acknowledgment: 'sms', citizen: { firstNames: 'Léa', lastName: 'Roux', phone: '06 12 34 56 78' } }));
    const [sms, ...more] = await messagesOf(receipt.caseId);
    expect(more).toHaveLength(0);
    expect(sms).toMatchObject({ channel: 'sms', recipient: '+33612345678', status: 'queued' });
    expect(sms!.subject).toBe('Accusé de réception');
    expect(sms!.body_text).toBe(`Ville ville-test : demande ${receipt.reference} reçue le 3 mars 2026 à 14 h 05. Suivi : ${PUBLIC_URL}/suivi/${receipt.trackingCode}`);
    expect(await jobsOf([sms!.id])).toHaveLength(1);

    const { receipt: landline } = await submitCase(deps(), request({ channel: 'counter', acknowledgment: 'sms', citizen: { firstNames: 'Léo', lastName: 'Roux', phone: '02 47 00 00 00' } }));
    expect(await messagesOf(landline.caseId)).toHaveLength(0);
    expect((await journalOf(landline.caseId)).map((e) => e.type)).toContain('acknowledgment.not_sent');
  });

  it('records a letter to print for a request received by post, and the API gives it as a letter PDF', async () => {
    const { receipt } = await submitCase(
      deps(),
      request({
        channel: 'mail',
        actor: { type: 'agent', id: '1' },
        acknowledgment: 'letter',
        citizen: { civility: 'M', firstNames: 'Henri', lastName: 'Lebrun', address: { line1: '4 allée des Tilleuls', postcode: '99000', city: 'Ville-Test', country: 'FR' } },
      }),
    );
    const [letter, ...more] = await messagesOf(receipt.caseId);
    expect(more).toHaveLength(0);
    expect(letter).toMatchObject({ channel: 'letter', status: 'recorded', recipient: null, subject: `Accusé de réception de votre demande n° ${receipt.reference}` });
    expect(await jobsOf([letter!.id])).toHaveLength(0);
    expect((await journalOf(receipt.caseId)).filter((e) => e.type === 'acknowledgment.sent')).toEqual([{ type: 'acknowledgment.sent', payload: { channel: 'letter', messageId: letter!.id } }]);

    const res = await app.inject({ method: 'GET', url: `/api/v1/cases/${receipt.reference}/acknowledgment.pdf?format=letter`, headers: { authorization: `Bearer ${commune.tokens.read}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = await readPdf(res.rawPayload);
    const text = flat(pdf.text);
    expect(pdf.text.split('\n').slice(0, 3)).toEqual(['Ville ville-test', 'Service Voirie', '1 place de la Mairie']);
    expect(text).toContain('Monsieur Henri Lebrun 4 allée des Tilleuls 99000 VILLE-TEST');
    expect(text).toMatch(/Ville-Test, le \d{1,2}(er)? \S+ \d{4}/);
    expect(text).toContain(`Objet : accusé de réception de votre demande n° ${receipt.reference}`);
    expect(text).toContain('Monsieur,');
    expect(text).toContain('Nous vous prions d’agréer, Monsieur, l’expression de nos salutations distinguées.');
    expect(text).toContain('Le service Voirie');
  });
});

// --- The PDF routes --------------------------------------------------------------------------

describe('acknowledgment PDF routes', () => {
  it('gives the signed-in owner their acknowledgment with the same mentions as the e-mail, and 404 to another citizen', async () => {
    const owner = await signedInCitizen(db, commune.organisationId, { firstNames: 'Anne', lastName: 'Proprio' });
    const other = await signedInCitizen(db, commune.organisationId);
    const { receipt } = await submitCase(deps(), request({ procedureSlug: 'autorisation-accord', citizenId: owner.citizenId, citizen: { email: owner.email } }));
    await jobs();
    const url = `/demandes/${receipt.reference}/accuse-reception.pdf`;

    const res = await app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="accuse-reception-${receipt.reference}.pdf"`);
    expect(res.headers['cache-control']).toContain('no-store');
    const pdf = await readPdf(res.rawPayload);
    expect(pdf.title).toBe(`Accusé de réception de votre demande – dossier ${receipt.reference}`);
    expect(pdf.author).toBe('Ville ville-test');
    expect(pdf.language).toBe('fr-FR');
    expect(pdf.text.split('\n')[0]).toBe('Ville ville-test');
    const text = flat(pdf.text);
    const mail = flat(mailsFor(receipt.reference)[0]!.text ?? '');
    for (const mention of [
      receipt.reference,
      '3 mars 2026 à 14 h 05',
      'Voirie',
      'voirie@ville-test.fr',
      '01 00 00 00 00',
      '15 jours ouvrés',
      'elle sera réputée acceptée le 4 mai 2026, sous réserve que la demande soit complète.',
      'attestation d’acceptation implicite (article L232-3',
      `${PUBLIC_URL}/suivi/${receipt.trackingCode}`,
    ]) {
      expect(text).toContain(mention);
      expect(mail).toContain(mention);
    }

    for (const [cookie, path] of [
      [other.cookie, url],
      [owner.cookie, '/demandes/2026-999999/accuse-reception.pdf'],
    ] as const) {
      const refused = await app.inject({ method: 'GET', url: path, headers: { cookie, accept: 'text/html' } });
      expect(refused.statusCode).toBe(404);
      expect(refused.headers['content-type']).toContain('text/html');
      expect(refused.body).toContain('Page introuvable');
    }
    const signedOut = await app.inject({ method: 'GET', url });
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toBe(`/connexion?retour=${encodeURIComponent(url)}`);
  });

  it('gives the holder of the tracking code the PDF, kept out of caches and referrers, and 404 to a wrong code', async () => {
    const { receipt } = await submitCase(deps(), request({ procedureSlug: 'autorisation-rejet' }));
    const res = await app.inject({ method: 'GET', url: `/suivi/${receipt.trackingCode.toLowerCase()}/accuse-reception.pdf` });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'content-type': 'application/pdf', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    const text = flat((await readPdf(res.rawPayload)).text);
    expect(text).toContain(receipt.reference);
    expect(text).toContain('elle sera réputée rejetée le 4 mai 2026, sous réserve que la demande soit complète.');
    expect(text).toContain('Télérecours citoyens');
    expect(text).toContain('recours gracieux auprès de l’autorité');

    for (const code of ['ABCD-EFGH-JKMN', 'pas-un-code', receipt.reference]) {
      const refused = await app.inject({ method: 'GET', url: `/suivi/${code}/accuse-reception.pdf`, headers: { accept: 'text/html' } });
      expect(refused.statusCode).toBe(404);
      expect(refused.headers['content-type']).toContain('text/html');
    }
  });

  it('asks the API for a token with cases:read, and answers 404 for another organisation’s case', async () => {
    const { receipt } = await submitCase(deps(), request());
    const url = `/api/v1/cases/${receipt.reference}/acknowledgment.pdf`;
    const get = (token: string | null, path = url) => app.inject({ method: 'GET', url: path, headers: token ? { authorization: `Bearer ${token}` } : {} });

    const anonymous = await get(null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect((await get(commune.tokens.write)).statusCode).toBe(403);
    expect((await get(commune.tokens.read, `${url}?format=brouillon`)).statusCode).toBe(422);
    expect((await get(commune.tokens.read, '/api/v1/cases/2026-999999/acknowledgment.pdf')).statusCode).toBe(404);
    const elsewhere = await makeToken(db, await makeOrganisation(db, 'autre-ville'), ['cases:read']);
    expect((await get(elsewhere)).statusCode).toBe(404);

    const res = await get(commune.tokens.read);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`inline; filename="accuse-reception-${receipt.reference}.pdf"`);
    const pdf = await readPdf(res.rawPayload);
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    expect(flat(pdf.text)).toContain(`Référence du dossier ${receipt.reference}`);
    expect(flat(pdf.text)).not.toContain('réputée');
  });

  it('documents the API route in OpenAPI under « Dossiers »', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { tags: string[]; security: unknown[] }>> };
    const operation = spec.paths['/api/v1/cases/{reference}/acknowledgment.pdf']?.['get'];
    expect(operation?.tags).toEqual(['Dossiers']);
    expect(operation?.security).toEqual([{ bearer: [] }]);
    expect(spec.paths['/suivi/{code}/accuse-reception.pdf']).toBeUndefined();
  });
});

describe('the day an implicit decision is born, everywhere', () => {
  it('is the same on the receipt, the case API, the tracking API and page, the acknowledgment and the back-office', async () => {
    const token = await makeToken(db, commune.organisationId, ['cases:read', 'cases:write']);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { procedure: 'autorisation-accord', citizen: { firstNames: 'Inès', lastName: 'Silence', email: 'ines.silence@exemple.fr' }, data, receivedAt: RECEIVED_AT },
    });
    expect(created.statusCode, created.body).toBe(201);
    const receipt = created.json() as { reference: string; trackingCode: string; implicitDecisionAt: string; implicitDecisionOn: string };
    // Received 3 March: the delay runs from 4 March to 3 May; the decision is born on 4 May,
    // at midnight in Paris — still 3 May in UTC, which is why the API also gives the day.
    expect(receipt.implicitDecisionAt).toBe('2026-05-03T22:00:00.000Z');
    expect(receipt.implicitDecisionOn).toBe('2026-05-04');

    const read = await app.inject({ method: 'GET', url: `/api/v1/cases/${receipt.reference}`, headers: { authorization: `Bearer ${token}` } });
    expect(read.json()).toMatchObject({ implicitDecisionAt: receipt.implicitDecisionAt, implicitDecisionOn: '2026-05-04' });
    const listed = await app.inject({ method: 'GET', url: `/api/v1/cases?q=${receipt.reference}`, headers: { authorization: `Bearer ${token}` } });
    expect(listed.json().items).toEqual([expect.objectContaining({ reference: receipt.reference, implicitDecisionOn: '2026-05-04' })]);
    const tracked = await app.inject({ method: 'GET', url: `/api/v1/tracking/${receipt.trackingCode}` });
    expect(tracked.json()).toMatchObject({ implicitDecisionOn: '2026-05-04' });

    const page = await app.inject({ method: 'GET', url: `/suivi/${receipt.trackingCode}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('4 mai 2026');
    expect(page.body).not.toContain('3 mai 2026');

    const pdf = await app.inject({ method: 'GET', url: `/suivi/${receipt.trackingCode}/accuse-reception.pdf` });
    expect(pdf.statusCode).toBe(200);
    expect(flat((await readPdf(pdf.rawPayload)).text)).toContain('elle sera réputée acceptée le 4 mai 2026');

    const agent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { name: 'Val Voirie', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
    const casePage = await app.inject({ method: 'GET', url: `/backoffice/dossiers/${receipt.reference}`, headers: { accept: 'text/html', cookie: agent.cookie } });
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toMatch(/Décision implicite \(silence de l’administration\)[\s\S]*?4 mai 2026/);
  });
});
