/**
 * The screen pop in Chromium: two agents signed in, in two browsers, with different extensions.
 * A call from a known citizen rings on the first one's extension: their page shows the pop with
 * that citizen, whose 360° view opens by keyboard; the other agent's page shows nothing. An unknown
 * number pops « Numéro inconnu » with « create a request from this call », which opens the
 * new-request screen prefilled (channel phone, a new citizen with the number). Axe-clean throughout.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_COOKIE } from '../src/backoffice/session.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { browserAvailable, expectAccessible, launchBrowser, navigate } from './browser.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';

const TOKEN = 'cti-token-de-test-0123456789abcdef0123';
let db: Db;
let app: App;
let base: string;
let browser: Browser | undefined;
let alice: TestAgent;
let bruno: TestAgent;
let citizenId: number;

/** The PBX: a form-encoded POST as Zammad's generic CTI API receives it. */
async function pbx(fields: Record<string, string>) {
  const res = await fetch(`${base}/channels/phone/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  expect(res.status).toBe(200);
  return res.json();
}

async function signedInPage(agent: TestAgent): Promise<Page> {
  const context = await browser!.newContext();
  await context.addCookies([{ name: AGENT_COOKIE, value: agent.cookie.split('=')[1]!, url: base }]);
  return context.newPage();
}

beforeAll(async () => {
  db = await freshDb();
  const commune = await makeCommune(db);
  app = await testApp(db, { CTI_TOKEN: TOKEN });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  const sign = app.signCookie.bind(app);
  alice = await signedInAgent(db, commune.organisationId, sign, { name: 'Alice Accueil', roles: [{ departmentId: commune.departments.reception, role: 'agent' }] });
  bruno = await signedInAgent(db, commune.organisationId, sign, { name: 'Bruno Accueil', roles: [{ departmentId: commune.departments.reception, role: 'agent' }] });
  await db.kysely.updateTable('agents').set({ phone_extension: '201' }).where('id', '=', alice.agentId).execute();
  await db.kysely.updateTable('agents').set({ phone_extension: '202' }).where('id', '=', bruno.agentId).execute();
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
    {
      organisationId: commune.organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'system', id: null },
      citizen: { firstNames: 'Claire', lastName: 'Martin', email: 'claire.martin@example.fr', phone: '06 12 34 56 78' },
      data: { categorie: 'eclairage', description: 'Lampadaire éteint' },
      hiddenFields: 'drop',
    },
  );
  citizenId = receipt.citizen!.id;
  // Typed in a web form, the number is only declared: an agent confirmed it on the phone (ADR 0002).
  await db.kysely.updateTable('citizen_phones').set({ verified_at: new Date().toISOString(), verified_how: 'agent', verified_by_agent_id: alice.agentId }).where('citizen_id', '=', citizenId).execute();
  if (browserAvailable) browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

describe.skipIf(!browserAvailable)('screen pops in Chromium', () => {
  it('pops the right citizen for the right agent, and the 360° view opens by keyboard', async () => {
    const pageA = await signedInPage(alice);
    const pageB = await signedInPage(bruno);
    await pageA.goto(`${base}/backoffice/dossiers`);
    await pageB.goto(`${base}/backoffice/dossiers`);
    expect(await pageA.locator('.call-pops').getAttribute('aria-live')).toBe('polite');

    await pbx({ event: 'newCall', callId: 'b-1', from: '0612345678', to: '0247000000', direction: 'in', 'user[]': 'Alice Accueil', extension: '201' });
    const pop = pageA.locator('.call-pops .call-pop');
    await pop.waitFor({ timeout: 10_000 });
    expect(await pop.locator('h2').textContent()).toContain('Appel entrant');
    expect(await pop.locator('.call-pop-caller').textContent()).toContain('Claire Martin — 06 12 34 56 78');
    await expectAccessible(pageA);

    // Bruno's extension did not ring: nothing on his page, even after his stream looked again.
    await pageB.waitForTimeout(2_500);
    expect(await pageB.locator('.call-pop').count()).toBe(0);

    // Keyboard only: Tab from the top of the page until the caller's name, then Enter.
    await pageA.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await pageA.keyboard.press('Tab');
      reached = await pageA.evaluate(() => document.activeElement?.closest('.call-pop') !== null && document.activeElement?.textContent === 'Claire Martin');
    }
    expect(reached).toBe(true);
    await navigate(pageA, () => pageA.keyboard.press('Enter'));
    expect(new URL(pageA.url()).pathname).toBe(`/backoffice/usagers/${citizenId}`);
    expect(await pageA.locator('h1').textContent()).toBe('Claire Martin');
    // The call still rings: the pop is on the new page too; the call is in the citizen's history.
    await pageA.locator('.call-pops .call-pop').waitFor({ timeout: 10_000 });
    expect(await pageA.locator('#appels-title + ol').textContent()).toContain('Appel reçu — 06 12 34 56 78 — en cours');
    await expectAccessible(pageA);

    // The call ends: the pop says so and can be closed.
    await pbx({ event: 'hangup', callId: 'b-1', from: '0612345678', to: '0247000000', direction: 'in', cause: 'noAnswer' });
    await pageA.locator('.call-pop-ended').waitFor({ timeout: 10_000 });
    expect(await pageA.locator('.call-pop-ended h2').textContent()).toContain('Appel terminé (sans réponse)');
    await pageA.locator('.call-pop-ended [data-call-close]').click();
    expect(await pageA.locator('.call-pop').count()).toBe(0);
    await pageA.context().close();
    await pageB.context().close();
  }, 60_000);

  it('pops « Numéro inconnu » with « create a request from this call », which prefills the new-request screen', async () => {
    const pageA = await signedInPage(alice);
    const pageB = await signedInPage(bruno);
    await pageA.goto(`${base}/backoffice/usagers`);
    await pageB.goto(`${base}/backoffice/usagers`);
    await pbx({ event: 'newCall', callId: 'b-2', from: '+33698765432', to: '0247000000', direction: 'in', extension: '202' });
    const pop = pageB.locator('.call-pops .call-pop');
    await pop.waitFor({ timeout: 10_000 });
    expect(await pop.locator('.call-pop-caller').textContent()).toContain('Numéro inconnu — 06 98 76 54 32');
    await expectAccessible(pageB);
    await pageA.waitForTimeout(2_500);
    expect(await pageA.locator('.call-pop').count()).toBe(0);

    const link = pop.locator('a', { hasText: 'Créer une demande à partir de cet appel' });
    const callId = (await db.kysely.selectFrom('phone_calls').select('id').where('call_id', '=', 'b-2').executeTakeFirstOrThrow()).id;
    expect(await link.getAttribute('href')).toBe(`/backoffice/nouvelle-demande?appel=${callId}`);
    await link.focus();
    await navigate(pageB, () => pageB.keyboard.press('Enter'));
    expect(await pageB.locator('h1').textContent()).toBe('Enregistrer une nouvelle demande');
    expect(await pageB.locator('input[name="canal"][value="phone"]').isChecked()).toBe(true);
    expect(await pageB.locator('input[name="usager"][value="nouveau"]').isChecked()).toBe(true);
    expect(await pageB.locator('input[name="usagerPhone"]').inputValue()).toBe('+33698765432');
    await expectAccessible(pageB);

    // Without script, the « Appels » page shows the same call and the same link.
    await pageB.goto(`${base}/backoffice/appels`);
    expect(await pageB.locator('#appels-en-cours-titre + .call-pop .call-pop-caller').textContent()).toContain('Numéro inconnu');
    await expectAccessible(pageB);
    await pageA.context().close();
    await pageB.context().close();
  }, 60_000);
});
