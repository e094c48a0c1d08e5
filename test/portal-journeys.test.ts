/**
 * Whole citizen journeys in Chromium on the seeded demo commune, against real peers started here: a
 * local SMTP sink receives the acknowledgments, a local OpenID provider plays FranceConnect. For
 * three procedures: find the procedure, sign in (password, or FranceConnect), fill the form with
 * what the town already knows prefilled, upload, submit, receive the acknowledgment by e-mail,
 * follow the case, and answer an agent's request for information with a file. Then an anonymous
 * street report with a photo, followed by its tracking code.
 */
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { DEMO_CITIZEN } from '../src/demo/citizen-account.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { listTransitions, runTransition } from '../src/workflow/service.js';
import { testApp } from './app.js';
import { browserAvailable, browserSkipReason, expectAccessible, launchBrowser, navigate } from './browser.js';
import { freshDb } from './db.js';
import { freePort } from './net.js';
import { TEST_IDENTITY, startFranceConnectProvider, type FranceConnectProvider } from './oidc-provider.js';
import { startSmtpReceiver } from './smtp.js';

let db: Db;
let app: App;
let base: string;
let organisationId: number;
let browser: Browser | undefined;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let provider: FranceConnectProvider;
let runJobs: () => Promise<number>;
let pdf: Buffer;
// A 1×1 PNG: the street report's photo.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  smtp = await startSmtpReceiver();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startFranceConnectProvider({ publicUrl: base });
  const env = { PUBLIC_URL: base, SMTP_URL: smtp.url, ...provider.env };
  app = await testApp(db, env);
  await app.listen({ port, host: '127.0.0.1' });
  const config = loadConfig({ ...env, DATA_DIR: '/tmp', LOG_LEVEL: 'silent' });
  const registry = new JobRegistry(applicationJobTypes());
  runJobs = () => runDueJobs({ db, config, log: pino({ level: 'silent' }) }, registry);
  pdf = Buffer.from(await textToPdf('Justificatif', 'Pièce demandée par la mairie.', { author: 'Test' }));
  if (browserAvailable) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await provider?.close();
  await smtp?.close();
  await db?.close();
});

const next = (page: Page) => navigate(page, () => page.click('button[name="_nav"][value="next"]:not([hidden])'));

async function signInWithPassword(page: Page): Promise<void> {
  await navigate(page, () => page.locator('main a[href^="/connexion?retour="]').first().click());
  await expectAccessible(page);
  await page.fill('#email', DEMO_CITIZEN.email);
  await page.fill('#password', DEMO_CITIZEN.password);
  await navigate(page, () => page.click('main form:has(#password) button[type="submit"]'));
}

async function signInWithFranceConnect(page: Page): Promise<void> {
  await navigate(page, () => page.locator('main a[href^="/connexion?retour="]').first().click());
  // The provider signs the test identity in without a screen and sends the browser back.
  await navigate(page, () => page.click('.franceconnect-button'));
  await page.waitForURL((url) => url.origin === base && !url.pathname.startsWith('/franceconnect'));
}

/** From the procedure page: start, let `fill` answer the pages, tick the declaration, send. */
async function fillAndSend(page: Page, fill: (page: Page) => Promise<void>): Promise<string> {
  await navigate(page, () => page.click('form[action$="/commencer"] button'));
  await expectAccessible(page);
  await fill(page);
  expect(page.url()).toMatch(/\/recapitulatif$/);
  await expectAccessible(page);
  await page.check('#declaration');
  await navigate(page, () => page.click('main form:has(#declaration) button[type="submit"]'));
  expect(page.url()).toMatch(/\/envoyee\//);
  await expectAccessible(page);
  const text = await page.locator('main').innerText();
  expect(text).toContain('Votre demande a bien été envoyée');
  const reference = /\b\d{4}-\d{6,}\b/.exec(text)?.[0];
  expect(reference).toBeDefined();
  return reference!;
}

/** The acknowledgment e-mail reached the sink, addressed to `email`, with the legal mentions. */
async function expectAcknowledgment(reference: string, email: string): Promise<void> {
  await runJobs();
  const mail = smtp.received.find((m) => m.subject?.includes(reference) && /accusé de réception/i.test(m.subject ?? ''));
  expect(mail, `acknowledgment of ${reference}`).toBeDefined();
  expect(JSON.stringify(mail!.to)).toContain(email);
  expect(mail!.text).toContain(reference);
  expect(mail!.text).toContain('Nous avons bien reçu votre demande');
  expect(mail!.text).toContain('Date et heure de réception');
}

/** An agent asks for missing pieces (the back-office's transition, through the workflow service). */
async function agentRequestsInformation(reference: string): Promise<void> {
  const caller = { organisationId, actor: { type: 'agent' as const, id: '1' }, roles: ['agent' as const], name: 'Agent de démonstration' };
  const { transitions, version } = await listTransitions(db.kysely, caller, reference);
  const ask = transitions.find((t) => t.name.startsWith('demander'));
  expect(ask, `a request-for-information transition on ${reference}`).toBeDefined();
  await runTransition(
    { db, timezone: 'Europe/Paris', publicUrl: base },
    caller,
    { reference, name: ask!.name, inputs: { piecesDemandees: 'Un justificatif de domicile de moins de trois mois.' }, expectedVersion: version },
  );
  await runJobs();
}

/** The citizen opens « Mes demandes », finds the request, and answers it with a PDF. */
async function answerFromMyCases(page: Page, reference: string): Promise<void> {
  await navigate(page, () => page.goto(`${base}/mes-demandes`));
  await expectAccessible(page);
  expect(await page.locator('main').innerText()).toContain(reference);
  await navigate(page, () => page.click(`a[href="/demandes/${reference}"]`));
  await expectAccessible(page);
  const text = await page.locator('main').innerText();
  expect(text).toContain('justificatif de domicile');
  const form = page.locator('form.my-case-form').first();
  await form.locator('textarea[name="body"]').fill('Voici mon justificatif de domicile.');
  await form.locator('input[name="files"]').setInputFiles({ name: 'justificatif.pdf', mimeType: 'application/pdf', buffer: pdf });
  await navigate(page, () => form.locator('button[type="submit"]').click());
  await expectAccessible(page);
  expect(await page.locator('main').innerText()).toContain('Voici mon justificatif de domicile.');
  const row = await db.kysely
    .selectFrom('messages as m')
    .innerJoin('cases as c', 'c.id', 'm.case_id')
    .innerJoin('attachments as a', 'a.message_id', 'm.id')
    .select(['m.direction', 'a.filename'])
    .where('c.reference', '=', reference)
    .where('m.direction', '=', 'in')
    .executeTakeFirst();
  expect(row).toEqual({ direction: 'in', filename: 'justificatif.pdf' });
}

async function statusCategoryOf(reference: string): Promise<string> {
  const caller = { organisationId, actor: { type: 'system' as const, id: null }, roles: 'system' as const };
  return (await listTransitions(db.kysely, caller, reference)).status.category;
}

describe.skipIf(!browserAvailable)('citizen journeys in Chromium', () => {
  let context: BrowserContext;

  it('birth certificate: search, password sign-in, prefilled address, acknowledgment, information request answered with a file', async () => {
    context = await browser!.newContext();
    const page = await context.newPage();
    await navigate(page, () => page.goto(base));
    await expectAccessible(page);
    await page.fill('#q', 'acte de naissance');
    await navigate(page, () => page.press('#q', 'Enter'));
    await navigate(page, () => page.click('a[href="/demarches/acte-naissance"]'));
    await signInWithPassword(page);
    expect(page.url()).toContain('/demarches/acte-naissance');

    const reference = await fillAndSend(page, async (p) => {
      await p.check('input[name="qualite"][value="titulaire"]');
      await next(p);
      await p.fill('[name="nom"]', 'Lefèvre');
      await p.fill('[name="prenoms"]', 'Camille');
      await p.fill('[name="dateNaissance"]', '1986-09-14');
      await p.fill('[name="lieuNaissance"]', 'Nantes');
      await next(p);
      await p.check('input[name="typeActe"][value="extrait_filiation"]');
      await p.fill('[name="nombreExemplaires"]', '2');
      await p.check('input[name="modeDelivrance"][value="courrier"]');
      // Dites-le-nous une fois: the postal address comes from the profile.
      expect(await p.inputValue('[name="adresseEnvoi.line1"]')).toBe(DEMO_CITIZEN.address.line1);
      expect(await p.inputValue('[name="adresseEnvoi.postcode"]')).toBe(DEMO_CITIZEN.address.postcode);
      await next(p);
    });
    await expectAcknowledgment(reference, DEMO_CITIZEN.email);
    await agentRequestsInformation(reference);
    expect(await statusCategoryOf(reference)).toBe('waiting_citizen');
    await answerFromMyCases(page, reference);
    expect(await statusCategoryOf(reference)).not.toBe('waiting_citizen');
    await context.close();
  }, 180_000);

  it('public space occupation: FranceConnect sign-in, a plan uploaded with the form, acknowledgment, information request answered', async () => {
    provider.signInAs(TEST_IDENTITY);
    context = await browser!.newContext();
    const page = await context.newPage();
    await navigate(page, () => page.goto(base));
    await navigate(page, () => page.click('a[href="/demarches/occupation-domaine-public"]'));
    await expectAccessible(page);
    await signInWithFranceConnect(page);
    expect(page.url()).toContain('/demarches/occupation-domaine-public');

    const reference = await fillAndSend(page, async (p) => {
      await p.check('input[name="typeDemandeur"][value="particulier"]');
      await next(p);
      await p.selectOption('[name="typeOccupation"]', 'benne');
      await p.fill('[name="adresse.line1"]', '8 rue du Moulin');
      await p.fill('[name="adresse.postcode"]', '99100');
      await p.fill('[name="adresse.city"]', 'Démo-sur-Loire');
      const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      await p.fill('[name="dateDebut"]', inAWeek);
      await p.fill('[name="dateFin"]', inAWeek);
      await p.check('input[name="stationnement"][value="false"]');
      await p.setInputFiles('input[type="file"]', { name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdf });
      await next(p);
    });
    const attached = await db.kysely
      .selectFrom('attachments as a')
      .innerJoin('cases as c', 'c.id', 'a.case_id')
      .select('a.filename')
      .where('c.reference', '=', reference)
      .execute();
    expect(attached.map((a) => a.filename)).toEqual(['plan.pdf']);
    await expectAcknowledgment(reference, TEST_IDENTITY.email);
    await agentRequestsInformation(reference);
    await answerFromMyCases(page, reference);
    expect(await statusCategoryOf(reference)).not.toBe('waiting_citizen');
    await context.close();
  }, 180_000);

  it('citizen census: password sign-in, identity and address prefilled, acknowledgment, information request answered', async () => {
    context = await browser!.newContext();
    const page = await context.newPage();
    await navigate(page, () => page.goto(`${base}/recherche?q=recensement`));
    await expectAccessible(page);
    await navigate(page, () => page.click('a[href="/demarches/recensement-citoyen"]'));
    await signInWithPassword(page);

    const reference = await fillAndSend(page, async (p) => {
      expect(await p.inputValue('[name="adresse.line1"]')).toBe(DEMO_CITIZEN.address.line1);
      await p.check('input[name="declarant"][value="representant"]');
      await p.fill('[name="nom"]', 'Lefèvre');
      await p.fill('[name="prenoms"]', 'Léa');
      await p.check('input[name="sexe"][value="F"]');
      await p.fill('[name="dateNaissance"]', '2010-05-21');
      await p.fill('[name="lieuNaissance"]', 'Démo-sur-Loire');
      await p.fill('[name="nationalite"]', 'française');
      await next(p);
      await next(p);
      await p.selectOption('[name="situation"]', 'scolaire');
      await next(p);
    });
    await expectAcknowledgment(reference, DEMO_CITIZEN.email);
    await agentRequestsInformation(reference);
    await answerFromMyCases(page, reference);
    await context.close();
  }, 180_000);

  it('anonymous street report with a photo, followed with its tracking code', async () => {
    context = await browser!.newContext();
    const page = await context.newPage();
    await navigate(page, () => page.goto(`${base}/demarches/signalement-voirie`));
    await navigate(page, () => page.click('form[action$="/commencer"] button'));
    await page.selectOption('[name="categorie"]', 'nid_de_poule');
    await page.fill('[name="description"]', 'Un nid-de-poule profond devant la boulangerie.');
    await page.check('input[name="danger"][value="true"]');
    await next(page);
    await page.fill('[name="localisation.address"]', '3 place du Marché, Démo-sur-Loire');
    await next(page);
    await page.setInputFiles('input[type="file"]', { name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await next(page);
    expect(page.url()).toMatch(/\/coordonnees$/);
    await page.check('input[name="mode"][value="anonyme"]');
    await next(page);
    await page.check('#declaration');
    await navigate(page, () => page.click('main form:has(#declaration) button[type="submit"]'));
    const text = await page.locator('main').innerText();
    const code = /[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(text)?.[0];
    expect(code).toBeDefined();
    const row = await db.kysely.selectFrom('cases').select(['id', 'citizen_id', 'reference']).where('tracking_code', '=', code!).executeTakeFirstOrThrow();
    expect(row.citizen_id).toBeNull();
    const photos = await db.kysely.selectFrom('attachments').select('mime_type').where('case_id', '=', row.id).execute();
    expect(photos).toEqual([{ mime_type: 'image/png' }]);

    await navigate(page, () => page.goto(`${base}/suivi`));
    await page.fill('input[name="code"]', code!);
    await navigate(page, () => page.press('input[name="code"]', 'Enter'));
    await expectAccessible(page);
    expect(await page.locator('main').innerText()).toContain(row.reference);
    await context.close();
  }, 180_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
