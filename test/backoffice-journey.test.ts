/**
 * The agent's whole journey in Chromium, on the seeded demo commune, with a local SMTP sink: a
 * citizen asks for a birth certificate on the portal; an agent of the civil status department signs
 * in, triages the inbox (filters), opens the case by keyboard, takes it with the `a` shortcut,
 * answers with a response template, asks for a missing piece through the workflow; the citizen's
 * answer arrives through the portal with a file and the case stops waiting; the agent delivers the
 * certificate, which closes the case. Every page on the way is checked by axe-core.
 */
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { DEMO_AGENT_PASSWORD } from '../src/demo/agent-accounts.js';
import { DEMO_CITIZEN } from '../src/demo/citizen-account.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { listTransitions } from '../src/workflow/service.js';
import { testApp } from './app.js';
import { browserAvailable, browserSkipReason, expectAccessible, launchBrowser, navigate } from './browser.js';
import { freshDb } from './db.js';
import { freePort } from './net.js';
import { startSmtpReceiver } from './smtp.js';

const AGENT_EMAIL = 'nathalie.petit@ville-de-demo.fr';

let db: Db;
let app: App;
let base: string;
let organisationId: number;
let browser: Browser | undefined;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let runJobs: () => Promise<number>;
let pdf: Buffer;

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  smtp = await startSmtpReceiver();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { PUBLIC_URL: base, SMTP_URL: smtp.url };
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
  await smtp?.close();
  await db?.close();
});

async function statusOf(reference: string): Promise<{ id: string; category: string }> {
  const caller = { organisationId, actor: { type: 'system' as const, id: null }, roles: 'system' as const };
  return (await listTransitions(db.kysely, caller, reference)).status;
}

/** The citizen asks for a birth certificate on the portal, signed in with her password. */
async function citizenAsksForBirthCertificate(page: Page): Promise<string> {
  await navigate(page, () => page.goto(`${base}/demarches/acte-naissance`));
  await navigate(page, () => page.locator('main a[href^="/connexion?retour="]').first().click());
  await page.fill('#email', DEMO_CITIZEN.email);
  await page.fill('#password', DEMO_CITIZEN.password);
  await navigate(page, () => page.click('main form:has(#password) button[type="submit"]'));
  const next = () => navigate(page, () => page.click('button[name="_nav"][value="next"]:not([hidden])'));
  await navigate(page, () => page.click('form[action$="/commencer"] button'));
  await page.check('input[name="qualite"][value="titulaire"]');
  await next();
  await page.fill('[name="nom"]', 'Lefèvre');
  await page.fill('[name="prenoms"]', 'Camille');
  await page.fill('[name="dateNaissance"]', '1986-09-14');
  await page.fill('[name="lieuNaissance"]', 'Nantes');
  await next();
  await page.check('input[name="typeActe"][value="extrait_filiation"]');
  await page.fill('[name="nombreExemplaires"]', '1');
  await page.check('input[name="modeDelivrance"][value="courrier"]');
  await next();
  await page.check('#declaration');
  await navigate(page, () => page.click('main form:has(#declaration) button[type="submit"]'));
  const reference = /\b\d{4}-\d{6,}\b/.exec(await page.locator('main').innerText())?.[0];
  expect(reference).toBeDefined();
  return reference!;
}

describe.skipIf(!browserAvailable)('an agent handles a request from the inbox to its closing, in Chromium', () => {
  it('triage, take, template reply, information request, the citizen’s answer, closing', async () => {
    const citizenContext = await browser!.newContext();
    const citizen = await citizenContext.newPage();
    const reference = await citizenAsksForBirthCertificate(citizen);
    await runJobs();

    const agentContext = await browser!.newContext();
    const agent = await agentContext.newPage();

    // Sign in: the back-office sends a signed-out agent to its sign-in page.
    await navigate(agent, () => agent.goto(`${base}/backoffice/dossiers`));
    expect(agent.url()).toContain('/backoffice/connexion');
    await expectAccessible(agent);
    await agent.fill('#email', AGENT_EMAIL);
    await agent.fill('#password', DEMO_AGENT_PASSWORD);
    await navigate(agent, () => agent.press('#password', 'Enter'));
    expect(new URL(agent.url()).pathname).toBe('/backoffice/dossiers');
    await expectAccessible(agent);

    // Triage: the unassigned birth certificate requests.
    await agent.locator('details.inbox-filter-panel > summary').click();
    await agent.selectOption('select[name="demarche"]', 'acte-naissance');
    await agent.selectOption('select[name="attribution"]', 'aucune');
    await navigate(agent, () => agent.click('.inbox-filter-actions button[type="submit"]'));
    expect(agent.url()).toContain('demarche=acte-naissance');
    await expectAccessible(agent);
    const link = agent.locator(`main a[href^="/backoffice/dossiers/${reference}"]`).first();
    await expect.poll(() => link.count()).toBe(1);

    // Open it by keyboard.
    await link.focus();
    await navigate(agent, () => agent.keyboard.press('Enter'));
    expect(new URL(agent.url()).pathname).toBe(`/backoffice/dossiers/${reference}`);
    await expectAccessible(agent);
    expect(await agent.locator('main').innerText()).toContain('Camille');

    // Take it with the shortcut.
    await agent.locator('body').focus();
    await navigate(agent, () => agent.keyboard.press('a'));
    const assigned = await db.kysely
      .selectFrom('cases as c')
      .innerJoin('agents as a', 'a.id', 'c.assigned_agent_id')
      .select('a.email')
      .where('c.reference', '=', reference)
      .executeTakeFirst();
    expect(assigned?.email).toBe(AGENT_EMAIL);
    await expectAccessible(agent);

    // Reply with a response template, applied server-side, then sent.
    const template = agent.locator('#reply-modele');
    const option = await template.locator('option', { hasText: 'Accusé de prise en charge' }).getAttribute('value');
    await template.selectOption(option!);
    // With JavaScript, htmx swaps the reply box in place (without, the page reloads with it filled).
    await agent.locator('form.reply-template button[type="submit"]').click();
    await expect.poll(() => agent.inputValue('#reply-subject')).not.toBe('');
    const subject = await agent.inputValue('#reply-subject');
    const body = await agent.inputValue('#reply-body');
    expect(subject).toContain(reference);
    expect(body).toMatch(/^Madame,/);
    expect(body).not.toContain('{{');
    await expectAccessible(agent);
    await navigate(agent, () => agent.click('button[name="intent"][value="envoyer"]'));
    await expectAccessible(agent);
    await runJobs();
    const replyMail = smtp.received.find((m) => m.subject === subject);
    expect(replyMail, 'the templated reply reached the citizen').toBeDefined();
    expect(JSON.stringify(replyMail!.to)).toContain(DEMO_CITIZEN.email);

    // Ask for a missing piece through the workflow.
    await agent.fill('#ca-tr-demander_pieces-piecesDemandees', 'Un justificatif de domicile de moins de trois mois.');
    await navigate(agent, () => agent.click('#ca-tr-demander_pieces-submit'));
    await expectAccessible(agent);
    expect((await statusOf(reference)).category).toBe('waiting_citizen');
    await runJobs();

    // The citizen answers through the portal with a file.
    await navigate(citizen, () => citizen.goto(`${base}/demandes/${reference}`));
    expect(await citizen.locator('main').innerText()).toContain('justificatif de domicile');
    const form = citizen.locator('form.my-case-form').first();
    await form.locator('textarea[name="body"]').fill('Voici mon justificatif de domicile.');
    await form.locator('input[name="files"]').setInputFiles({ name: 'justificatif.pdf', mimeType: 'application/pdf', buffer: pdf });
    await navigate(citizen, () => form.locator('button[type="submit"]').click());
    expect((await statusOf(reference)).id).toBe('verification');

    // The agent sees the answer and its file in the timeline, then delivers the certificate.
    await navigate(agent, () => agent.reload());
    const page = await agent.locator('main').innerText();
    expect(page).toContain('Voici mon justificatif de domicile.');
    expect(page).toContain('justificatif.pdf');
    await expectAccessible(agent);
    await navigate(agent, () => agent.click('#ca-tr-delivrer-submit'));
    await expectAccessible(agent);
    const closed = await statusOf(reference);
    expect(closed).toEqual({ id: 'delivree', category: 'closed_accepted', label: expect.any(String), citizenLabel: expect.any(String) });

    // Back in the inbox, the closed case has left the open cases.
    await navigate(agent, () => agent.goto(`${base}/backoffice/dossiers?demarche=acte-naissance`));
    expect(await agent.locator(`main a[href^="/backoffice/dossiers/${reference}"]`).count()).toBe(0);
    await agentContext.close();
    await citizenContext.close();
  }, 240_000);
});

describe.skipIf(browserAvailable)('agent journey (skipped)', () => {
  it.skip(browserSkipReason, () => {});
});
