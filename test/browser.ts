import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';

/** Debian's Chromium; never a downloaded browser. CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(CHROMIUM);
export const browserSkipReason = `Tests navigateur ignorés : ${CHROMIUM} est absent (apt-get install chromium, ou CHROMIUM_PATH).`;

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Chromium, watched for Content-Security-Policy violations: every page of every context reports
 * them, and the test that caused one fails (see `cspViolations`). A future inline script, style
 * attribute or `onclick=` is caught by the browser tests even if the feature seems to work.
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // browser.newPage() goes through newContext() too, so this one wrapper watches every page.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watchCsp(await newContext(options));
  return browser;
}

/** Violations reported since the current test started; checked and cleared after each test. */
export const cspViolations: string[] = [];

const CSP_PREFIX = '[CSP violation]';

/** The page reports each violation on the console; Chromium also logs its own message there. */
async function watchCsp(context: BrowserContext): Promise<BrowserContext> {
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', function (e) {
    console.error(${JSON.stringify(CSP_PREFIX)} + ' ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber + ' (' + e.documentURI + ')');
  });`);
  const watch = (page: Page) =>
    page.on('console', (message) => {
      const text = message.text();
      if (text.startsWith(CSP_PREFIX) || (message.type() === 'error' && /Content Security Policy/i.test(text))) cspViolations.push(`${page.url()}: ${text}`);
    });
  context.pages().forEach(watch);
  context.on('page', watch);
  return context;
}

afterEach(() => {
  const found = cspViolations.splice(0);
  expect(found, 'violations de la Content-Security-Policy pendant ce test').toEqual([]);
});

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** WCAG 2.1 A and AA violations axe-core finds on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, not added as an inline <script> the page's CSP would block.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Asserts axe-core finds no WCAG 2.1 A/AA violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await axeViolations(page), page.url()).toEqual([]);
}

/** Runs an action that loads a new page (a click, a key, a submit) and waits until it has loaded. */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), action()]);
  await page.waitForLoadState('load');
}
