/**
 * Registering requests in Chromium on the seeded demo commune, by keyboard: a phone call from a
 * citizen found by the search, acknowledged by e-mail (received by a local SMTP sink after the
 * jobs run); a postal letter from a new citizen with its scan and an earlier receipt date, first
 * refused with an error summary, then registered with its acknowledgment letter downloaded and
 * found in the mail register. axe-core checks every page on the way.
 */
import fs from 'node:fs';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_COOKIE } from '../src/backoffice/session.js';
import { today } from '../src/backoffice/registration/service.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { DEMO_CITIZEN } from '../src/demo/citizen-account.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { testApp } from './app.js';
import { signedInAgent } from './backoffice-session.js';
import { browserAvailable, browserSkipReason, expectAccessible, launchBrowser, navigate } from './browser.js';
import { freshDb } from './db.js';
import { freePort } from './net.js';
import { startSmtpReceiver } from './smtp.js';

const TZ = 'Europe/Paris';
let db: Db;
let app: App;
let base: string;
let browser: Browser | undefined;
let context: BrowserContext;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let runJobs: () => Promise<number>;
let scan: string;

beforeAll(async () => {
  db = await freshDb();
  const demo = await seedDemoCommune(db);
  smtp = await startSmtpReceiver();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { PUBLIC_URL: base, SMTP_URL: smtp.url, TIMEZONE: TZ };
  app = await testApp(db, env);
  await app.listen({ port, host: '127.0.0.1' });
  const config = loadConfig({ ...env, DATA_DIR: '/tmp', LOG_LEVEL: 'silent' });
  const registry = new JobRegistry(applicationJobTypes());
  runJobs = () => runDueJobs({ db, config, log: pino({ level: 'silent' }) }, registry);
  scan = `${fs.mkdtempSync('/tmp/guichet-scan-')}/courrier.pdf`;
  fs.writeFileSync(scan, Buffer.from(await textToPdf('Courrier', 'Madame, Monsieur, je souhaite connaître les horaires de la mairie.', { author: 'Test' })));
  if (!browserAvailable) return;
  browser = await launchBrowser();
  const agent = await signedInAgent(db, demo.organisationId, app.signCookie.bind(app), {
    name: 'Agent d’accueil',
    roles: [{ departmentId: demo.departments['accueil']!, role: 'agent' }],
  });
  context = await browser.newContext({ acceptDownloads: true });
  await context.addCookies([{ name: AGENT_COOKIE, value: agent.cookie.split('=')[1]!, url: `${base}/backoffice/` }]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
  await db?.close();
});

/** Focuses an element and presses a key on it, as a keyboard user would. */
async function press(page: Page, selector: string, key: string): Promise<void> {
  await page.focus(selector);
  await page.keyboard.press(key);
}

async function type(page: Page, selector: string, text: string): Promise<void> {
  await page.focus(selector);
  await page.keyboard.type(text);
}

/** Chooses an option of a drop-down list by keyboard: its first letters, typed while it has focus. */
async function choose(page: Page, selector: string, label: string): Promise<void> {
  await page.focus(selector);
  await page.keyboard.type(label);
  expect(await page.locator(`${selector} option:checked`).innerText()).toContain(label);
}

const submit = (page: Page, action: string) => navigate(page, () => press(page, `button[name="_action"][value="${action}"]:not([hidden])`, 'Enter'));

/** The contact form of the demo, answered. */
async function answerContact(page: Page, objet: string): Promise<void> {
  await choose(page, '#champ-sujet', 'Demande');
  await type(page, '#champ-objet', objet);
  await type(page, '#champ-message', 'Bonjour, quels sont les horaires d’ouverture de la mairie le samedi ?');
  await press(page, '#champ-reponse', 'Space');
}

describe.skipIf(!browserAvailable)('registering requests in the back-office (Chromium)', () => {
  it('registers a phone call from a known citizen, acknowledged by e-mail', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/backoffice/nouvelle-demande`);
    await expectAccessible(page);
    await press(page, '#champ-canal', 'Space');
    await press(page, '#champ-usager', 'Space');
    // Search as you type: the citizens module's fragment lists the hits without a reload.
    await type(page, '#usager-recherche', DEMO_CITIZEN.email);
    const hit = page.locator('#resultats-usagers input[name="citizenId"]').first();
    await expect.poll(() => hit.count(), { timeout: 10_000 }).toBe(1);
    await expectAccessible(page);
    await hit.focus();
    await page.keyboard.press('Space');
    expect(await page.locator('#resultats-usagers').innerText()).toContain('Lefèvre');
    expect(await page.locator('input[name="usager"][value="existant"]').isChecked()).toBe(true);
    // Enter in the search box searches too (the page comes back with the hits, as without JavaScript).
    await page.focus('#usager-recherche');
    await navigate(page, () => page.keyboard.press('Enter'));
    await expectAccessible(page);
    // The citizen picked before stays picked, with the same search's hits listed.
    expect(await page.locator('input[name="citizenId"]:checked').count()).toBe(1);

    await choose(page, '#champ-demarche', 'Contact');
    await submit(page, 'demarche');
    await expectAccessible(page);
    // The search's choice is kept across the re-rendering.
    expect(await page.locator('input[name="citizenId"]:checked').count()).toBe(1);
    await answerContact(page, 'Horaires du samedi');
    await press(page, '#champ-accuse', 'Space');
    await submit(page, 'envoyer');

    expect(page.url()).toMatch(/\/backoffice\/nouvelle-demande\/enregistree\//);
    await expectAccessible(page);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Demande enregistrée');
    expect(text).toContain('part par courriel');
    const reference = /\b\d{4}-\d{6}\b/.exec(text)![0];

    await runJobs();
    const mail = smtp.received.find((m) => m.subject?.includes(reference));
    expect(mail, `acknowledgment of ${reference}`).toBeDefined();
    expect(JSON.stringify(mail!.to)).toContain(DEMO_CITIZEN.email);
    expect(mail!.text).toContain('Date et heure de réception');
    await page.close();
  });

  it('registers a postal letter from a new citizen with its scan, and prints its acknowledgment', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/backoffice/nouvelle-demande?demarche=contact`);
    await press(page, '#champ-canal-3', 'Space');
    expect(await page.locator('#champ-canal-3').isChecked()).toBe(true);
    await press(page, '#champ-usager-2', 'Space');
    await choose(page, '#champ-usagerCivility', 'Monsieur');
    await type(page, '#champ-usagerFirstNames', 'Bernard');
    await type(page, '#champ-usagerLastName', 'Courrier');
    await type(page, '#champ-usagerAddress', '8 chemin des Vignes');
    await type(page, '#champ-usagerAddress-postcode', '99100');
    await type(page, '#champ-usagerAddress-city', 'Démo-sur-Loire');
    await page.setInputFiles('input[name="courrierNumerise.__fichier"]', scan);
    // A date in the future is refused, with the objet missing too: one summary, nothing written.
    await page.fill('#champ-dateReception', today(TZ, new Date(Date.now() + 3 * 86_400_000)));
    await press(page, '#champ-accuse-3', 'Space');
    await choose(page, '#champ-sujet', 'Demande');
    await type(page, '#champ-message', 'Lettre reçue par la poste, demande d’horaires.');
    await press(page, '#champ-reponse-3', 'Space');
    await submit(page, 'envoyer');

    const summary = page.locator('.error-summary');
    expect(await summary.innerText()).toContain('ne peut pas être dans le futur');
    expect(await summary.innerText()).toContain('Objet');
    await expectAccessible(page);
    // The summary's links lead to the fields, by keyboard.
    await press(page, '.error-summary a[href="#champ-objet"]', 'Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('champ-objet');
    await page.keyboard.type('Horaires de la mairie');
    await page.fill('#champ-dateReception', today(TZ, new Date(Date.now() - 2 * 86_400_000)));
    // The scan uploaded with the refused post is kept, listed under the field.
    expect(await page.locator('.form-file-list').innerText()).toContain('courrier.pdf');
    await submit(page, 'envoyer');

    expect(page.url()).toMatch(/\/backoffice\/nouvelle-demande\/enregistree\//);
    await expectAccessible(page);
    const text = await page.locator('main').innerText();
    const year = today(TZ).slice(0, 4);
    const registerNumber = new RegExp(`${year}-C-\\d{6}`).exec(text)?.[0];
    expect(registerNumber).toBeDefined();
    expect(text).toContain('imprimez-le');

    const link = page.locator('a[href$="/accuse-reception.pdf"]');
    await link.focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');

    await page.goto(`${base}/backoffice/courrier`);
    await expectAccessible(page);
    const register = await page.locator('table').innerText();
    expect(register).toContain(registerNumber!);
    expect(register).toContain('Courrier');
    // Without an « Objet du courrier », the register says the procedure.
    expect(register).toContain('Contacter la mairie');
    await page.close();
  });
});

if (!browserAvailable) console.warn(browserSkipReason);
