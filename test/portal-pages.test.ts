/**
 * Every portal page, signed out and signed in, through the checks the issue asks for: valid HTML
 * (Nu Html Checker), no axe-core violation (WCAG 2.0/2.1 A and AA) with JavaScript on, usable with
 * JavaScript off, light (document + CSS + JS under 100 KB as transferred, JS under 30 KB), and no
 * horizontal scroll at 320 px. Also the legal pages' content, the manifest, the service worker and
 * compression.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { DEMO_LEGAL } from '../src/demo/legal.js';
import { DEMO_PROCEDURES } from '../src/demo/procedures/index.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { legalContent } from '../src/portal/legal/content.js';
import { legalRepository } from '../src/portal/legal/repository.js';
import { VISITOR_COOKIE } from '../src/portal/session.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { makeOrganisation } from './factories.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { csrfOf, signedInCitizen, type TestCitizen } from './portal-session.js';

const KB = 1024;
const MAX_PAGE_BYTES = 100 * KB;
const MAX_JS_BYTES = 30 * KB;

let db: Db;
let app: App;
let organisationId: number;
let citizen: TestCitizen;
let base: string;
/** Filled in beforeAll: what the page URLs need. */
const fixture = { trackingCode: '', reference: '', formUrl: null as string | null };

interface PageSpec {
  name: string;
  /** The route as registered: a page that answers 404 while its route is not registered is not built yet. */
  route: string;
  url: () => string | null;
  status: number;
  signedIn?: boolean;
  /** Post the page's main form empty and check the answer (a form in its error state). */
  postEmpty?: boolean;
}

const onlineSlugs = DEMO_PROCEDURES.filter((p) => p.procedure.isOnline).map((p) => p.procedure.slug);

const PAGES: PageSpec[] = [
  { name: 'accueil', route: '/', url: () => '/', status: 200 },
  { name: 'recherche avec résultats', route: '/recherche', url: () => '/recherche?q=naissance', status: 200 },
  { name: 'recherche sans résultat', route: '/recherche', url: () => '/recherche?q=zzzz', status: 200 },
  ...onlineSlugs.map((slug) => ({ name: `démarche ${slug}`, route: '/demarches/:slug', url: () => `/demarches/${slug}`, status: 200 })),
  { name: 'suivi : formulaire', route: '/suivi', url: () => '/suivi', status: 200 },
  { name: 'suivi : dossier', route: '/suivi/:code', url: () => `/suivi/${fixture.trackingCode}`, status: 200 },
  { name: 'suivi : code inconnu', route: '/suivi', url: () => '/suivi?code=ZZZZ-ZZZZ-ZZZZ', status: 404 },
  { name: 'connexion', route: '/connexion', url: () => '/connexion', status: 200 },
  { name: 'connexion en erreur', route: '/connexion', url: () => '/connexion', status: 422, postEmpty: true },
  { name: 'inscription', route: '/inscription', url: () => '/inscription', status: 200 },
  { name: 'inscription en erreur', route: '/inscription', url: () => '/inscription', status: 422, postEmpty: true },
  { name: 'mot de passe oublié', route: '/mot-de-passe-oublie', url: () => '/mot-de-passe-oublie', status: 200 },
  { name: 'accessibilité', route: '/accessibilite', url: () => '/accessibilite', status: 200 },
  { name: 'mentions légales', route: '/mentions-legales', url: () => '/mentions-legales', status: 200 },
  { name: 'données personnelles', route: '/donnees-personnelles', url: () => '/donnees-personnelles', status: 200 },
  { name: 'conditions d’utilisation', route: '/conditions-utilisation', url: () => '/conditions-utilisation', status: 200 },
  { name: 'plan du site', route: '/plan-du-site', url: () => '/plan-du-site', status: 200 },
  { name: 'hors ligne', route: '/hors-ligne', url: () => '/hors-ligne', status: 200 },
  { name: 'page introuvable', route: '*', url: () => '/cette-page-n-existe-pas', status: 404 },
  // Signed in.
  { name: 'mon espace', route: '/mon-espace', url: () => '/mon-espace', status: 200, signedIn: true },
  { name: 'mon profil', route: '/mon-espace/profil', url: () => '/mon-espace/profil', status: 200, signedIn: true },
  { name: 'mon profil en erreur', route: '/mon-espace/profil', url: () => '/mon-espace/profil', status: 422, signedIn: true, postEmpty: true },
  { name: 'mon foyer', route: '/mon-espace/foyer', url: () => '/mon-espace/foyer', status: 200, signedIn: true },
  { name: 'ajouter un membre du foyer', route: '/mon-espace/foyer/ajouter', url: () => '/mon-espace/foyer/ajouter', status: 200, signedIn: true },
  { name: 'mes documents', route: '/mon-espace/documents', url: () => '/mon-espace/documents', status: 200, signedIn: true },
  { name: 'notifications', route: '/mon-espace/notifications', url: () => '/mon-espace/notifications', status: 200, signedIn: true },
  { name: 'mes données', route: '/mon-espace/mes-donnees', url: () => '/mon-espace/mes-donnees', status: 200, signedIn: true },
  { name: 'supprimer mon compte', route: '/mon-espace/supprimer-mon-compte', url: () => '/mon-espace/supprimer-mon-compte', status: 200, signedIn: true },
  { name: 'mes connexions', route: '/mon-compte/connexions', url: () => '/mon-compte/connexions', status: 200, signedIn: true },
  { name: 'changer de mot de passe', route: '/mon-compte/mot-de-passe', url: () => '/mon-compte/mot-de-passe', status: 200, signedIn: true },
  { name: 'mes demandes', route: '/mes-demandes', url: () => '/mes-demandes', status: 200, signedIn: true },
  { name: 'page d’une demande', route: '/demandes/:reference', url: () => `/demandes/${fixture.reference}`, status: 200, signedIn: true },
  { name: 'mes brouillons', route: '/mes-brouillons', url: () => '/mes-brouillons', status: 200, signedIn: true },
  { name: 'formulaire', route: '/demarches/:slug/brouillons/:draftId/:pageId', url: () => fixture.formUrl, status: 200, signedIn: true },
  { name: 'formulaire en erreur', route: '/demarches/:slug/brouillons/:draftId/:pageId', url: () => fixture.formUrl, status: 422, signedIn: true, postEmpty: true },
];

interface Fetched {
  spec: PageSpec;
  url: string;
  status: number;
  html: string;
}
/** Pages checked below; those whose route does not exist yet are listed in `notBuilt`. */
const fetched: Fetched[] = [];
const notBuilt: string[] = [];

const cookieOf = (spec: PageSpec, visitor: string) => (spec.signedIn ? citizen.cookie : visitor);
/** What a browser sends: HTML is what it asks for (an error then comes as an HTML page, not problem+json). */
const ACCEPT_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The `action` of the main's first POST form carrying a `_csrf` (the page's own form, not the header's sign-out). */
function mainFormAction(html: string, url: string): string {
  const main = html.slice(html.indexOf('<main'));
  const form = /<form\b[^>]*>/g;
  for (let m = form.exec(main); m; m = form.exec(main)) {
    if (!/method="post"/i.test(m[0])) continue;
    const action = /action="([^"]*)"/.exec(m[0]);
    return action?.[1] ? action[1].replace(/&amp;/g, '&') : url;
  }
  throw new Error(`no POST form in the main of ${url}`);
}

async function fetchPage(spec: PageSpec, visitor: string): Promise<void> {
  const url = spec.url();
  const cookie = cookieOf(spec, visitor);
  const page = url === null ? null : await app.inject({ method: 'GET', url, headers: { cookie, accept: ACCEPT_HTML } });
  // TOLERANCE: pages other engineers are still building answer 404 until their route exists; they
  // are reported and skipped for now. Remove this tolerance at integration.
  if (url === null || (page!.statusCode === 404 && spec.status !== 404 && !app.hasRoute({ method: 'GET', url: spec.route }))) {
    notBuilt.push(`${spec.name} (${spec.route})`);
    return;
  }
  if (!spec.postEmpty) {
    fetched.push({ spec, url, status: page!.statusCode, html: page!.body });
    return;
  }
  const action = mainFormAction(page!.body, url);
  const posted = await app.inject({ method: 'POST', url: action, headers: { cookie, accept: ACCEPT_HTML, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(csrfOf(page!.body.slice(page!.body.indexOf('<main'))))}` });
  fetched.push({ spec, url, status: posted.statusCode, html: posted.body });
}

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  app = await testApp(db);
  citizen = await signedInCitizen(db, organisationId, { email: 'claire.martin@exemple.fr' });
  const ctx = { db, timezone: 'Europe/Paris', publicUrl: 'https://demarches.ville-demo.fr' };
  const { receipt } = await submitCase(ctx, {
    organisationId,
    procedureSlug: 'contact',
    channel: 'web',
    actor: { type: 'citizen', id: String(citizen.citizenId) },
    citizenId: citizen.citizenId,
    citizen: { email: citizen.email },
    data: { sujet: 'information', objet: 'Cantine', message: 'Quels sont les tarifs de la cantine ?', reponse: 'courriel' },
    hiddenFields: 'reject',
  });
  fixture.trackingCode = receipt.trackingCode;
  fixture.reference = receipt.reference;
  // A draft of the contact form, started the way a browser does.
  const home = await app.inject({ method: 'GET', url: '/', headers: { cookie: citizen.cookie } });
  const started = await app.inject({
    method: 'POST',
    url: '/demarches/contact/commencer',
    headers: { cookie: citizen.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(csrfOf(home.body))}`,
  });
  if (started.statusCode === 303 && started.headers.location) fixture.formUrl = String(started.headers.location);
  // A signed-out browser: its visitor cookie, so that signed-out forms can be posted with their _csrf.
  const visit = await app.inject({ method: 'GET', url: '/' });
  const set = [visit.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith(`${VISITOR_COOKIE}=`));
  const visitor = set ? set.split(';')[0]! : '';
  for (const spec of PAGES) await fetchPage(spec, visitor);
  if (notBuilt.length > 0) console.warn(`Pages pas encore construites (404, route absente), ignorées pour l’instant :\n  ${notBuilt.join('\n  ')}`);
  console.info(`Pages vérifiées : ${fetched.length}, pas encore construites : ${notBuilt.length}.`);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('every portal page', () => {
  it('answers with the expected status and carries the legal links in its footer', () => {
    expect(fetched.length).toBeGreaterThan(20);
    for (const page of fetched) {
      expect(page.status, page.spec.name).toBe(page.spec.status);
      expect(page.html, page.spec.name).toContain('<html lang="fr">');
      for (const href of ['/accessibilite', '/mentions-legales', '/donnees-personnelles', '/conditions-utilisation', '/plan-du-site']) expect(page.html, `${page.spec.name} ${href}`).toContain(`href="${href}"`);
      expect(page.html, page.spec.name).toContain('Accessibilité : partiellement conforme');
      if (page.spec.postEmpty) {
        expect(page.html, page.spec.name).toContain('class="error-summary"');
        expect(page.html, page.spec.name).toMatch(/<title>Erreur — /);
      }
    }
  });

  it.skipIf(!validatorAvailable)('is valid HTML for the Nu Html Checker (no error)', async () => {
    const results = await validateHtml(fetched.map((p) => ({ name: p.spec.name, html: p.html })));
    const errors = [...results!.entries()].filter(([, list]) => list.length > 0).map(([name, list]) => ({ name, errors: list }));
    expect(errors).toEqual([]);
  }, 120_000);
});

describe.skipIf(!browserAvailable)('every portal page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => browser?.close());

  /** A fresh browser (empty cache, no service worker), signed in when the page needs it. */
  async function contextFor(spec: PageSpec, options: { javaScriptEnabled?: boolean; width?: number } = {}): Promise<BrowserContext> {
    const context = await browser.newContext({
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      serviceWorkers: 'block',
      viewport: { width: options.width ?? 1280, height: 800 },
    });
    if (spec.signedIn) {
      await context.addCookies(
        citizen.cookie.split('; ').map((pair) => {
          const [name, value] = pair.split('=') as [string, string];
          return { name, value, url: base };
        }),
      );
    }
    return context;
  }

  /** Opens the page; for an error state, posts its main form empty (form.submit() skips the browser's own validation). */
  async function open(page: Page, item: Fetched): Promise<number> {
    const response = await page.goto(`${base}${item.url}`);
    if (!item.spec.postEmpty) return response!.status();
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
      page.waitForEvent('load'),
      page.evaluate(() => {
        const forms = Array.from(document.querySelectorAll('main form[method="post" i]')) as HTMLFormElement[];
        const form = forms.find((f) => f.querySelector('input[name="_csrf"]'))!;
        // Empty, as a visitor who sends the form without filling it in.
        for (const input of Array.from(form.querySelectorAll('input:not([type=hidden]):not([type=submit]), textarea')) as HTMLInputElement[]) {
          if (input.type === 'checkbox' || input.type === 'radio') input.checked = false;
          else input.value = '';
        }
        for (const select of Array.from(form.querySelectorAll('select'))) select.selectedIndex = -1;
        form.submit();
      }),
    ]);
    return posted.status();
  }

  it('has no axe-core violation (WCAG 2.0/2.1 A and AA) with JavaScript on, forms in error included', async () => {
    const found: { page: string; violations: unknown }[] = [];
    for (const item of fetched) {
      const context = await contextFor(item.spec);
      const page = await context.newPage();
      expect(await open(page, item), item.spec.name).toBe(item.spec.status);
      const violations = await axeViolations(page);
      if (violations.length > 0) found.push({ page: item.spec.name, violations });
      await context.close();
    }
    expect(found).toEqual([]);
  }, 300_000);

  it('shows its main content with JavaScript disabled', async () => {
    for (const item of fetched) {
      const context = await contextFor(item.spec, { javaScriptEnabled: false });
      const page = await context.newPage();
      expect(await open(page, item), item.spec.name).toBe(item.spec.status);
      const h1 = await page.locator('main h1').first().textContent();
      expect(h1?.trim(), item.spec.name).toBeTruthy();
      expect(await page.locator('main').isVisible(), item.spec.name).toBe(true);
      await context.close();
    }
  }, 300_000);

  it('is light: document + CSS + JS under 100 KB as transferred (compressed), JS under 30 KB', async () => {
    const heavy: { page: string; total: number; js: number }[] = [];
    let heaviest = { page: '', total: 0, js: 0 };
    for (const item of fetched.filter((p) => !p.spec.postEmpty)) {
      const context = await contextFor(item.spec);
      const page = await context.newPage();
      const sizes: Promise<{ type: string; bytes: number }>[] = [];
      page.on('requestfinished', (request) => {
        const type = request.resourceType();
        if (type === 'document' || type === 'stylesheet' || type === 'script') sizes.push(request.sizes().then((s) => ({ type, bytes: s.responseBodySize + s.responseHeadersSize })));
      });
      // Deferred scripts and stylesheets are all in before the load event.
      await page.goto(`${base}${item.url}`, { waitUntil: 'load' });
      const all = await Promise.all(sizes);
      const total = all.reduce((sum, s) => sum + s.bytes, 0);
      const js = all.filter((s) => s.type === 'script').reduce((sum, s) => sum + s.bytes, 0);
      expect(all.some((s) => s.type === 'document'), item.spec.name).toBe(true);
      if (total >= MAX_PAGE_BYTES || js >= MAX_JS_BYTES) heavy.push({ page: item.spec.name, total, js });
      if (total > heaviest.total) heaviest = { page: item.spec.name, total, js };
      await context.close();
    }
    expect(heavy).toEqual([]);
    console.info(`Poids transféré le plus élevé : ${(heaviest.total / KB).toFixed(1)} Ko (${heaviest.page}), JavaScript ${(heaviest.js / KB).toFixed(1)} Ko.`);
  }, 300_000);

  it('has no horizontal scroll at 320 px on the home page and a form page', async () => {
    const targets = fetched.filter((p) => p.spec.name === 'accueil' || p.spec.name === 'formulaire' || p.spec.name === 'inscription' || p.spec.name === 'données personnelles');
    expect(targets.length).toBeGreaterThanOrEqual(2);
    for (const item of targets) {
      const context = await contextFor(item.spec, { width: 320 });
      const page = await context.newPage();
      await page.goto(`${base}${item.url}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), item.spec.name).toBeLessThanOrEqual(320);
      await context.close();
    }
  }, 120_000);

  it('installs a service worker that serves the offline page, and cached public pages but never signed-in ones, without a network', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      // Now controlled: this visit of the home page is kept for offline reading.
      await page.reload();
      expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      await page.waitForTimeout(200);
      await context.setOffline(true);
      await page.goto(`${base}/mentions-legales`);
      expect(await page.locator('h1').textContent()).toBe('Vous êtes hors ligne');
      await page.goto(`${base}/`);
      expect(await page.locator('h1').textContent()).toContain('Vos démarches en ligne');
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')!).display)).toBe('flex');
      // A signed-in page is never kept: offline, it gives way to the offline page.
      await context.setOffline(false);
      await context.addCookies(citizen.cookie.split('; ').map((pair) => ({ name: pair.split('=')[0]!, value: pair.split('=')[1]!, url: base })));
      await page.goto(`${base}/mon-espace`);
      expect(await page.locator('h1').textContent()).not.toBe('Vous êtes hors ligne');
      await context.setOffline(true);
      await page.goto(`${base}/mon-espace`);
      expect(await page.locator('h1').textContent()).toBe('Vous êtes hors ligne');
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('legal pages', () => {
  const get = (url: string) => app.inject({ method: 'GET', url });

  it('state the demo town’s accessibility audit, with the three ways to reach the Défenseur des droits', async () => {
    const res = await get('/accessibilite');
    expect(res.statusCode).toBe(200);
    for (const text of [
      'partiellement conforme</strong>',
      '82,5 % des critères du RGAA version 4.1',
      'État de conformité',
      'Contenus non accessibles',
      'Établissement de cette déclaration',
      '15 janvier 2026',
      'Retour d’information et contact',
      'accessibilite@ville-de-demo.fr',
      'Voies de recours',
      'https://formulaire.defenseurdesdroits.fr/',
      'délégué du Défenseur des droits',
      'Libre réponse 71120, 75342 Paris CEDEX 07',
    ])
      expect(res.body).toContain(text);
  });

  it('name the publisher, the director of publication and the host', async () => {
    const res = await get('/mentions-legales');
    for (const text of ['Mme Hélène Marchal', 'Loire Numérique Hébergement', 'SIREN : 999999999', 'AGPL-3.0-or-later']) expect(res.body).toContain(text);
  });

  it('list each processing with its purpose, legal basis, retention and recipients, the DPO, the rights and the CNIL', async () => {
    const res = await get('/donnees-personnelles');
    for (const text of [
      'Comptes usagers',
      'Demandes et dossiers',
      'Messages',
      'Journal des accès',
      'Cookies de session',
      'article 6-1-e',
      'article 6-1-c',
      'dpo@ville-de-demo.fr',
      'droit d’accès',
      'droit de rectification',
      'droit à l’effacement',
      'droit à la limitation',
      'droit d’opposition',
      'droit à la portabilité',
      'href="/mon-espace"',
      'https://www.cnil.fr/fr/plaintes',
      'exemptés de consentement',
    ])
      expect(res.body).toContain(text);
    expect(res.body).toMatch(/<th scope="col">Durée de conservation<\/th>/);
  });

  it('list every procedure, the public pages and the account pages in the site map', async () => {
    const res = await get('/plan-du-site');
    for (const slug of onlineSlugs) expect(res.body).toContain(`href="/demarches/${slug}"`);
    for (const href of ['/', '/suivi', '/connexion', '/inscription', '/mon-espace', '/mes-demandes', '/mes-brouillons', '/accessibilite', '/conditions-utilisation']) expect(res.body).toContain(`href="${href}"`);
  });

  it('are correct and honest for a town that filled nothing in, and ignore malformed settings', async () => {
    const other = await freshDb();
    try {
      const orgId = await makeOrganisation(other, 'vide');
      const otherApp = await testApp(other);
      try {
        const a11y = await otherApp.inject({ method: 'GET', url: '/accessibilite' });
        expect(a11y.body).toContain('non conforme</strong>');
        expect(a11y.body).toContain('aucun audit de conformité n’a encore été réalisé');
        expect(a11y.body).toContain('Accessibilité : non conforme');
        const data = await otherApp.inject({ method: 'GET', url: '/donnees-personnelles' });
        expect(data.body).toContain('Délégué à la protection des données, Ville vide');
        expect(data.body).toContain('Journal des accès');
        const notice = await otherApp.inject({ method: 'GET', url: '/mentions-legales' });
        expect(notice.body).toContain('Le maire de Ville vide');
        expect(notice.body).toContain('hébergé par Ville vide');
        await legalRepository.save(other.kysely, orgId, { accessibilityStatus: 'bientôt' as never, accessibility: { complianceRate: 'beaucoup' as never, tools: 'axe' as never, multiYearPlanUrl: 'javascript:alert(1)' }, dpo: 42 as never, processings: [{ name: 'incomplet' }] as never });
        const again = await otherApp.inject({ method: 'GET', url: '/accessibilite' });
        expect(again.statusCode).toBe(200);
        expect(again.body).toContain('non conforme</strong>');
        expect(again.body).not.toContain('javascript:alert');
        const dataAgain = await otherApp.inject({ method: 'GET', url: '/donnees-personnelles' });
        expect(dataAgain.body).toContain('Comptes usagers');
        expect(dataAgain.body).not.toContain('incomplet');
      } finally {
        await otherApp.close();
      }
    } finally {
      await other.close();
    }
  });

  it('resolve the demo settings without losing any key', () => {
    const content = legalContent({ name: 'Ville de Démo', address: null, email: null, phone: null, siren: null, website: null }, DEMO_LEGAL);
    expect(content.accessibility.status).toBe('partiellement');
    expect(content.accessibility.complianceRate).toBe(82.5);
    expect(content.dpo.email).toBe('dpo@ville-de-demo.fr');
    expect(content.host?.name).toContain('Loire Numérique');
    expect(content.processings).toHaveLength(5);
  });
});

describe('installable app', () => {
  it('serves a manifest in French with the town’s name, standalone, and SVG icons any + maskable', async () => {
    const res = await app.inject({ method: 'GET', url: '/manifest.webmanifest' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/manifest+json');
    const manifest = res.json() as Record<string, unknown> & { icons: { src: string; purpose: string; type: string }[] };
    expect(manifest).toMatchObject({ lang: 'fr', start_url: '/', display: 'standalone', theme_color: '#1f4e8c' });
    expect(String(manifest['name'])).toContain('Ville de Démo');
    expect(manifest.icons.map((i) => i.purpose).sort()).toEqual(['any', 'maskable']);
    for (const icon of manifest.icons) {
      const svg = await app.inject({ method: 'GET', url: icon.src });
      expect(svg.statusCode).toBe(200);
      expect(svg.headers['content-type']).toBe('image/svg+xml');
      expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<\/svg>$/);
      expect(svg.body).toContain('fill="#1f4e8c"');
    }
  });

  it('serves the service worker at the root with its cache version, never stale', async () => {
    const res = await app.inject({ method: 'GET', url: '/sw.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).not.toContain('__CACHE_VERSION__');
    expect(res.body).toMatch(/var VERSION = '[0-9a-f]{12}'/);
    expect(res.body).toContain("'/hors-ligne'");
  });

  it('registers the service worker from the portal script', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/portal.js' });
    expect(res.body).toContain("navigator.serviceWorker.register('/sw.js'");
  });
});

describe('compression', () => {
  it('sends pages, CSS and JS compressed when the browser accepts it, plain otherwise', async () => {
    for (const url of ['/', '/assets/portal.css', '/assets/portal.js', '/donnees-personnelles']) {
      const br = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br, gzip' } });
      expect(br.headers['content-encoding'], url).toBe('br');
      const gzip = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
      expect(gzip.headers['content-encoding'], url).toBe('gzip');
      const plain = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'identity' } });
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      expect(br.rawPayload.length, url).toBeLessThan(plain.rawPayload.length);
    }
  });
});

if (!browserAvailable) console.warn(browserSkipReason);
