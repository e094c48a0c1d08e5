/**
 * The agent's reply from a case: on each channel (e-mail job, portal message read in « Mes
 * demandes », SMS, printable letter), the information request the portal shows with the case
 * waiting, the version check, bad input, templates applied without and with htmx, files.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRepository } from '../src/cases/repository.js';
import type { Db } from '../src/db/database.js';
import { submitCase } from '../src/intake/service.js';
import { openInformationRequest } from '../src/messages/citizen-reply.js';
import { responseTemplateRepository } from '../src/templates/repository.js';
import { publishWorkflow } from '../src/workflow/service.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { makeCommune, makeDepartment } from './factories.js';
import { signedInCitizen, type TestCitizen } from './portal-session.js';

let db: Db;
let app: FastifyInstance;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let agent: TestAgent;
let outsider: TestAgent;
let citizen: TestCitizen;
const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' });
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function newCase(who: Record<string, unknown> | null, citizenId?: number): Promise<{ reference: string; id: number }> {
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'web',
    actor: { type: 'citizen', id: null },
    citizen: who,
    ...(citizenId !== undefined ? { citizenId } : {}),
    data: { categorie: 'eclairage', description: 'Lampadaire éteint' },
    hiddenFields: 'drop',
  });
  const view = await caseRepository.findByReference(db.kysely, commune.organisationId, receipt.reference);
  return { reference: receipt.reference, id: view!.id };
}

async function reply(reference: string, fields: Record<string, string>, who: TestAgent = agent, headers: Record<string, string> = {}) {
  const view = await caseRepository.findByReference(db.kysely, commune.organisationId, reference);
  return app.inject({
    method: 'POST',
    url: `/backoffice/dossiers/${reference}/repondre`,
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({ _csrf: who.csrf, version: String(view?.version ?? 0), ...fields }).toString(),
  });
}

const messagesOf = (caseId: number) => db.kysely.selectFrom('messages').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
const jobsFor = (messageId: number) => db.kysely.selectFrom('jobs').selectAll().where('dedupe_key', '=', `message:${messageId}`).execute();

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  const civil = await makeDepartment(db, commune.organisationId, 'etat-civil');
  await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', {
    version: 1,
    initial: 'recu',
    statuses: [
      { id: 'recu', label: 'Reçu', citizenLabel: 'Demande reçue', category: 'new' },
      { id: 'attente', label: 'En attente de l’usager', citizenLabel: 'En attente de votre réponse', category: 'waiting_citizen', onCitizenReply: 'reprendre' },
      { id: 'encours', label: 'En cours', citizenLabel: 'En cours', category: 'in_progress' },
    ],
    transitions: [
      { name: 'attendre', label: 'Attendre l’usager', from: ['recu', 'encours'], to: 'attente', roles: ['agent'] },
      { name: 'reprendre', label: 'Reprendre', from: ['attente'], to: 'encours', roles: ['agent'] },
    ],
  }, 'test');
  const { testApp } = await import('./app.js');
  app = await testApp(db);
  const sign = app.signCookie.bind(app);
  agent = await signedInAgent(db, commune.organisationId, sign, { name: 'Anne Agent', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  outsider = await signedInAgent(db, commune.organisationId, sign, { name: 'Eve Ailleurs', roles: [{ departmentId: civil, role: 'agent' }] });
  citizen = await signedInCitizen(db, commune.organisationId, { firstNames: 'Claire', lastName: 'Martin' });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('agent replies', () => {
  it('sends by e-mail when the citizen has an address: message, job and journal together', async () => {
    const c = await newCase({ firstNames: 'Paul', lastName: 'Durand', email: 'paul@exemple.fr' });
    const response = await reply(c.reference, { subject: 'Votre signalement', body: 'Bonjour,\nnous intervenons demain.', channel: 'auto' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/backoffice/dossiers/${c.reference}?reponse=email#reponse`);
    const [message] = (await messagesOf(c.id)).filter((m) => m.subject === 'Votre signalement');
    expect(message).toMatchObject({ channel: 'email', recipient: 'paul@exemple.fr', status: 'queued', direction: 'out' });
    expect(await jobsFor(message!.id)).toHaveLength(1);
    const journal = await caseRepository.listJournal(db.kysely, c.id);
    const event = journal.find((e) => e.type === 'message.out' && e.payload['messageId'] === message!.id);
    expect(event?.actor).toEqual({ type: 'agent', id: String(agent.agentId) });
    expect(event?.payload['agentName']).toBe('Anne Agent');
  });

  it('records a portal message the citizen reads in « Mes demandes »', async () => {
    const c = await newCase(null, citizen.citizenId);
    const response = await reply(c.reference, { subject: 'Message de la voirie', body: 'Votre lampadaire sera réparé jeudi.', channel: 'portal' });
    expect(response.statusCode).toBe(303);
    const message = (await messagesOf(c.id)).find((m) => m.subject === 'Message de la voirie');
    expect(message).toMatchObject({ channel: 'portal', status: 'recorded' });
    const page = await app.inject({ method: 'GET', url: `/demandes/${c.reference}`, headers: { cookie: citizen.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Message de la voirie');
  });

  it('texts a citizen who has only a mobile phone', async () => {
    const c = await newCase({ firstNames: 'Jules', lastName: 'Petit', phone: '06 12 34 56 78' });
    const response = await reply(c.reference, { subject: 'Voirie', body: 'Intervention jeudi.', channel: 'auto' });
    expect(response.headers.location).toContain('reponse=sms');
    const message = (await messagesOf(c.id)).find((m) => m.subject === 'Voirie');
    expect(message).toMatchObject({ channel: 'sms', recipient: '+33612345678', status: 'queued' });
    expect(await jobsFor(message!.id)).toHaveLength(1);
    // E-mail is not offered to someone without an address.
    const refused = await reply(c.reference, { subject: 'Voirie', body: 'Encore.', channel: 'email' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('href="#reply-channel"');
  });

  it('makes a printable letter for a citizen with only a postal address, downloadable by agents who see the case', async () => {
    const c = await newCase({ civility: 'M', firstNames: 'René', lastName: 'Leroy', address: { line1: '3 rue des Lilas', postcode: '99000', city: 'Ville-Test' } });
    const response = await reply(c.reference, { subject: 'Réponse à votre signalement', body: 'Monsieur,\n\nle lampadaire a été réparé.', channel: 'auto' });
    expect(response.statusCode).toBe(303);
    const location = response.headers.location as string;
    const messageId = Number(/courrier=(\d+)/.exec(location)![1]);
    expect(location).toContain('reponse=letter');
    const panel = await app.inject({ method: 'GET', url: `/backoffice/dossiers/${c.reference}/repondre?reponse=letter&courrier=${messageId}`, headers: { cookie: agent.cookie } });
    expect(panel.body).toContain(`/backoffice/dossiers/${c.reference}/courrier/${messageId}.pdf`);
    const pdf = await app.inject({ method: 'GET', url: `/backoffice/dossiers/${c.reference}/courrier/${messageId}.pdf`, headers: { cookie: agent.cookie } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await app.inject({ method: 'GET', url: `/backoffice/dossiers/${c.reference}/courrier/${messageId}.pdf`, headers: { cookie: outsider.cookie } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/backoffice/dossiers/${c.reference}/courrier/${messageId}.pdf` })).statusCode).toBe(303);
    const other = await newCase({ firstNames: 'Léa', lastName: 'Roux', email: 'lea@exemple.fr' });
    expect((await app.inject({ method: 'GET', url: `/backoffice/dossiers/${other.reference}/courrier/${messageId}.pdf`, headers: { cookie: agent.cookie } })).statusCode).toBe(404);
    const logged = await db.kysely.selectFrom('access_log').selectAll().where('case_id', '=', c.id).where('action', '=', 'print_case').execute();
    expect(logged).toHaveLength(1);
  });

  it('asks for missing information: the request shows on the portal and the case waits', async () => {
    const c = await newCase(null, citizen.citizenId);
    const dueOn = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const response = await reply(c.reference, { subject: 'Pièce manquante', body: 'Merci de nous envoyer une photo du lampadaire.', channel: 'portal', ask: '1', dueOn });
    expect(response.statusCode).toBe(303);
    const view = await caseRepository.findById(db.kysely, c.id);
    expect(view?.status).toBe('attente');
    const open = openInformationRequest(await caseRepository.listJournal(db.kysely, c.id));
    expect(open?.replyBy?.slice(0, 10)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(open?.messageId).toBe((await messagesOf(c.id)).find((m) => m.subject === 'Pièce manquante')!.id);
    const page = await app.inject({ method: 'GET', url: `/demandes/${c.reference}`, headers: { cookie: citizen.cookie } });
    expect(page.body).toContain('Pièce manquante');
    expect(page.body).toContain('À fournir avant le');
    const past = await reply(c.reference, { subject: 'Relance', body: 'Texte', channel: 'portal', ask: '1', dueOn: '2000-01-01' });
    expect(past.statusCode).toBe(422);
    expect(past.body).toContain('href="#reply-dueOn"');
  });

  it('refuses a reply on a case changed meanwhile (409) and writes nothing', async () => {
    const c = await newCase({ firstNames: 'Paul', lastName: 'Durand', email: 'paul2@exemple.fr' });
    const before = (await messagesOf(c.id)).length;
    const view = await caseRepository.findById(db.kysely, c.id);
    const response = await app.inject({
      method: 'POST',
      url: `/backoffice/dossiers/${c.reference}/repondre`,
      headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: agent.csrf, version: String(view!.version - 1), subject: 'Trop tard', body: 'Texte', channel: 'auto' }).toString(),
    });
    expect(response.statusCode).toBe(409);
    expect(await messagesOf(c.id)).toHaveLength(before);
    expect((await caseRepository.findById(db.kysely, c.id))?.version).toBe(view!.version);
  });

  it('answers bad input with an error summary and writes nothing; refuses without CSRF or access', async () => {
    const c = await newCase({ firstNames: 'Paul', lastName: 'Durand', email: 'paul3@exemple.fr' });
    const before = (await messagesOf(c.id)).length;
    const empty = await reply(c.reference, { subject: 'Objet', body: '   ', channel: 'auto' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('class="error-summary"');
    expect(empty.body).toContain('href="#reply-body"');
    expect(empty.body).toContain('value="Objet"');
    const forged = await app.inject({
      method: 'POST',
      url: `/backoffice/dossiers/${c.reference}/repondre`,
      headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ subject: 'Objet', body: 'Texte' }).toString(),
    });
    expect(forged.statusCode).toBe(403);
    expect((await reply(c.reference, { subject: 'Objet', body: 'Texte' }, outsider)).statusCode).toBe(404);
    expect(await messagesOf(c.id)).toHaveLength(before);
  });

  it('applies a template into the fields without JavaScript and as an htmx fragment, and previews before sending', async () => {
    const c = await newCase({ firstNames: 'Paul', lastName: 'Durand', email: 'paul4@exemple.fr' });
    const id = await responseTemplateRepository.insert(db.kysely, commune.organisationId, {
      departmentId: commune.departments.roads,
      procedureId: null,
      slug: 'intervention',
      name: 'Intervention programmée',
      subject: 'Intervention — dossier {{ case.reference }}',
      body: 'Bonjour {{ citizen.fullName }},\nune équipe passera.\n{{ agent.name }}',
    }, null, new Date().toISOString());
    const page = await app.inject({ method: 'GET', url: `/backoffice/dossiers/${c.reference}/repondre?modele=${id}`, headers: { cookie: agent.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1');
    expect(page.body).toContain(`value="Intervention — dossier ${c.reference}"`);
    expect(page.body).toContain('Bonjour Paul Durand,\nune équipe passera.\nAnne Agent');
    const fragment = await app.inject({ method: 'GET', url: `/backoffice/dossiers/${c.reference}/repondre?modele=${id}`, headers: { cookie: agent.cookie, 'hx-request': 'true' } });
    expect(fragment.body.startsWith('<section id="reponse"')).toBe(true);
    expect(fragment.body).not.toContain('<html');
    const preview = await app.inject({
      method: 'POST',
      url: `/backoffice/dossiers/${c.reference}/apercu-reponse`,
      headers: { cookie: agent.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: agent.csrf, subject: 'Objet vu', body: 'Texte vu' }).toString(),
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Aperçu avant envoi');
    expect(preview.body).toContain('Texte vu');
  });

  it('joins uploaded files to the message and the case', async () => {
    const c = await newCase({ firstNames: 'Paul', lastName: 'Durand', email: 'paul5@exemple.fr' });
    const view = await caseRepository.findById(db.kysely, c.id);
    const boundary = '----guichet';
    const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const payload = Buffer.concat([
      Buffer.from(field('_csrf', agent.csrf) + field('version', String(view!.version)) + field('subject', 'Avec photo') + field('body', 'Voici la photo.') + field('channel', 'auto')),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="photo.png"\r\nContent-Type: image/png\r\n\r\n`),
      PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await app.inject({ method: 'POST', url: `/backoffice/dossiers/${c.reference}/repondre`, headers: { cookie: agent.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(response.statusCode).toBe(303);
    const message = (await messagesOf(c.id)).find((m) => m.subject === 'Avec photo');
    const files = await db.kysely.selectFrom('attachments').selectAll().where('message_id', '=', message!.id).execute();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ case_id: c.id, filename: 'photo.png' });
  });
});

if (!browserAvailable) console.warn(browserSkipReason);

describe.skipIf(!browserAvailable)('reply box in Chromium', () => {
  it('passes axe-core, applies a template by keyboard and sends', async () => {
    const c = await newCase({ firstNames: 'Paul', lastName: 'Durand', email: 'paul6@exemple.fr' });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const [name, value] = agent.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: address }]);
      const page = await context.newPage();
      await page.goto(`${address}/backoffice/dossiers/${c.reference}/repondre`);
      expect(await axeViolations(page)).toEqual([]);
      await page.selectOption('#reply-modele', { label: 'Intervention programmée (Service Voirie)' });
      await page.focus('button:has-text("Appliquer le modèle")');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (document.querySelector('#reply-subject') as HTMLInputElement | null)?.value.startsWith('Intervention'));
      expect(await axeViolations(page)).toEqual([]);
      await page.fill('#reply-body', '');
      await page.click('button:has-text("Envoyer la réponse")');
      await page.waitForSelector('.error-summary');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
