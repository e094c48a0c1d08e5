/**
 * The online form in Chromium: an anonymous street report from the procedure page to the
 * confirmation with the keyboard alone, axe-core clean on every page (an error state included),
 * then the same path with JavaScript disabled.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';

let db: Db;
let app: App;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  db = await freshDb();
  await makeCommune(db);
  app = await testApp(db);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  if (browserAvailable) browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

/** Presses Tab until the focused element matches `selector` (keyboard only: no click, no focus()). */
async function tabTo(page: Page, selector: string, max = 100): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector} on ${page.url()}`);
}

/** Presses a key that submits a form and waits for the next page to load. */
async function submitWith(page: Page, key: string, url: RegExp): Promise<void> {
  // A page in error comes back at the same URL: wait for the navigation itself, not for the URL.
  await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), page.keyboard.press(key)]);
  await page.waitForLoadState('load');
  expect(page.url()).toMatch(url);
}

/**
 * The whole path: start, an error on the first page, the answers, staying anonymous, the
 * declaration, the confirmation. `check` runs on every page reached (axe-core when JS is on).
 */
async function reportWithKeyboard(page: Page, check: (page: Page, name: string) => Promise<void>): Promise<string> {
  await page.goto(`${base}/demarches/signalement-voirie`);
  await check(page, 'procedure');
  await tabTo(page, 'form[action$="/commencer"] button');
  await submitWith(page, 'Enter', /\/brouillons\/[^/]+\/signalement$/);
  await check(page, 'first page');

  // Nothing filled in: the page comes back in its error state.
  await tabTo(page, 'button[name="_nav"][value="next"]:not([hidden])');
  await submitWith(page, 'Enter', /\/signalement$/);
  expect(await page.title()).toMatch(/^Erreur — /);
  expect(await page.locator('.error-summary a').count()).toBeGreaterThan(0);
  await check(page, 'first page in error');

  await tabTo(page, 'select[name="categorie"]');
  await page.keyboard.press('ArrowDown');
  expect(await page.locator('select[name="categorie"]').inputValue()).toBe('nid_de_poule');
  await tabTo(page, 'textarea[name="description"]');
  await page.keyboard.type('Un trou profond devant l’école');
  await tabTo(page, 'input[name="position.address"]');
  await page.keyboard.type('12 rue de la Paix');
  await submitWith(page, 'Enter', /\/coordonnees$/);
  await check(page, 'contact');

  await tabTo(page, 'input[name="mode"]');
  await page.keyboard.press('ArrowDown');
  expect(await page.locator('input[name="mode"][value="anonyme"]').isChecked()).toBe(true);
  await tabTo(page, 'button[name="_nav"][value="next"]');
  await submitWith(page, 'Space', /\/recapitulatif$/);
  await check(page, 'review');
  expect(await page.locator('main').innerText()).toContain('Un trou profond devant l’école');

  await tabTo(page, '#declaration');
  await page.keyboard.press('Space');
  await tabTo(page, 'form button[type="submit"]');
  await submitWith(page, 'Enter', /\/envoyee\/[^/]+$/);
  await check(page, 'confirmation');
  const text = await page.locator('main').innerText();
  expect(text).toContain('Votre demande a bien été envoyée');
  const code = /[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(text)?.[0];
  expect(code).toBeDefined();
  return code!;
}

describe.skipIf(!browserAvailable)('the online form in Chromium', () => {
  it('goes from the procedure page to the confirmation with the keyboard alone, axe-core clean on every page', async () => {
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const found: { page: string; violations: unknown[] }[] = [];
      await reportWithKeyboard(page, async (p, name) => {
        found.push({ page: name, violations: await axeViolations(p) });
      });
      expect(found.filter((f) => f.violations.length > 0)).toEqual([]);
      expect(found.map((f) => f.page)).toEqual(['procedure', 'first page', 'first page in error', 'contact', 'review', 'confirmation']);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('works the same with JavaScript disabled', async () => {
    const context = await browser!.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const seen: string[] = [];
      const code = await reportWithKeyboard(page, async (_p, name) => {
        seen.push(name);
      });
      expect(seen).toHaveLength(6);
      const tracked = await db.kysely.selectFrom('cases').select(['channel', 'citizen_id']).where('tracking_code', '=', code).executeTakeFirstOrThrow();
      expect(tracked).toEqual({ channel: 'web', citizen_id: null });
    } finally {
      await context.close();
    }
  }, 90_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
