/**
 * The agents' case page in Chromium: axe-core clean with its map, timeline and file previews, and
 * so is the print view; the triage shortcuts: `n` opens the next case of the inbox list (never
 * while the agent is typing), `?` takes them to the written help, `r` to the reply's text, `a`
 * takes the case.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAttachment } from '../src/attachments/service.js';
import { AGENT_COOKIE } from '../src/backoffice/session.js';
import type { Db } from '../src/db/database.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { recordCitizenReply } from '../src/messages/citizen-reply.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let db: Db;
let app: App;
let base: string;
let browser: Browser | undefined;
let agent: TestAgent;
let first: string;
let second: string;

const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' });

beforeAll(async () => {
  db = await freshDb();
  const commune = await makeCommune(db);
  // Tiles from this very server (none exist): the map frame, controls and marker are still drawn.
  app = await testApp(db, { MAP_TILE_URL: '/tuiles/{z}/{x}/{y}.png', MAP_ATTRIBUTION: '© contributeurs OpenStreetMap' });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  agent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { name: 'Bernadette Voirie', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  const files = { db, storage: app.ctx.storage, maxBytes: 5_000_000 };
  const submit = async (description: string, citizen: Record<string, unknown> | null) => {
    const photo = await storeAttachment(files, commune.organisationId, PNG, 'lampadaire.png');
    const { receipt } = await submitCase(deps(), {
      organisationId: commune.organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'citizen', id: null },
      citizen,
      data: { categorie: 'eclairage', description, position: { address: '12 rue des Lilas, 99000 Ville-Test', lat: 48.8566, lon: 2.3522 }, photo: [photo.id] },
      hiddenFields: 'drop',
    });
    return receipt;
  };
  const receipt = await submit('Lampadaire éteint devant le n° 12', { firstNames: 'Claire', lastName: 'Martin', email: 'claire.martin@example.fr' });
  first = receipt.reference;
  const pdf = await storeAttachment(files, commune.organisationId, await textToPdf('Photo du poteau', 'Poteau 4521', { author: 'Claire', subject: 'Pièce' }), 'poteau.pdf', { owner: { citizenId: receipt.citizen!.id } });
  await recordCitizenReply(deps(), { organisationId: commune.organisationId, caseId: receipt.caseId, citizenId: receipt.citizen!.id, channel: 'portal', body: 'Voici le poteau.', attachmentIds: [pdf.id], receivedAt: new Date().toISOString() });
  second = (await submit('Autre lampadaire éteint', null)).reference;
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

describe.skipIf(!browserAvailable)('the case page in Chromium', () => {
  it('is axe-clean with its map, timeline and previews, and so is the print view', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/backoffice/dossiers/${first}`);
    await page.locator('.case-map.leaflet-container').waitFor({ state: 'visible' });
    expect(await page.locator('.case-map-marker').count()).toBe(1);
    expect(await page.locator('.case-timeline > li').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('img.case-file-image').count()).toBe(1);
    expect(await page.locator('iframe.case-file-pdf').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${base}/backoffice/dossiers/${first}/impression`);
    await page.locator('[data-print]').waitFor({ state: 'visible' });
    expect(await page.locator('nav[aria-label="Menu principal"]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('goes to the next case of the list with `n`, but not while typing; `?` shows the help', async () => {
    const page = await signedInPage();
    // The inbox's list of unassigned cases holds both; whichever it puts first leads to the other.
    const list = encodeURIComponent('attribution=aucune');
    await page.goto(`${base}/backoffice/dossiers/${first}?liste=${list}`);
    const [from, to] = (await page.locator('a[data-shortcut="n"]').count()) > 0 ? [first, second] : [second, first];
    await page.goto(`${base}/backoffice/dossiers/${from}?liste=${list}`);
    expect(await page.locator('a[data-shortcut="n"]').getAttribute('href')).toBe(`/backoffice/dossiers/${to}?liste=${list}`);

    // Typing « n » in a field types it.
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.id = 'essai';
      input.setAttribute('aria-label', 'Essai');
      document.querySelector('h1')!.after(input);
      input.focus();
    });
    await page.keyboard.press('n');
    expect(await page.locator('#essai').inputValue()).toBe('n');
    expect(page.url()).toContain(from);
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());

    await page.keyboard.press('?');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('raccourcis');

    await Promise.all([page.waitForURL(`**/backoffice/dossiers/${to}?liste=${list}`), page.keyboard.press('n')]);
    expect(await page.locator('h1').textContent()).toContain(to);
    // The last case of the list offers no next one.
    expect(await page.locator('a[data-shortcut="n"]').count()).toBe(0);
    await page.context().close();
  }, 60_000);

  it('opens the reply with `r` and takes the case with `a`', async () => {
    const page = await signedInPage();
    await page.goto(`${base}/backoffice/dossiers/${second}`);
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.closest('#reponse') !== null && document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    await Promise.all([page.waitForURL(/action=prise/), page.keyboard.press('a')]);
    expect(await page.locator('.case-facts').first().textContent()).toContain('Bernadette Voirie');
    await page.context().close();
  }, 60_000);
});

describe.skipIf(browserAvailable)('the case page in Chromium', () => {
  it.skip(browserSkipReason, () => {});
});
