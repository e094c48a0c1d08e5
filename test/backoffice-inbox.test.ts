/**
 * The agents' inbox: the list of the cases an agent may see, each filter, French full-text search,
 * keyset pages, saved views with counts, bulk actions checked as a set and case by case, live
 * updates by server-sent events, and bad parameters shown in an error summary.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRepository } from '../src/cases/repository.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { publishWorkflow } from '../src/workflow/service.js';
import { nextCaseReference } from '../src/backoffice/inbox/next.js';
import { computeScope } from '../src/backoffice/policy.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune, makeRule } from './factories.js';
import { forgetConfiguration } from '../src/configuration/cache.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { signedInCitizen, type TestCitizen } from './portal-session.js';

const workflow: WorkflowDefinition = {
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'en_cours', label: 'En cours', citizenLabel: 'En cours de traitement', category: 'in_progress' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Demande traitée', category: 'closed_accepted' },
  ],
  transitions: [
    { name: 'qualifier', label: 'Qualifier', from: ['recu'], to: 'en_cours', roles: ['agent'] },
    { name: 'clore', label: 'Clore', from: ['en_cours'], to: 'clos', roles: ['agent'] },
  ],
};

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let alice: TestAgent;
let bob: TestAgent;
let carol: TestAgent;
let claire: TestCitizen;
const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' });
const HTML = { accept: 'text/html,application/xhtml+xml' };

/** A street report; `depot_sauvage` routes to the cleaning department, anything else to roads. */
async function newCase(description: string, options: { categorie?: string; citizenId?: number; subject?: string } = {}) {
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'web',
    actor: options.citizenId ? { type: 'citizen', id: String(options.citizenId) } : { type: 'system', id: null },
    citizen: null,
    ...(options.citizenId !== undefined ? { citizenId: options.citizenId } : {}),
    ...(options.subject ? { subject: options.subject } : {}),
    data: { categorie: options.categorie ?? 'eclairage', description },
    hiddenFields: 'drop',
  });
  return receipt.reference;
}

const load = async (reference: string) => (await caseRepository.findByReference(db.kysely, commune.organisationId, reference))!;
const setColumns = (reference: string, values: Record<string, unknown>) =>
  db.kysely.updateTable('cases').set(values).where('reference', '=', reference).where('organisation_id', '=', commune.organisationId).execute();

const inbox = (who: TestAgent, query = '') => app.inject({ method: 'GET', url: `/backoffice/dossiers${query ? `?${query}` : ''}`, headers: { ...HTML, cookie: who.cookie } });

/** The references listed on an inbox page, in order. */
async function listed(who: TestAgent, query = ''): Promise<string[]> {
  const response = await inbox(who, query);
  expect(response.statusCode, response.body.slice(0, 2_000)).toBe(200);
  return [...response.body.matchAll(/<td class="inbox-reference"><a href="[^"]*">([^<]+)<\/a>/g)].map((m) => m[1]!);
}

function post(who: TestAgent, url: string, fields: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
  const form = new URLSearchParams();
  if (options.csrf !== false) form.append('_csrf', who.csrf);
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  return app.inject({ method: 'POST', url, headers: { ...HTML, cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
}

let roadsCase: string;
let cleaningCase: string;
let claireCase: string;

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', workflow, 'test');
  app = await testApp(db);
  const sign = app.signCookie.bind(app);
  alice = await signedInAgent(db, commune.organisationId, sign, { name: 'Alice Durand', email: 'alice@ville.test', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  bob = await signedInAgent(db, commune.organisationId, sign, { name: 'Bob Martin', email: 'bob@ville.test', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  carol = await signedInAgent(db, commune.organisationId, sign, { name: 'Carole Léger', email: 'carole@ville.test', roles: [{ departmentId: commune.departments.cleaning, role: 'agent' }] });
  claire = await signedInCitizen(db, commune.organisationId, { firstNames: 'Claire', lastName: 'Bérard' });
  roadsCase = await newCase('Les lampadaires de la place sont éteints depuis lundi.');
  cleaningCase = await newCase('Dépôt de gravats derrière le gymnase, éclairage cassé aussi.', { categorie: 'depot_sauvage' });
  claireCase = await newCase('Trou dans la chaussée devant l’école.', { citizenId: claire.citizenId });
}, 60_000);

afterAll(async () => {
  await app.close();
  await db.close();
});

describe('the list', () => {
  it('asks a signed-out visitor to sign in first', async () => {
    const response = await app.inject({ method: 'GET', url: '/backoffice/dossiers', headers: HTML });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/backoffice\/connexion\?retour=/);
  });

  it('lists the cases of the agent’s departments with their channel, citizen, status and urgency, never another department’s', async () => {
    const response = await inbox(alice);
    expect(response.statusCode).toBe(200);
    const references = [...response.body.matchAll(/<td class="inbox-reference"><a href="[^"]*">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(references).toContain(roadsCase);
    expect(references).toContain(claireCase);
    expect(references).not.toContain(cleaningCase);
    expect(response.body).toContain('Portail');
    expect(response.body).toContain('Claire Bérard');
    expect(response.body).toContain('Reçu');
    expect(response.body).toContain(`/backoffice/dossiers/${roadsCase}`);
    expect(response.body).toMatch(/<th scope="col">Référence<\/th>/);
    expect(await listed(carol)).toEqual([cleaningCase]);
  });

  it('shows a case assigned to the agent even once it is in another department', async () => {
    const reference = await newCase('Dépôt sauvage rue Haute', { categorie: 'depot_sauvage' });
    await setColumns(reference, { assigned_agent_id: alice.agentId });
    expect(await listed(alice)).toContain(reference);
    expect(await listed(bob)).not.toContain(reference);
  });

  it('writes a full-text search (not its terms) to the access log', async () => {
    await inbox(bob, 'q=lampadaires');
    const entries = await db.kysely.selectFrom('access_log').selectAll().where('agent_id', '=', bob.agentId).where('action', '=', 'list_cases').execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.detail).not.toContain('lampadaire');
  });
});

describe('filters', () => {
  it('filters by channel, status, assignment and procedure', async () => {
    const phone = await newCase('Signalement par téléphone');
    await setColumns(phone, { channel: 'phone', assigned_agent_id: bob.agentId, status: 'en_cours' });
    expect(await listed(alice, 'canal=phone')).toEqual([phone]);
    expect(await listed(alice, 'statut=en_cours')).toEqual([phone]);
    expect(await listed(bob, 'attribution=moi')).toEqual([phone]);
    expect(await listed(alice, 'attribution=aucune')).not.toContain(phone);
    expect(await listed(alice, 'demarche=signalement-voirie')).toContain(phone);
    expect(await listed(alice, `departement=${commune.departments.roads}&canal=phone`)).toEqual([phone]);
    await setColumns(phone, { channel: 'web', assigned_agent_id: null, status: 'recu' });
  });

  it('filters overdue and at-risk cases', async () => {
    const overdue = await newCase('En retard');
    const atRisk = await newCase('Bientôt en retard');
    await setColumns(overdue, { due_at: new Date(Date.now() - 3_600_000).toISOString() });
    await setColumns(atRisk, { due_at: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await listed(alice, 'delai=en-retard')).toEqual([overdue]);
    expect(await listed(alice, 'delai=a-risque')).toEqual([atRisk]);
    const page = await inbox(alice, 'delai=en-retard');
    expect(page.body).toContain('En retard</span>');
    await setColumns(overdue, { due_at: new Date(Date.now() + 30 * 86_400_000).toISOString() });
    await setColumns(atRisk, { due_at: new Date(Date.now() + 30 * 86_400_000).toISOString() });
  });

  it('filters by received and closed dates in the town’s time zone, and by state', async () => {
    const old = await newCase('Ancienne demande');
    // 23:30 in Paris on 14 March 2025 is still the 14th there (22:30 UTC).
    await setColumns(old, { received_at: '2025-03-14T22:30:00.000Z', closed_at: '2025-04-02T10:00:00.000Z' });
    expect(await listed(alice, 'recu_du=2025-03-14&recu_au=2025-03-14&etat=tous')).toEqual([old]);
    expect(await listed(alice, 'recu_du=2025-03-15&recu_au=2025-03-20&etat=tous')).toEqual([]);
    expect(await listed(alice, 'etat=clos')).toEqual([old]);
    expect(await listed(alice)).not.toContain(old);
    expect(await listed(alice, 'clos_du=2025-04-01&clos_au=2025-04-30&etat=clos')).toEqual([old]);
    expect(await listed(alice, 'clos_du=2025-05-01&etat=clos')).toEqual([]);
  });

  it('filters the cases whose citizen gave their satisfaction', async () => {
    const answered = await newCase('Avis donné', { citizenId: claire.citizenId });
    await db.kysely.insertInto('satisfaction_answers').values({ case_id: (await load(answered)).id, citizen_id: claire.citizenId, rating: 4, comment: null, created_at: new Date().toISOString() }).execute();
    expect(await listed(alice, 'satisfaction=repondu')).toEqual([answered]);
  });

  it('filters by the sector a map-drawn routing rule placed the case in at intake', async () => {
    await makeRule(db, commune.organisationId, {
      procedureId: commune.procedureId,
      position: 0,
      name: 'Quartier des Tilleuls',
      condition: null,
      sector: { type: 'Polygon', coordinates: [[[0.68, 47.38], [0.70, 47.38], [0.70, 47.40], [0.68, 47.40], [0.68, 47.38]]] },
      departmentId: commune.departments.roads,
    });
    forgetConfiguration();
    const { receipt } = await submitCase(deps(), {
      organisationId: commune.organisationId,
      procedureSlug: 'signalement-voirie',
      channel: 'web',
      actor: { type: 'system', id: null },
      citizen: null,
      data: { categorie: 'eclairage', description: 'Dans le secteur' },
      location: { lat: 47.39, lon: 0.69 },
      hiddenFields: 'drop',
    });
    expect(await listed(alice, 'secteur=Quartier+des+Tilleuls')).toEqual([receipt.reference]);
    expect((await inbox(alice)).body).toContain('<option value="Quartier des Tilleuls">');
  });

  it('answers bad parameters with an error summary linking to each field, never a crash', async () => {
    const response = await inbox(alice, `departement=${commune.departments.cleaning}&canal=pigeon&recu_du=2025-02-31&tri=hasard&demarche=inconnue&apres=zzz`);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('class="error-summary"');
    for (const target of ['filtre-departement', 'filtre-canal', 'filtre-recu-du', 'filtre-tri', 'filtre-demarche', 'filtre-apres']) {
      expect(response.body).toContain(`href="#${target}"`);
    }
    expect(response.body).toContain('Choisissez un de vos services.');
  });
});

describe('full-text search', () => {
  it('finds plural and singular, with or without accents', async () => {
    expect(await listed(alice, 'q=lampadaire')).toEqual([roadsCase]);
    expect(await listed(alice, 'q=LAMPADAIRES')).toEqual([roadsCase]);
    expect(await listed(carol, 'q=eclairage')).toEqual([cleaningCase]);
    expect(await listed(carol, 'q=éclairages')).toEqual([cleaningCase]);
  });

  it('finds a reference, a citizen’s name and the text of a message', async () => {
    expect(await listed(alice, `q=${roadsCase}`)).toEqual([roadsCase]);
    const berard = await listed(alice, 'q=berard');
    expect(berard).toContain(claireCase);
    expect(berard).not.toContain(roadsCase);
    await db.kysely
      .insertInto('messages')
      .values({ case_id: (await load(claireCase)).id, direction: 'in', channel: 'portal', recipient: null, subject: 'Précision', body_text: 'Le trou est près du portail vert.', body_html: null, status: 'received', message_id: null, last_error: null, created_at: new Date().toISOString(), sent_at: null })
      .execute();
    expect(await listed(alice, 'q=portails+verts')).toEqual([claireCase]);
  });

  it('combines with the filters and never finds another department’s case', async () => {
    expect(await listed(alice, 'q=eclairage')).not.toContain(cleaningCase);
    expect(await listed(alice, 'q=gravats')).toEqual([]);
    expect(await listed(alice, 'q=lampadaires&canal=phone')).toEqual([]);
    expect(await listed(alice, `q=lampadaires&departement=${commune.departments.roads}`)).toEqual([roadsCase]);
  });

  it('ignores a search with nothing to search for', async () => {
    expect((await inbox(alice, 'q=%22%2A%28')).statusCode).toBe(200);
  });
});

describe('keyset pages', () => {
  it('walks every order page by page without duplicates or gaps', async () => {
    const fresh = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [{ departmentId: commune.departments.reception, role: 'agent' }] });
    const created: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      const reference = await newCase(`Série ${i}`);
      // Same receipt instant for pairs: the id breaks ties.
      await setColumns(reference, {
        department_id: commune.departments.reception,
        received_at: new Date(Date.UTC(2026, 0, 1, 0, Math.floor(i / 2))).toISOString(),
        due_at: i % 3 === 0 ? null : new Date(Date.UTC(2026, 5, 1, 0, i % 7)).toISOString(),
        priority: (['low', 'normal', 'high', 'urgent'] as const)[i % 4],
      });
      created.push(reference);
    }
    for (const sort of ['recus', 'anciens', 'echeance', 'priorite']) {
      const seen: string[] = [];
      let url = `tri=${sort}`;
      for (let page = 0; page < 10; page += 1) {
        const response = await inbox(fresh, url);
        expect(response.statusCode).toBe(200);
        seen.push(...[...response.body.matchAll(/<td class="inbox-reference"><a href="[^"]*">([^<]+)<\/a>/g)].map((m) => m[1]!));
        const next = /href="\/backoffice\/dossiers\?([^"]*apres=[^"]+)" rel="next"/.exec(response.body);
        if (!next) break;
        url = next[1]!.replaceAll('&amp;', '&');
      }
      expect(new Set(seen).size, sort).toBe(seen.length);
      expect([...seen].sort(), sort).toEqual([...created].sort());
    }
    // Received order, newest first, ties broken by id.
    const firstPage = await listed(fresh, 'tri=recus');
    expect(firstPage.slice(0, 2)).toEqual([created[119], created[118]]);
  });

  it('gives the next case of a list to the case page', async () => {
    const scope = await computeScope(db.kysely, alice.agentId, commune.organisationId);
    const request = { server: app } as never;
    const all = await listed(alice);
    const session = { agentId: alice.agentId, organisationId: commune.organisationId } as never;
    expect(await nextCaseReference(request, session, scope, '', all[0]!)).toBe(all[1]);
    expect(await nextCaseReference(request, session, scope, '', all.at(-1)!)).toBeNull();
    expect(await nextCaseReference(request, session, scope, 'q=lampadaires', roadsCase)).toBeNull();
    expect(await nextCaseReference(request, session, scope, 'canal=pigeon', roadsCase)).toBeNull();
  });
});

describe('saved views', () => {
  it('saves the current filters under a name, counts its cases, renames and deletes it', async () => {
    const saved = await post(alice, '/backoffice/vues', { nom: 'Mes lampadaires', requete: 'q=lampadaires&etat=ouverts' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/backoffice/dossiers?q=lampadaires&etat=ouverts&fait=vue-enregistree');
    const page = await inbox(alice, 'q=lampadaires&etat=ouverts');
    expect(page.body).toMatch(/aria-current="page">Mes lampadaires<\/a> <span class="badge">1<\/span>/);
    const view = (await db.kysely.selectFrom('saved_views').selectAll().where('agent_id', '=', alice.agentId).executeTakeFirstOrThrow())!;
    expect((await post(bob, `/backoffice/vues/${view.id}/supprimer`, {})).statusCode).toBe(404);
    expect((await post(bob, `/backoffice/vues/${view.id}/renommer`, { nom: 'Volée' })).statusCode).toBe(404);
    expect((await post(alice, `/backoffice/vues/${view.id}/renommer`, { nom: '' })).statusCode).toBe(422);
    expect((await post(alice, `/backoffice/vues/${view.id}/renommer`, { nom: 'Éclairage public' })).statusCode).toBe(303);
    expect((await inbox(alice)).body).toContain('Éclairage public');
    expect((await post(alice, `/backoffice/vues/${view.id}/supprimer`, {}, { csrf: false })).statusCode).toBe(403);
    expect((await post(alice, `/backoffice/vues/${view.id}/supprimer`, {})).statusCode).toBe(303);
    expect(await db.kysely.selectFrom('saved_views').selectAll().where('agent_id', '=', alice.agentId).execute()).toEqual([]);
  });

  it('refuses a view without a name, with an error summary', async () => {
    const response = await post(alice, '/backoffice/vues', { nom: '  ', requete: '' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('href="#vue-nom"');
  });
});

describe('bulk actions', () => {
  const tick = async (reference: string) => {
    const c = await load(reference);
    return `${c.id}:${c.version}`;
  };

  it('assigns several cases to me, ignoring a case the agent may not see, one journal entry each', async () => {
    const a = await newCase('Groupe A');
    const b = await newCase('Groupe B');
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'attribuer', agent: 'moi', dossiers: [await tick(a), await tick(b), await tick(cleaningCase)], liste: '' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Action groupée : 2 dossiers sur 3 traités');
    expect(response.body).toContain('Introuvable');
    expect(response.body).not.toContain(cleaningCase);
    expect((await load(a)).assignedAgentId).toBe(alice.agentId);
    expect((await load(b)).assignedAgentId).toBe(alice.agentId);
    expect((await load(cleaningCase)).assignedAgentId).toBeNull();
    const journal = await caseRepository.listJournal(db.kysely, (await load(a)).id);
    expect(journal.at(-1)!.type).toBe('case.assigned');
  });

  it('reports a version conflict and changes nothing on that case', async () => {
    const a = await newCase('Conflit A');
    const b = await newCase('Conflit B');
    const staleB = await tick(b);
    await setColumns(b, { version: (await load(b)).version + 1 });
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'attribuer', agent: String(bob.agentId), dossiers: [await tick(a), staleB] });
    expect(response.body).toContain('Modifié entre-temps');
    expect((await load(a)).assignedAgentId).toBe(bob.agentId);
    expect((await load(b)).assignedAgentId).toBeNull();
  });

  it('refuses to assign to an agent of another department', async () => {
    const a = await newCase('Pour Carole ?');
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'attribuer', agent: String(carol.agentId), dossiers: [await tick(a)] });
    expect(response.body).toContain('Cet agent n’appartient pas au service du dossier.');
    expect((await load(a)).assignedAgentId).toBeNull();
  });

  it('runs a transition where it is available and says where it is not', async () => {
    const a = await newCase('Transition A');
    const b = await newCase('Transition B');
    await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'transition', transition: 'qualifier', dossiers: [await tick(b)] });
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'transition', transition: 'qualifier', modele: '', dossiers: [await tick(a), await tick(b)] });
    expect(response.body).toContain('Action impossible');
    expect((await load(a)).status).toBe('en_cours');
  });

  it('runs a transition with a response template message sent to each citizen', async () => {
    const now = new Date().toISOString();
    const template = await db.kysely
      .insertInto('response_templates')
      .values({ organisation_id: commune.organisationId, department_id: null, procedure_id: null, slug: 'prise-en-charge', name: 'Prise en charge', subject: 'Votre demande {{ case.reference }}', body: 'Bonjour, votre demande est prise en charge.', is_active: 1, updated_by: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const a = await newCase('Avec message', { citizenId: claire.citizenId });
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'transition', transition: 'qualifier', modele: String(template.id), dossiers: [await tick(a)] });
    expect(response.body).toContain('Action groupée : 1 dossier sur 1 traité');
    expect((await load(a)).status).toBe('en_cours');
    const messages = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', (await load(a)).id).where('direction', '=', 'out').execute();
    expect(messages.map((m) => m.subject)).toContain(`Votre demande ${a}`);
  });

  it('transfers with a reason, and asks for one', async () => {
    const a = await newCase('À transférer');
    const refused = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'transferer', service: String(commune.departments.cleaning), motif: '', dossiers: [await tick(a)] });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('href="#action-motif"');
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'transferer', service: String(commune.departments.cleaning), motif: 'C’est un dépôt', dossiers: [await tick(a)] });
    expect(response.statusCode).toBe(200);
    expect((await load(a)).department.id).toBe(commune.departments.cleaning);
  });

  it('refuses a forged post without the CSRF value', async () => {
    const a = await newCase('CSRF');
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'attribuer', agent: 'moi', dossiers: [await tick(a)] }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await load(a)).assignedAgentId).toBeNull();
  });

  it('asks to tick at least one case', async () => {
    const response = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'attribuer', agent: 'moi' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Cochez au moins un dossier de la liste.');
  });
});

describe.skipIf(!validatorAvailable)('HTML', () => {
  it('is valid HTML with results, with errors, empty, and with a bulk report', async () => {
    const a = await newCase('Validation');
    const report = await post(alice, '/backoffice/dossiers/actions-groupees', { action: 'attribuer', agent: 'moi', dossiers: [`${(await load(a)).id}:${(await load(a)).version}`] });
    const pages = [
      { name: 'list', html: (await inbox(alice)).body },
      { name: 'errors', html: (await inbox(alice, 'canal=pigeon&recu_du=2025-02-31')).body },
      { name: 'empty', html: (await inbox(alice, 'q=introuvable')).body },
      { name: 'report', html: report.body },
    ];
    const results = await validateHtml(pages);
    for (const [name, errors] of results ?? []) expect(errors, name).toEqual([]);
  }, 60_000);
});

describe('live updates', () => {
  it('sends a new case of the agent’s departments, and not one of another department', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const page = await inbox(alice);
    const source = /data-inbox-events="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}${source}`, { headers: { cookie: alice.cookie }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const other = await newCase('Autre service en direct', { categorie: 'depot_sauvage' });
    const mine = await newCase('Nouveau lampadaire en direct');
    const reader = response.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: cases') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    expect(text).toContain('event: cases');
    expect(text).toContain(mine);
    expect(text).not.toContain(other);
  }, 20_000);

  it('refuses a signed-out stream', async () => {
    const response = await app.inject({ method: 'GET', url: '/backoffice/dossiers/evenements?depuis=0' });
    expect(response.statusCode).toBe(303);
  });
});
