/**
 * Response templates in the back-office: who may write them, the Liquid checked on save, the
 * preview on a real case (another department's is not found), the rendering with every variable,
 * and the pages in Chromium with axe-core.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderResponseTemplate, templatesFor } from '../src/backoffice/templates/render.js';
import { responseTemplateRepository } from '../src/templates/repository.js';
import type { Db } from '../src/db/database.js';
import { submitCase } from '../src/intake/service.js';
import { DEMO_RESPONSE_TEMPLATES } from '../src/demo/response-templates.js';
import { checkWorkflowDefinition } from '../src/workflow/check-definition.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { publishWorkflow, runTransition } from '../src/workflow/service.js';
import { checkTemplate } from '../src/workflow/templates.js';
import { createAgent, signedInAgent, type TestAgent } from './backoffice-session.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeCommune, makeDepartment } from './factories.js';

let db: Db;
let app: FastifyInstance;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let civil: number;
let admin: TestAgent;
let manager: TestAgent;
let agent: TestAgent;
let civilManager: TestAgent;
let roadsCase: string;
let roadsCaseId: number;
let civilCase: string;
const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' });

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function post(who: TestAgent, url: string, fields: Record<string, string>) {
  return app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: who.csrf, ...fields }) });
}

const get = (who: TestAgent, url: string) => app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  civil = await makeDepartment(db, commune.organisationId, 'etat-civil');
  const { testApp } = await import('./app.js');
  app = await testApp(db);
  const sign = app.signCookie.bind(app);
  admin = await signedInAgent(db, commune.organisationId, sign, { name: 'Alice Admin', roles: [{ departmentId: commune.departments.reception, role: 'admin' }] });
  manager = await signedInAgent(db, commune.organisationId, sign, { name: 'Marc Voirie', email: 'marc@ville-test.fr', roles: [{ departmentId: commune.departments.roads, role: 'manager' }] });
  agent = await signedInAgent(db, commune.organisationId, sign, { name: 'Anne Agent', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  civilManager = await signedInAgent(db, commune.organisationId, sign, { name: 'Chef État civil', roles: [{ departmentId: civil, role: 'manager' }] });
  await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', {
    version: 1,
    initial: 'recu',
    statuses: [
      { id: 'recu', label: 'Reçu', citizenLabel: 'Demande reçue', category: 'new' },
      { id: 'clos', label: 'Clos', citizenLabel: 'Terminée', category: 'closed_accepted' },
    ],
    transitions: [{ name: 'clore', label: 'Clore', from: ['recu'], to: 'clos', roles: ['agent'] }],
  }, 'test');
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'web',
    actor: { type: 'citizen', id: null },
    citizen: { civility: 'Mme', firstNames: 'Claire', lastName: 'Martin', email: 'claire@exemple.fr', phone: '06 12 34 56 78' },
    data: { categorie: 'eclairage', description: 'Lampadaire éteint rue des Lilas' },
    hiddenFields: 'drop',
  });
  roadsCase = receipt.reference;
  roadsCaseId = (await db.kysely.selectFrom('cases').select('id').where('reference', '=', roadsCase).executeTakeFirstOrThrow()).id;
  const other = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'web',
    actor: { type: 'citizen', id: null },
    citizen: { firstNames: 'Paul', lastName: 'Durand', email: 'paul@exemple.fr' },
    data: { categorie: 'eclairage', description: 'Autre lampadaire' },
    hiddenFields: 'drop',
  });
  civilCase = other.receipt.reference;
  await db.kysely.updateTable('cases').set({ department_id: civil }).where('reference', '=', civilCase).execute();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('response templates', () => {
  let roadsTemplate: number;

  it('lets a manager create a template for their department, checked and listed', async () => {
    const created = await post(manager, '/backoffice/modeles/nouveau', {
      name: 'Intervention programmée',
      slug: '',
      scope: `service:${commune.departments.roads}`,
      subject: 'Votre signalement {{ case.reference }}',
      body: 'Bonjour {{ citizen.fullName }},\nune intervention est programmée.\n{{ agent.name }}',
    });
    expect(created.statusCode).toBe(303);
    roadsTemplate = Number(/\/backoffice\/modeles\/(\d+)/.exec(created.headers.location as string)![1]);
    const saved = await responseTemplateRepository.findById(db.kysely, commune.organisationId, roadsTemplate);
    expect(saved).toMatchObject({ slug: 'intervention-programmee', departmentId: commune.departments.roads, isActive: true });
    const list = await get(agent, '/backoffice/modeles');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Intervention programmée');
    expect(list.body).toContain('Service Voirie');
    // An agent reads but cannot write: no deactivate button, no « new » link.
    expect(list.body).not.toContain('Désactiver');
    expect(list.body).not.toContain('/backoffice/modeles/nouveau');
  });

  it('refuses writing to an agent, to a manager of another department, and organisation-wide to a manager', async () => {
    const fields = { name: 'Essai', slug: 'essai', scope: `service:${commune.departments.roads}`, subject: 'Objet', body: 'Texte' };
    expect((await post(agent, '/backoffice/modeles/nouveau', fields)).statusCode).toBe(403);
    expect((await get(agent, '/backoffice/modeles/nouveau')).statusCode).toBe(403);
    expect((await post(agent, `/backoffice/modeles/${roadsTemplate}`, fields)).statusCode).toBe(403);
    expect((await post(agent, `/backoffice/modeles/${roadsTemplate}/desactiver`, {})).statusCode).toBe(403);
    // The civil-status manager does not even see the roads template.
    expect((await get(civilManager, `/backoffice/modeles/${roadsTemplate}`)).statusCode).toBe(404);
    expect((await post(civilManager, `/backoffice/modeles/${roadsTemplate}`, fields)).statusCode).toBe(404);
    const wrongPlace = await post(civilManager, '/backoffice/modeles/nouveau', fields);
    expect(wrongPlace.statusCode).toBe(422);
    expect(wrongPlace.body).toContain('href="#tpl-scope"');
    const everywhere = await post(manager, '/backoffice/modeles/nouveau', { ...fields, scope: 'collectivite' });
    expect(everywhere.statusCode).toBe(422);
    expect(await responseTemplateRepository.findBySlug(db.kysely, commune.organisationId, 'essai')).toBeUndefined();
    // Without CSRF: refused, nothing written.
    const forged = await app.inject({ method: 'POST', url: '/backoffice/modeles/nouveau', headers: { cookie: manager.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) });
    expect(forged.statusCode).toBe(403);
    // Signed out: to the sign-in page.
    expect((await app.inject({ method: 'GET', url: '/backoffice/modeles' })).statusCode).toBe(303);
  });

  it('lets an admin write everywhere, edit, deactivate and reactivate', async () => {
    const created = await post(admin, '/backoffice/modeles/nouveau', { name: 'Accusé de prise en charge', slug: 'accuse', scope: 'collectivite', subject: 'Dossier {{ case.reference }}', body: 'Bonjour,' });
    expect(created.statusCode).toBe(303);
    const id = Number(/(\d+)/.exec(created.headers.location as string)![1]);
    const edited = await post(admin, `/backoffice/modeles/${id}`, { name: 'Accusé de prise en charge', slug: 'accuse', scope: 'collectivite', subject: 'Dossier {{ case.reference }}', body: 'Bonjour {{ citizen.fullName }},' });
    expect(edited.statusCode).toBe(303);
    expect((await responseTemplateRepository.findById(db.kysely, commune.organisationId, id))?.body).toBe('Bonjour {{ citizen.fullName }},');
    expect((await post(admin, `/backoffice/modeles/${roadsTemplate}/desactiver`, {})).statusCode).toBe(303);
    let choices = await templatesFor(db.kysely, commune.organisationId, { departmentId: commune.departments.roads, procedureId: commune.procedureId });
    expect(choices.map((c) => c.slug)).toEqual(['accuse']);
    expect(choices[0]?.scopeLabel).toBe('Toute la collectivité');
    expect((await post(manager, `/backoffice/modeles/${roadsTemplate}/activer`, {})).statusCode).toBe(303);
    choices = await templatesFor(db.kysely, commune.organisationId, { departmentId: commune.departments.roads, procedureId: commune.procedureId });
    expect(choices.map((c) => c.slug).sort()).toEqual(['accuse', 'intervention-programmee']);
    // Not offered on a case of another department.
    expect((await templatesFor(db.kysely, commune.organisationId, { departmentId: civil, procedureId: null })).map((c) => c.slug)).toEqual(['accuse']);
  });

  it('explains Liquid mistakes on save, with their line, in an error summary, and saves nothing', async () => {
    const response = await post(manager, `/backoffice/modeles/${roadsTemplate}`, {
      name: 'Intervention programmée',
      slug: 'intervention-programmee',
      scope: `service:${commune.departments.roads}`,
      subject: 'Votre signalement {{ case.reference ',
      body: 'Bonjour,\n{{ citizen.nom }}\n{{ case.data.inconnu }}\n{% if case.reference %}sans fin',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('class="error-summary"');
    expect(response.body).toContain('href="#tpl-subject"');
    expect(response.body).toContain('href="#tpl-body"');
    expect(response.body).toMatch(/Objet — Erreur de syntaxe \(ligne 1, colonne \d+\)/);
    expect(response.body).toMatch(/Texte — Erreur de syntaxe \(ligne 4/);
    const unknown = await post(manager, `/backoffice/modeles/${roadsTemplate}`, {
      name: 'Intervention programmée',
      slug: 'intervention-programmee',
      scope: `demarche:${commune.procedureId}`,
      subject: 'Objet',
      body: 'Bonjour,\n{{ citizen.nom }}\n{{ case.data.inconnu }}',
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('Variable inconnue « citizen.nom » (ligne 2, colonne 4)');
    expect(unknown.body).toContain('Variable inconnue « case.data.inconnu » (ligne 3');
    const empty = await post(manager, '/backoffice/modeles/nouveau', { name: '', slug: '', scope: `service:${commune.departments.roads}`, subject: '', body: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Indiquez le nom du modèle.');
    expect((await responseTemplateRepository.findById(db.kysely, commune.organisationId, roadsTemplate))?.subject).toBe('Votre signalement {{ case.reference }}');
  });

  it('previews a template on a case the agent can see, and answers 404 for another department’s case', async () => {
    const preview = await get(agent, `/backoffice/modeles/${roadsTemplate}/apercu?dossier=${roadsCase}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain(`Votre signalement ${roadsCase}`);
    expect(preview.body).toContain('Bonjour Claire Martin,');
    expect(preview.body).toContain('Anne Agent');
    expect((await get(agent, `/backoffice/modeles/${roadsTemplate}/apercu?dossier=${civilCase}`)).statusCode).toBe(404);
    expect((await get(agent, `/backoffice/modeles/${roadsTemplate}/apercu?dossier=2099-999999`)).statusCode).toBe(404);
    const logged = await db.kysely.selectFrom('access_log').selectAll().where('case_id', '=', roadsCaseId).execute();
    expect(logged.length).toBeGreaterThan(0);
  });

  it('renders every variable: case, citizen, procedure, department, agent, organisation', async () => {
    const id = await responseTemplateRepository.insert(db.kysely, commune.organisationId, {
      departmentId: null,
      procedureId: commune.procedureId,
      slug: 'toutes-variables',
      name: 'Toutes les variables',
      subject: '{{ case.reference }} — {{ procedure.title }}',
      body: [
        'ref={{ case.reference }} code={{ case.trackingCode }} objet={{ case.subject }} recu={{ case.receivedOn }} date={{ case.receivedAt | date_fr }}',
        'statut={{ case.status }} suivi={{ case.trackingUrl }} echeance={{ case.dueOn }} donnee={{ case.data.description }}',
        'usager={{ citizen.civility }} {{ citizen.firstNames }} {{ citizen.lastName }} / {{ citizen.fullName }} / {{ citizen.email }} / {{ citizen.phone }}',
        'demarche={{ procedure.title }} ({{ procedure.slug }}) delai={{ procedure.delay }}',
        'service={{ department.name }} {{ department.email }} {{ department.phone }} {{ department.address }}',
        'agent={{ agent.name }} {{ agent.email }} {{ agent.department }}',
        'collectivite={{ organisation.name }}',
      ].join('\n'),
    }, null, new Date().toISOString());
    const agentId = (await createAgent(db, commune.organisationId, { name: 'Zoé Rédactrice', email: 'zoe@ville-test.fr', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] })).agentId;
    const rendered = await renderResponseTemplate(db.kysely, id, {
      organisationId: commune.organisationId,
      caseId: roadsCaseId,
      agent: { id: agentId, name: 'Zoé Rédactrice', email: 'zoe@ville-test.fr' },
      publicUrl: 'https://ville-test.fr',
      timezone: 'Europe/Paris',
    });
    expect(rendered.subject).toBe(`${roadsCase} — Signaler un problème de voirie`);
    expect(rendered.body).toContain(`ref=${roadsCase} code=`);
    expect(rendered.body).toMatch(/recu=\d{1,2}(er)? \p{L}+ \d{4} date=\d{1,2}(er)? \p{L}+ \d{4}/u);
    expect(rendered.body).toContain('statut=Demande reçue suivi=https://ville-test.fr/suivi/');
    expect(rendered.body).toContain('donnee=Lampadaire éteint rue des Lilas');
    expect(rendered.body).toContain('usager=Mme Claire Martin / Claire Martin / claire@exemple.fr / +33612345678');
    expect(rendered.body).toContain('demarche=Signaler un problème de voirie (signalement-voirie) delai=10 jours ouvrés');
    expect(rendered.body).toContain('service=Voirie voirie@ville-test.fr +33100000000 1 place de la Mairie, 99000 Ville-Test');
    expect(rendered.body).toContain('agent=Zoé Rédactrice zoe@ville-test.fr Voirie');
    expect(rendered.body).toContain('collectivite=Ville ville-test');
    await expect(renderResponseTemplate(db.kysely, 999_999, { organisationId: commune.organisationId, caseId: roadsCaseId, agent: { id: agentId, name: 'Z', email: 'z@z' }, publicUrl: '', timezone: 'Europe/Paris' })).rejects.toThrow(/Aucun modèle/);
  });
});

describe('response templates in workflows and the demo', () => {
  const definition = (message: Record<string, string>): WorkflowDefinition => ({
    version: 1,
    initial: 'recu',
    statuses: [
      { id: 'recu', label: 'Reçu', citizenLabel: 'Demande reçue', category: 'new' },
      { id: 'programme', label: 'Intervention programmée', citizenLabel: 'Intervention programmée', category: 'in_progress' },
      { id: 'clos', label: 'Clos', citizenLabel: 'Terminée', category: 'closed_accepted' },
    ],
    transitions: [
      { name: 'clore', label: 'Clore', from: ['programme'], to: 'clos', roles: ['agent'] },
      { name: 'programmer', label: 'Programmer', from: ['recu'], to: 'programme', roles: ['agent'], actions: [{ type: 'notify_citizen', message: message as { template: string } }] },
    ],
  });

  it('checks at publish that a message names an active template, and not also a subject or body', async () => {
    await expect(publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', definition({ template: 'inconnu' }), 'test')).rejects.toMatchObject({
      errors: [expect.objectContaining({ field: 'definition.transitions[1].actions[0].message.template', message: expect.stringContaining('Modèle de réponse inconnu ou désactivé « inconnu »') })],
    });
    const both = checkWorkflowDefinition(definition({ template: 'x', subject: 'Objet' }), { departmentSlugs: [], templateSlugs: ['x'] });
    expect(both.map((e) => e.path)).toEqual(['transitions[1].actions[0].message']);
    const neither = checkWorkflowDefinition(definition({}), { departmentSlugs: [] });
    expect(neither.map((e) => e.path).sort()).toEqual(['transitions[1].actions[0].message.body', 'transitions[1].actions[0].message.subject']);
  });

  it('renders the named template when the workflow action runs', async () => {
    await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', definition({ template: 'intervention-programmee' }), 'test');
    const { receipt } = await submitCase(deps(), {
      organisationId: commune.organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'citizen', id: null },
      citizen: { firstNames: 'Luc', lastName: 'Moreau', email: 'luc@exemple.fr' },
      data: { categorie: 'eclairage', description: 'Lampadaire' },
      hiddenFields: 'drop',
    });
    await runTransition(deps(), { organisationId: commune.organisationId, actor: { type: 'agent', id: String(agent.agentId) }, roles: ['agent'], name: 'Anne Agent' }, { reference: receipt.reference, name: 'programmer' });
    const view = await db.kysely.selectFrom('cases').select('id').where('reference', '=', receipt.reference).executeTakeFirstOrThrow();
    const messages = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', view.id).execute();
    const sent = messages.find((m) => m.subject === `Votre signalement ${receipt.reference}`);
    expect(sent?.body_text).toContain('Bonjour Luc Moreau,');
    expect(sent?.channel).toBe('email');
  });

  it('seeds about ten demo templates that all pass the checker', () => {
    expect(DEMO_RESPONSE_TEMPLATES.length).toBeGreaterThanOrEqual(10);
    for (const t of DEMO_RESPONSE_TEMPLATES) {
      expect(checkTemplate(t.subject, { inputNames: [] }), t.slug).toEqual([]);
      expect(checkTemplate(t.body, { inputNames: [] }), t.slug).toEqual([]);
    }
  });
});

describe('valid HTML', () => {
  it('serves valid HTML with one h1 on the templates pages and the reply page', async () => {
    const template = await responseTemplateRepository.findBySlug(db.kysely, commune.organisationId, 'intervention-programmee');
    const pages = [
      { name: 'liste', html: (await get(manager, '/backoffice/modeles')).body },
      { name: 'nouveau', html: (await get(manager, '/backoffice/modeles/nouveau')).body },
      { name: 'modèle', html: (await get(manager, `/backoffice/modeles/${template!.id}`)).body },
      { name: 'modèle (lecture)', html: (await get(agent, `/backoffice/modeles/${template!.id}`)).body },
      { name: 'modèle : erreurs', html: (await post(manager, `/backoffice/modeles/${template!.id}`, { name: '', slug: 'x y', scope: '', subject: '{{', body: '' })).body },
      { name: 'aperçu', html: (await get(agent, `/backoffice/modeles/${template!.id}/apercu?dossier=${roadsCase}`)).body },
      { name: 'réponse', html: (await get(agent, `/backoffice/dossiers/${roadsCase}/repondre?modele=${template!.id}`)).body },
    ];
    for (const page of pages) {
      expect(page.html.match(/<h1[ >]/g), page.name).toHaveLength(1);
      expect(page.html, page.name).toMatch(/<title>[^<]+<\/title>/);
    }
    const errors = await validateHtml(pages);
    if (!validatorAvailable) expect(errors).toBeNull();
    else expect(Object.fromEntries(errors!)).toEqual(Object.fromEntries(pages.map((p) => [p.name, []])));
  }, 60_000);
});

if (!browserAvailable) console.warn(browserSkipReason);

describe.skipIf(!browserAvailable)('template pages in Chromium', () => {
  it('passes axe-core on the list, the edit form with errors, and the preview', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const [name, value] = manager.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: address }]);
      const page = await context.newPage();
      await page.goto(`${address}/backoffice/modeles`);
      expect(await axeViolations(page)).toEqual([]);
      const template = await responseTemplateRepository.findBySlug(db.kysely, commune.organisationId, 'intervention-programmee');
      await page.goto(`${address}/backoffice/modeles/${template!.id}`);
      expect(await axeViolations(page)).toEqual([]);
      await page.fill('#tpl-body', 'Bonjour {{ citizen.nom }}');
      await page.click('button:has-text("Enregistrer le modèle")');
      await page.waitForSelector('.error-summary');
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${address}/backoffice/modeles/nouveau`);
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${address}/backoffice/modeles/${template!.id}/apercu?dossier=${roadsCase}`);
      expect(await page.textContent('h1')).toContain(roadsCase);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
