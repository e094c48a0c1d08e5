/**
 * The portal's public pages: catalogue by category and life event, search that forgives accents,
 * a page per procedure, an HTML 404, and accessibility with the keyboard alone (axe-core, Chromium).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { runTransition } from '../src/workflow/service.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';

let db: Db;
let app: App;
let organisationId: number;
let base: string | undefined;
/** The app on a real port, once, for the browser. */
const listen = async () => (base ??= await app.listen({ port: 0, host: '127.0.0.1' }));

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  await db.kysely.updateTable('procedures').set({ is_online: 0 }).where('slug', '=', 'recensement-citoyen').execute();
  app = await testApp(db);
}, 60_000);
afterAll(async () => {
  await app.close();
  await db.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });

describe('portal pages', () => {
  it('lists the online procedures by category, with life events, in the town’s colours', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="fr">');
    expect(res.body).toContain('Vos démarches en ligne avec Ville de Démo');
    expect(res.body).toContain('href="/demarches/acte-naissance"');
    expect(res.body).toContain('État civil');
    expect(res.body).toContain('J’attends un enfant');
    expect(res.body).toContain('<link rel="stylesheet" href="/assets/couleur/1f4e8c.css"/>');
    const colour = await get('/assets/couleur/1f4e8c.css');
    expect(colour.statusCode).toBe(200);
    expect(colour.body).toContain('--brand: #1f4e8c');
    expect((await get('/assets/couleur/1f4e8c;x.css')).statusCode).toBe(404);
    expect(res.body).not.toContain('href="/demarches/recensement-citoyen"');
  });

  it('finds procedures whatever the accents and case, and says when nothing matches', async () => {
    const found = await get('/recherche?q=ETAT%20civil%20naissance');
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('href="/demarches/acte-naissance"');
    expect(found.body).not.toContain('href="/demarches/signalement-voirie"');
    expect(found.body).toMatch(/1 démarche trouvée/);
    const none = await get('/recherche?q=zzzz');
    expect(none.body).toContain('Aucune démarche ne correspond');
    const empty = await get('/recherche?q=%20');
    expect(empty.statusCode).toBe(303);
    const long = await get(`/recherche?q=${'a'.repeat(5_000)}`);
    expect(long.statusCode).toBe(200);
  });

  it('describes a procedure: who can ask, what to prepare, the delays, how to do it', async () => {
    const res = await get('/demarches/occupation-domaine-public');
    expect(res.statusCode).toBe(200);
    for (const text of ['Qui peut la faire', 'Ce qu’il faut préparer', 'Délai', 'jours ouvrés', 'Comment la faire']) expect(res.body).toContain(text);
  });

  it('answers an unknown or offline procedure with an HTML 404 page', async () => {
    for (const url of ['/demarches/inexistante', '/demarches/recensement-citoyen']) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('Page introuvable');
    }
  });

  it('escapes what the visitor typed', async () => {
    const res = await get('/recherche?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script>');
  });
});

describe('following a request with its tracking code', () => {
  let code: string;
  let reference: string;
  beforeAll(async () => {
    const { receipt } = await submitCase(
      { db, timezone: 'Europe/Paris', publicUrl: 'https://demarches.ville-demo.fr' },
      {
        organisationId,
        procedureSlug: 'contact',
        channel: 'web',
        actor: { type: 'citizen', id: null },
        citizen: { civility: 'Mme', firstNames: 'Léa', lastName: 'Fabre', email: 'lea.fabre@example.fr' },
        data: { sujet: 'information', objet: 'Cantine', message: 'Quels sont les tarifs de la cantine ?', reponse: 'courriel' },
        hiddenFields: 'reject',
      },
    );
    code = receipt.trackingCode;
    reference = receipt.reference;
    await runTransition({ db, timezone: 'Europe/Paris', publicUrl: 'https://demarches.ville-demo.fr' }, { organisationId, actor: { type: 'agent', id: '1' }, roles: ['agent'], name: 'Agent' }, {
      reference,
      name: 'repondre',
      inputs: { reponse: 'Le repas coûte 3,20 €.' },
    });
    await db.kysely
      .insertInto('messages')
      .values({ case_id: receipt.caseId, direction: 'out', channel: 'agent_email', recipient: 'chef@ville-demo.fr', subject: 'Alerte interne', body_text: 'Note interne', body_html: null, status: 'queued', message_id: null, last_error: null, created_at: new Date().toISOString(), sent_at: null })
      .execute();
  });

  it('shows the status as the citizen knows it, the steps and the messages sent to them, nothing internal', async () => {
    const res = await get(`/suivi/${code}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain(reference);
    expect(res.body).toContain('Réponse envoyée');
    expect(res.body).toContain('Le repas coûte 3,20 €.');
    expect(res.body).not.toContain('Note interne');
    expect(res.body).not.toContain('Alerte interne');
  });

  it('gives native apps the same view as JSON, without a token, and nothing for a wrong code', async () => {
    const res = await get(`/api/v1/tracking/${code.toLowerCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.reference).toBe(reference);
    expect(body.steps[0].label).toBe('Demande reçue');
    expect(body.messages.map((m: { body: string }) => m.body).join('\n')).toContain('Le repas coûte 3,20 €.');
    expect(JSON.stringify(body)).not.toContain('Note interne');
    for (const wrong of ['ZZZZ-ZZZZ-ZZZZ', 'abc']) {
      const refused = await get(`/api/v1/tracking/${wrong}`);
      expect(refused.statusCode, wrong).toBe(404);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('accepts the code as people type it, and explains an unknown one', async () => {
    const typed = await get(`/suivi?code=${encodeURIComponent(code.toLowerCase().replace(/-/g, ' '))}`);
    expect(typed.statusCode).toBe(303);
    expect(typed.headers.location).toBe(`/suivi/${code}`);
    for (const url of ['/suivi?code=ZZZZ-ZZZZ-ZZZZ', '/suivi?code=abc', '/suivi/ZZZZ-ZZZZ-ZZZZ']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toContain('class="error-summary"');
      expect(res.body).toContain('href="#code"');
    }
    expect((await get('/suivi')).statusCode).toBe(200);
  });

  it.skipIf(!browserAvailable)('passes axe-core (WCAG 2.1 A/AA) and is reachable by keyboard', async () => {
    const browser = await launchBrowser();
    try {
      const base = await listen();
      const page = await browser.newPage();
      await page.goto(`${base}/suivi`);
      expect(await axeViolations(page)).toEqual([]);
      await page.focus('#code');
      await page.keyboard.type(code.toLowerCase());
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/suivi/${code}$`));
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${base}/suivi?code=ZZZZ-ZZZZ-ZZZZ`);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe.skipIf(!browserAvailable)('portal in a browser (axe-core, keyboard)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    await listen();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('searches with the keyboard alone, and every page passes axe-core (WCAG 2.1 A/AA)', async () => {
    const page = await browser.newPage();
    const base = await listen();
    await page.goto(`${base}/`);
    expect(await axeViolations(page)).toEqual([]);
    // Skip link, then the header's links, then the search field: Tab reaches it in a few steps.
    let tabs = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'q' && tabs < 8) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type('naissance');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/recherche\?q=naissance/);
    expect(await axeViolations(page)).toEqual([]);
    await page.click('a[href="/demarches/acte-naissance"]');
    await page.waitForURL(/acte-naissance/);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${base}/recherche?q=zzzz`);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${base}/demarches/inexistante`);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
