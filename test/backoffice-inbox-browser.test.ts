/**
 * The inbox in Chromium: axe-core clean with its filters open, with results, empty and with an
 * error summary; keyboard triage (j/k, x, Entrée, ?) that never captures keys typed in a field;
 * a new case of the list appearing without reload, announced politely.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_COOKIE } from '../src/backoffice/session.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune, submitLightingReport } from './factories.js';

let db: Db;
let app: App;
let base: string;
let browser: Browser | undefined;
let agent: TestAgent;
let commune: Awaited<ReturnType<typeof makeCommune>>;
const references: string[] = [];

async function newCase(description: string, citizen: Record<string, unknown> | null = null) {
  return (await submitLightingReport(db, commune.organisationId, citizen, description)).reference;
}

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  agent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { name: 'Bernadette Voirie', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  references.push(await newCase('Lampadaire éteint devant le n° 12', { firstNames: 'Claire', lastName: 'Martin', email: 'claire.martin@example.fr' }));
  references.push(await newCase('Trou dans la chaussée'));
  references.push(await newCase('Panneau tordu'));
  await db.kysely.updateTable('cases').set({ due_at: new Date(Date.now() - 3_600_000).toISOString() }).where('reference', '=', references[1]!).execute();
  if (browserAvailable) browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

async function signedInPage(): Promise<Page> {
  const context = await browser!.newContext();
  await context.addCookies([{ name: AGENT_COOKIE, value: agent.cookie.split('=')[1]!, url: base }]);
  return context.newPage();
}

describe.skipIf(!browserAvailable)('the inbox in Chromium', () => {
  it('is axe-clean with results and filters open, empty, and with an error summary', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/backoffice/dossiers`);
    expect(await page.locator('[data-inbox-list] tbody tr').count()).toBe(3);
    await page.locator('.inbox-filter-panel > summary').click();
    await page.locator('.inbox-views-manage, .inbox-save-view > summary').first().click();
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${base}/backoffice/dossiers?q=introuvable`);
    expect(await page.locator('#resultats-titre').textContent()).toBe('Aucun dossier');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${base}/backoffice/dossiers?canal=pigeon&recu_du=2025-02-31`);
    expect(await page.locator('.error-summary').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('triages by keyboard: j/k move, x ticks, ? shows the shortcuts, Entrée opens; typing in a field types', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/backoffice/dossiers`);
    await page.locator('#filtre-q').focus();
    await page.keyboard.type('jkx');
    expect(await page.locator('#filtre-q').inputValue()).toBe('jkx');
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());

    await page.keyboard.press('j');
    const firstRow = page.locator('[data-inbox-list] tbody tr').nth(0);
    expect(await firstRow.getAttribute('class')).toContain('inbox-row-current');
    await page.keyboard.press('j');
    const secondRow = page.locator('[data-inbox-list] tbody tr').nth(1);
    expect(await secondRow.getAttribute('class')).toContain('inbox-row-current');
    await page.keyboard.press('x');
    expect(await secondRow.locator('input[type=checkbox]').isChecked()).toBe(true);
    await page.keyboard.press('k');
    expect(await firstRow.getAttribute('class')).toContain('inbox-row-current');

    await page.keyboard.press('?');
    expect(await page.locator('.inbox-shortcuts').getAttribute('open')).not.toBeNull();

    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const reference = await firstRow.locator('.inbox-reference a').textContent();
    await Promise.all([page.waitForURL(`**/backoffice/dossiers/${reference}**`), page.keyboard.press('Enter')]);
    await page.context().close();
  }, 60_000);

  it('shows a new case of the list without reload, in a polite live region', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/backoffice/dossiers`);
    expect(await page.locator('.inbox-live').getAttribute('aria-live')).toBe('polite');
    const reference = await newCase('Nouveau signalement en direct');
    await page.locator(`[data-inbox-list] tbody tr:first-child .inbox-reference a:text("${reference}")`).waitFor({ timeout: 10_000 });
    expect(await page.locator('.inbox-live').textContent()).toBe('1 nouveau dossier en tête de liste');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);
});

describe.skipIf(browserAvailable)('the inbox in Chromium', () => {
  it.skip(browserSkipReason, () => {});
});
