/**
 * The attacks of finding 7 performed in Chromium: a page frames the signed-in back-office (refused),
 * an inline script slipped into a page (not run, and reported: the harness fails such a test), the
 * back-office and the API documentation load under their policies without a violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { browserAvailable, browserSkipReason, cspViolations, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation } from './factories.js';

let db: Db;
let app: App;
let agent: TestAgent;
let base: string;
let browser: Browser;

beforeAll(async () => {
  db = await freshDb();
  const organisationId = await makeOrganisation(db);
  const departmentId = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  app = await testApp(db);
  agent = await signedInAgent(db, organisationId, app.signCookie.bind(app), { roles: [{ departmentId, role: 'agent' }] });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  if (browserAvailable) browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app.close();
  await db.close();
});

const cookieOf = (header: string) => {
  const [name, value] = header.split('=');
  return { name: name!, value: value!, url: base };
};

describe.skipIf(!browserAvailable)(`security headers in Chromium${browserAvailable ? '' : ` — ${browserSkipReason}`}`, () => {
  it('refuses to show the signed-in back-office in a frame, even from the same site', async () => {
    const context = await browser.newContext();
    await context.addCookies([cookieOf(agent.cookie)]);
    const page = await context.newPage();
    // The attacker's page, served from this very origin (the worst case: a same-site page).
    await page.route(`${base}/piege`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><title>piège</title><iframe src="${base}/backoffice/dossiers"></iframe>` }),
    );
    await page.goto(`${base}/piege`);
    await page.waitForTimeout(500);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    expect(framed).toBeDefined();
    // Chromium replaces a refused frame by its error page: the back-office never renders there.
    expect(framed!.url()).not.toBe(`${base}/backoffice/dossiers`);
    expect(await framed!.locator('text=Dossiers').count()).toBe(0);
    // The harness saw the refusal as a violation: take it, it is this test's expected outcome.
    expect(cspViolations.splice(0).some((v) => v.includes("frame-ancestors 'none'"))).toBe(true);
    await context.close();
  });

  it('does not run an inline script slipped into a page, and the harness reports it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A stored XSS as the browser would get it: the real page and its real headers, plus a script.
    await page.route(`${base}/`, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace('</body>', '<script>window.pirate = true</script><img src="x" onerror="window.pirate = true"></body>');
      await route.fulfill({ response, body });
    });
    await page.goto(`${base}/`);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { pirate?: boolean }).pirate)).toBeUndefined();
    const reported = cspViolations.splice(0);
    expect(reported.some((v) => v.includes('script-src'))).toBe(true);
    await context.close();
  });

  it('shows the back-office and its htmx fragments without a violation', async () => {
    const context = await browser.newContext();
    await context.addCookies([cookieOf(agent.cookie)]);
    const page = await context.newPage();
    await page.goto(`${base}/backoffice/dossiers`);
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');
    expect(await page.evaluate(() => document.querySelectorAll('style').length)).toBe(0);
    await context.close();
  });

  it('shows the API documentation under its own policy without a violation', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/api/docs/`);
    await page.locator('.opblock').first().waitFor({ state: 'attached', timeout: 25_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(0);
    await page.close();
  });
});
