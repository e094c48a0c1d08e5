/**
 * The accessibility sweep of the back-office: every GET page, signed in as a demo admin of the demo
 * commune (and the sign-in pages signed out), through the checks the issue asks for — the expected
 * status, one `h1`, a `<title>`, a working skip link, valid HTML (Nu Html Checker), no axe-core
 * violation (WCAG 2.0/2.1 A and AA) — and the triage path (inbox → case → take → back) by keyboard
 * alone. The routes registered under /backoffice are discovered from the app itself: a new GET
 * page missing from the table below fails the sweep, so no page escapes it.
 */
import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyScopeOf } from '../src/backoffice/registration/service.js';
import { recordCallEvent } from '../src/channels/phone/service.js';
import { inboundRepository } from '../src/channels/inbound-repository.js';
import { mergeCitizens } from '../src/citizens/merge.js';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { seedHistoricalCases } from '../src/demo/history.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { testApp } from './app.js';
import { signInAgent } from './backoffice-session.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';

/**
 * Who opens the page: the signed-in admin, nobody, a browser half-way through signing in, or an
 * agent who has no second factor yet (its set-up page is only for them).
 */
type Visitor = 'agent' | 'signed-out' | 'second-factor' | 'enrol' | 'agent-without-totp';

interface PageSpec {
  name: string;
  /** The route as registered (`null` for the not-found page, which has none). */
  route: string | null;
  /** The address to open; null when its fixture could not be made (the test then fails). */
  url: () => string | null;
  status: number;
  visitor?: Visitor;
  /** A form sent back with errors: its accessible error summary is checked too. */
  inError?: boolean;
}

const fixture = { reference: '', citizenId: 0, templateId: 0, registrationKey: '', agentId: 0, callId: 0, splitUrl: '' };

const PAGES: PageSpec[] = [
  // Signing in.
  { name: 'connexion', route: '/backoffice/connexion', url: () => '/backoffice/connexion', status: 200, visitor: 'signed-out' },
  { name: 'code de double authentification', route: '/backoffice/connexion/code', url: () => '/backoffice/connexion/code', status: 200, visitor: 'second-factor' },
  {
    name: 'activer la double authentification',
    route: '/backoffice/connexion/activer-double-authentification',
    url: () => '/backoffice/connexion/activer-double-authentification',
    status: 200,
    visitor: 'enrol',
  },
  // The inbox.
  { name: 'dossiers', route: '/backoffice/dossiers', url: () => '/backoffice/dossiers', status: 200 },
  { name: 'dossiers filtrés', route: '/backoffice/dossiers', url: () => '/backoffice/dossiers?delai=en-retard&canal=web&attribution=aucune', status: 200 },
  { name: 'dossiers : recherche', route: '/backoffice/dossiers', url: () => '/backoffice/dossiers?q=cantine', status: 200 },
  { name: 'dossiers : filtres en erreur', route: '/backoffice/dossiers', url: () => '/backoffice/dossiers?delai=demain&recu_du=hier', status: 400, inError: true },
  { name: 'dossiers clos', route: '/backoffice/dossiers', url: () => '/backoffice/dossiers?etat=clos', status: 200 },
  // A case.
  { name: 'dossier', route: '/backoffice/dossiers/:reference', url: () => `/backoffice/dossiers/${fixture.reference}`, status: 200 },
  { name: 'dossier : impression', route: '/backoffice/dossiers/:reference/impression', url: () => `/backoffice/dossiers/${fixture.reference}/impression`, status: 200 },
  { name: 'dossier : répondre', route: '/backoffice/dossiers/:reference/repondre', url: () => `/backoffice/dossiers/${fixture.reference}/repondre`, status: 200 },
  {
    name: 'dossier : répondre avec un modèle',
    route: '/backoffice/dossiers/:reference/repondre',
    url: () => `/backoffice/dossiers/${fixture.reference}/repondre?modele=${fixture.templateId}`,
    status: 200,
  },
  { name: 'dossier inconnu', route: '/backoffice/dossiers/:reference', url: () => '/backoffice/dossiers/1999-999999', status: 404 },
  // Dashboard.
  { name: 'tableau de bord', route: '/backoffice/tableau-de-bord', url: () => '/backoffice/tableau-de-bord', status: 200 },
  // Citizens.
  { name: 'usagers', route: '/backoffice/usagers', url: () => '/backoffice/usagers', status: 200 },
  { name: 'usagers : recherche', route: '/backoffice/usagers', url: () => '/backoffice/usagers?q=martin', status: 200 },
  { name: 'usager : vue 360°', route: '/backoffice/usagers/:id', url: () => `/backoffice/usagers/${fixture.citizenId}`, status: 200 },
  { name: 'usagers : doublons', route: '/backoffice/usagers/doublons', url: () => '/backoffice/usagers/doublons', status: 200 },
  { name: 'usager : fusionner', route: '/backoffice/usagers/:id/fusionner', url: () => `/backoffice/usagers/${fixture.citizenId}/fusionner`, status: 200 },
  { name: 'usager : séparer une fusion', route: '/backoffice/usagers/:id/fusions/:fusion/separer', url: () => fixture.splitUrl || null, status: 200 },
  // Registering a request from another channel.
  { name: 'nouvelle demande', route: '/backoffice/nouvelle-demande', url: () => '/backoffice/nouvelle-demande', status: 200 },
  { name: 'nouvelle demande : téléphone, contact', route: '/backoffice/nouvelle-demande', url: () => '/backoffice/nouvelle-demande?canal=phone&demarche=contact', status: 200 },
  { name: 'nouvelle demande : courrier, usager connu', route: '/backoffice/nouvelle-demande', url: () => `/backoffice/nouvelle-demande?canal=mail&demarche=signalement-voirie&usager=${fixture.citizenId}`, status: 200 },
  {
    name: 'demande enregistrée',
    route: '/backoffice/nouvelle-demande/enregistree/:key',
    url: () => (fixture.registrationKey ? `/backoffice/nouvelle-demande/enregistree/${fixture.registrationKey}` : null),
    status: 200,
  },
  { name: 'registre du courrier', route: '/backoffice/courrier', url: () => '/backoffice/courrier', status: 200 },
  // Telephone calls (an ended call of the admin's extension, from the citizen above).
  { name: 'appels', route: '/backoffice/appels', url: () => '/backoffice/appels', status: 200 },
  { name: 'nouvelle demande : depuis un appel', route: '/backoffice/nouvelle-demande', url: () => (fixture.callId ? `/backoffice/nouvelle-demande?appel=${fixture.callId}` : null), status: 200 },
  // Response templates.
  { name: 'modèles de réponse', route: '/backoffice/modeles', url: () => '/backoffice/modeles', status: 200 },
  { name: 'nouveau modèle', route: '/backoffice/modeles/nouveau', url: () => '/backoffice/modeles/nouveau', status: 200 },
  { name: 'modèle', route: '/backoffice/modeles/:id', url: () => `/backoffice/modeles/${fixture.templateId}`, status: 200 },
  { name: 'modèle : aperçu', route: '/backoffice/modeles/:id/apercu', url: () => `/backoffice/modeles/${fixture.templateId}/apercu?dossier=${fixture.reference}`, status: 200 },
  // The agent's own pages.
  { name: 'mentions', route: '/backoffice/mentions', url: () => '/backoffice/mentions', status: 200 },
  { name: 'mon compte', route: '/backoffice/mon-compte', url: () => '/backoffice/mon-compte', status: 200 },
  { name: 'mon compte : double authentification', route: '/backoffice/mon-compte/double-authentification', url: () => '/backoffice/mon-compte/double-authentification', status: 200, visitor: 'agent-without-totp' },
  // Administration.
  { name: 'administration', route: '/backoffice/admin', url: () => '/backoffice/admin', status: 200 },
  { name: 'administration : nouvel agent', route: '/backoffice/admin/agents/nouveau', url: () => '/backoffice/admin/agents/nouveau', status: 200 },
  { name: 'administration : agent', route: '/backoffice/admin/agents/:id', url: () => `/backoffice/admin/agents/${fixture.agentId}`, status: 200 },
  { name: 'journal des accès', route: '/backoffice/admin/journal-des-acces', url: () => '/backoffice/admin/journal-des-acces', status: 200 },
  { name: 'journal des accès en erreur', route: '/backoffice/admin/journal-des-acces', url: () => '/backoffice/admin/journal-des-acces?usager=abc', status: 422, inError: true },
  { name: 'journal des accès filtré', route: '/backoffice/admin/journal-des-acces', url: () => `/backoffice/admin/journal-des-acces?usager=${fixture.citizenId}`, status: 200 },
  { name: 'circuits de traitement', route: '/backoffice/admin/circuits', url: () => '/backoffice/admin/circuits', status: 200 },
  { name: 'circuit de traitement', route: '/backoffice/admin/circuits/:slug', url: () => '/backoffice/admin/circuits/signalement-voirie', status: 200 },
  { name: 'circuit de traitement publié', route: '/backoffice/admin/circuits/:slug', url: () => '/backoffice/admin/circuits/signalement-voirie?publie=1', status: 200 },
  { name: 'postes téléphoniques', route: '/backoffice/admin/postes-telephoniques', url: () => '/backoffice/admin/postes-telephoniques', status: 200 },
  { name: 'santé des canaux', route: '/backoffice/admin/canaux', url: () => '/backoffice/admin/canaux', status: 200 },
  { name: 'santé des canaux : 30 jours', route: '/backoffice/admin/canaux', url: () => '/backoffice/admin/canaux?periode=30j', status: 200 },
  { name: 'santé des canaux : période en erreur', route: '/backoffice/admin/canaux', url: () => '/backoffice/admin/canaux?periode=1an', status: 422, inError: true },
  { name: 'quarantaine des canaux', route: '/backoffice/admin/canaux/quarantaine', url: () => '/backoffice/admin/canaux/quarantaine', status: 200 },
  { name: 'quarantaine des canaux : courriel', route: '/backoffice/admin/canaux/quarantaine', url: () => '/backoffice/admin/canaux/quarantaine?canal=email', status: 200 },
  // Errors.
  { name: 'page introuvable', route: null, url: () => '/backoffice/cette-page-n-existe-pas', status: 404 },
];

/**
 * Pages other engineers are still building: their route is not registered yet. Each is skipped
 * with a warning while it is here; once its route exists the sweep fails until it is taken out.
 */
const PENDING = new Set<string>([]);

/** GET routes under /backoffice that are not pages, and why. */
const NOT_PAGES: { route: RegExp; why: string }[] = [
  { route: /^\/backoffice$/, why: 'redirects to the inbox' },
  { route: /\.(pdf|csv|json)$/, why: 'downloads (PDF, CSV, JSON)' },
  { route: /\/pieces\/:[A-Za-z]+$/, why: 'file downloads' },
  { route: /^\/backoffice\/dossiers\/:reference\/courrier\/:file$/, why: 'letter PDF (`:file` is `<message id>.pdf`)' },
  { route: /^\/backoffice\/usagers\/recherche$/, why: 'htmx fragment of the « Nouvelle demande » citizen search (radios, no page)' },
  { route: /^\/backoffice\/dossiers\/evenements$/, why: 'server-sent events stream' },
  { route: /^\/backoffice\/appels\/evenements$/, why: 'server-sent events stream (screen pops of calls)' },
  { route: /^\/backoffice\/mentions\/:id$/, why: 'marks a mention read and redirects to its case' },
  { route: /^\/backoffice\/proconnect\//, why: 'redirects to and from ProConnect' },
  { route: /^\/backoffice\/admin\/canaux\/quarantaine\/:id\/brut$/, why: 'download of a quarantined item as received (e-mail or JSON)' },
];

/**
 * The GET routes the app registered under /backoffice, read from Fastify's route tree (one node
 * per line, four columns of indentation per level, each node's path relative to its parent).
 */
function backofficeGetRoutes(app: App): string[] {
  const tree = app.printRoutes({ commonPrefix: false, method: 'GET' });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const parent = stack[depth - 1] ?? '';
    const path = parent.endsWith('/') && m[2]!.startsWith('/') ? parent + m[2]!.slice(1) : parent + m[2]!;
    stack[depth] = path;
    if (m[3]?.split(', ').includes('GET') && (path === '/backoffice' || path.startsWith('/backoffice/'))) routes.push(path);
  }
  return [...new Set(routes)];
}

let db: Db;
let app: App;
let base: string;
let organisationId: number;
const cookies: Record<Visitor, string> = { agent: '', 'signed-out': '', 'second-factor': '', enrol: '', 'agent-without-totp': '' };

interface Fetched {
  spec: PageSpec;
  url: string;
  status: number;
  html: string;
}
const fetched: Fetched[] = [];
const skipped: string[] = [];
const unresolved: string[] = [];
let htmlChecked: ReturnType<typeof validateHtml> | null = null;
const ACCEPT_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const routeExists = (route: string | null) => route === null || app.hasRoute({ method: 'GET', url: route });

/** A browser session of `agentId` at a given stage of signing in. */
async function sessionAt(agentId: number, stage: 'ready' | 'second_factor' | 'enrol'): Promise<string> {
  const { cookie } = await signInAgent(db, agentId, app.signCookie.bind(app));
  if (stage !== 'ready') {
    // The table keeps the SHA-256 of the cookie's token.
    const id = createHash('sha256').update(cookie.split('=')[1]!).digest('base64url');
    await db.kysely.updateTable('agent_sessions').set({ stage }).where('id', '=', id).execute();
  }
  return cookie;
}

async function agentIdOf(email: string): Promise<number> {
  return (await db.kysely.selectFrom('agents').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  await seedHistoricalCases(db, organisationId, 40, { now: new Date(), timezone: 'Europe/Paris' });
  app = await testApp(db);
  // Claire Martin is the demo commune's admin (reception), with her second factor enrolled: she
  // is signed in, and half-way in another browser. Julien Moreau, an agent, enrols his.
  const admin = await agentIdOf('claire.martin@ville-de-demo.fr');
  const agent = await agentIdOf('julien.moreau@ville-de-demo.fr');
  cookies.agent = await sessionAt(admin, 'ready');
  cookies['second-factor'] = await sessionAt(admin, 'second_factor');
  cookies.enrol = await sessionAt(agent, 'enrol');
  cookies['agent-without-totp'] = await sessionAt(agent, 'ready');
  fixture.agentId = agent;

  // A telephone request registered by the admin (as the « new request » screen does): a case of the
  // reception, its citizen, and the confirmation page of its registration.
  fixture.registrationKey = 'balayage-accessibilite';
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris', publicUrl: 'https://demarches.ville-demo.fr' },
    {
      organisationId,
      procedureSlug: 'contact',
      channel: 'phone',
      actor: { type: 'agent', id: String(admin) },
      citizen: { firstNames: 'Claire', lastName: 'Martin', email: 'claire.martin@exemple.fr' },
      data: { sujet: 'information', objet: 'Cantine', message: 'Quels sont les tarifs de la cantine ?', reponse: 'courriel' },
      hiddenFields: 'drop',
      acknowledgment: 'none',
      idempotency: { scope: idempotencyScopeOf(admin), key: fixture.registrationKey, requestHash: 'balayage' },
    },
  );
  fixture.reference = receipt.reference;
  const created = await db.kysely.selectFrom('cases').select(['citizen_id']).where('reference', '=', receipt.reference).executeTakeFirstOrThrow();
  fixture.citizenId = created.citizen_id!;
  const template = await db.kysely.selectFrom('response_templates').select('id').where('organisation_id', '=', organisationId).orderBy('id').executeTakeFirst();
  fixture.templateId =
    template?.id ??
    (
      await db.kysely
        .insertInto('response_templates')
        .values({
          organisation_id: organisationId,
          department_id: null,
          procedure_id: null,
          slug: 'accuse-simple',
          name: 'Accusé de réception simple',
          subject: 'Votre demande {{ case.reference }}',
          body: 'Bonjour {{ citizen.first_names }},\n\nNous avons bien reçu votre demande.',
          updated_by: admin,
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  // A call from that citizen to the admin's extension, answered and ended (no pop left on the pages).
  await db.kysely.updateTable('agents').set({ phone_extension: '100' }).where('id', '=', admin).execute();
  await db.kysely.insertInto('citizen_phones').values({ citizen_id: fixture.citizenId, phone: '+33612345678', is_primary: 1 }).execute();
  const call = { callId: 'balayage-1', from: '0612345678', to: '0247000000', direction: 'in' as const, users: [], extension: '100', cause: null };
  await recordCallEvent(db, organisationId, { ...call, event: 'newCall' });
  await recordCallEvent(db, organisationId, { ...call, event: 'answer' });
  await recordCallEvent(db, organisationId, { ...call, event: 'hangup', cause: 'normalClearing' });
  fixture.callId = (await db.kysely.selectFrom('phone_calls').select('id').where('call_id', '=', 'balayage-1').executeTakeFirstOrThrow()).id;

  // Two records of one person merged by the admin: the « Séparer » page of that merge.
  const record = async (firstNames: string) =>
    (
      await db.kysely
        .insertInto('citizens')
        .values({ organisation_id: organisationId, civility: null, birth_name: 'Balayage', usage_name: null, first_names: firstNames, birth_date: null, identity_assurance: 'declared', household_id: null, possible_duplicate_of: null, gender: null, birth_place: null, birth_country: null, created_at: new Date().toISOString(), updated_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const [keptId, mergedId] = [await record('Paul'), await record('Pol')];
  const { mergeId } = await mergeCitizens(db, { organisationId, agentId: admin, keptId, mergedId, identityFrom: 'kept', access: { everyRecord: true }, identityCheck: null });
  fixture.splitUrl = `/backoffice/usagers/${keptId}/fusions/${mergeId}/separer`;

  // A quarantined e-mail and an ignored SMS, so the channel health page and the quarantine show rows.
  const quarantined = await inboundRepository.insert(
    db.kysely,
    { organisationId, channel: 'email', source: 'smtp', externalId: '<balayage@exemple.fr>', sender: 'jeanne@exemple.fr', summary: 'jeanne@exemple.fr : Objet illisible', rawSize: 2048 },
    new Date().toISOString(),
  );
  await inboundRepository.settle(db.kysely, quarantined!, { status: 'quarantined', reason: 'parse_error', error: 'Structure MIME invalide.' }, new Date().toISOString());
  const ignored = await inboundRepository.insert(db.kysely, { organisationId, channel: 'sms', source: 'webhook', externalId: 'sms-1', sender: '+33600000000', summary: 'STOP' }, new Date().toISOString());
  await inboundRepository.settle(db.kysely, ignored!, { status: 'ignored', reason: 'opt_out' }, new Date().toISOString());

  for (const spec of PAGES) {
    if (spec.route !== null && PENDING.has(spec.route) && !routeExists(spec.route)) {
      skipped.push(`${spec.name} (${spec.route})`);
      continue;
    }
    const url = spec.url();
    if (url === null) {
      unresolved.push(spec.name);
      continue;
    }
    const cookie = cookies[spec.visitor ?? 'agent'];
    const res = await app.inject({ method: 'GET', url, headers: { accept: ACCEPT_HTML, ...(cookie ? { cookie } : {}) } });
    fetched.push({ spec, url, status: res.statusCode, html: res.body });
  }
  if (skipped.length > 0) console.warn(`Pages en attente (route pas encore enregistrée), ignorées :\n  ${skipped.join('\n  ')}`);
  console.info(`Pages vérifiées : ${fetched.length}, en attente : ${skipped.length}.`);
  // The checker (a JVM) runs while Chromium checks the pages.
  if (validatorAvailable) {
    htmlChecked = validateHtml(fetched.map((p) => ({ name: p.spec.name, html: p.html })));
    htmlChecked.catch(() => undefined); // awaited (and reported) by its test
  }
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the list of back-office pages', () => {
  it('covers every GET route registered under /backoffice', () => {
    const registered = backofficeGetRoutes(app);
    // The discovery reads Fastify's printed tree: a change of its format must not empty the list silently.
    expect(registered).toEqual(expect.arrayContaining(['/backoffice', '/backoffice/tableau-de-bord', '/backoffice/dossiers/:reference', '/backoffice/dossiers/:reference/impression']));
    const listed = new Set(PAGES.map((p) => p.route));
    const missing = registered.filter((route) => !listed.has(route) && !NOT_PAGES.some((n) => n.route.test(route)));
    expect(missing, 'pages à ajouter au tableau PAGES de ce test (ou à NOT_PAGES avec la raison)').toEqual([]);
  });

  it('keeps in PENDING only the pages whose route does not exist yet', () => {
    const landed = [...PENDING].filter((route) => routeExists(route));
    expect(landed, 'pages construites à retirer de PENDING').toEqual([]);
    const absent = PAGES.filter((p) => p.route !== null && !PENDING.has(p.route) && !routeExists(p.route)).map((p) => `${p.name} (${p.route})`);
    expect(absent, 'pages sans route enregistrée').toEqual([]);
    expect(unresolved, 'pages dont l’adresse n’a pas pu être construite').toEqual([]);
  });
});

describe('every back-office page', () => {
  it('answers with the expected status, one h1, a title and a skip link to the main content', () => {
    expect(fetched.length).toBeGreaterThan(15);
    for (const page of fetched) {
      const name = page.spec.name;
      expect(page.status, name).toBe(page.spec.status);
      expect(page.html, name).toContain('<html lang="fr">');
      expect(page.html.match(/<h1[\s>]/g)?.length, `${name} : un seul h1`).toBe(1);
      expect(page.html, name).toMatch(/<title>[^<]+<\/title>/);
      expect(page.html, name).toContain('href="#contenu"');
      expect(page.html, name).toMatch(/<main id="contenu"/);
      if (page.spec.inError) {
        expect(page.html, name).toContain('class="error-summary"');
        expect(page.html, name).toMatch(/<title>Erreur — /);
      }
    }
  });

});

describe.skipIf(!browserAvailable)('every back-office page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => browser?.close());

  async function contextFor(visitor: Visitor): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const cookie = cookies[visitor];
    if (cookie) {
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/' }]);
    }
    return context;
  }

  /** Pages checked at once: each in its own tab, so the sweep stays near a minute. */
  const PARALLEL_TABS = 4;

  it('has no axe-core violation (WCAG 2.0/2.1 A and AA), and its skip link (or its error summary) takes the focus', async () => {
    const violations: { page: string; violations: unknown }[] = [];
    const skipLinks: string[] = [];
    const statuses: string[] = [];
    const contexts = new Map<Visitor, BrowserContext>();
    for (const visitor of new Set(fetched.map((f) => f.spec.visitor ?? 'agent'))) contexts.set(visitor, await contextFor(visitor));
    const check = async (item: Fetched) => {
      const page = await contexts.get(item.spec.visitor ?? 'agent')!.newPage();
      try {
        const response = await page.goto(`${base}${item.url}`);
        if (response!.status() !== item.spec.status) statuses.push(`${item.spec.name}: ${response!.status()}`);
        const found = await axeViolations(page);
        if (found.length > 0) violations.push({ page: item.spec.name, violations: found });
        if (item.spec.inError) {
          // A form in error puts the focus on its error summary, whose links lead to the fields.
          const onSummary = await page.evaluate(() => document.activeElement?.closest('.error-summary') !== null);
          if (!onSummary) skipLinks.push(`${item.spec.name}: le résumé des erreurs n’a pas le focus`);
          return;
        }
        // The first Tab reaches the skip link; following it puts the focus on the main content.
        await page.keyboard.press('Tab');
        const first = await page.evaluate(() => document.activeElement?.getAttribute('href'));
        await page.keyboard.press('Enter');
        const target = await page.evaluate(() => document.activeElement?.id);
        if (first !== '#contenu' || target !== 'contenu') skipLinks.push(`${item.spec.name}: ${first} → ${target}`);
      } finally {
        await page.close();
      }
    };
    try {
      const queue = [...fetched];
      await Promise.all(
        Array.from({ length: PARALLEL_TABS }, async () => {
          for (let item = queue.shift(); item; item = queue.shift()) await check(item);
        }),
      );
    } finally {
      for (const context of contexts.values()) await context.close();
    }
    expect(statuses).toEqual([]);
    expect(violations).toEqual([]);
    expect(skipLinks).toEqual([]);
  }, 240_000);

  /** Presses Tab until the focused element matches, as a keyboard user would, checking each focus is visible. */
  async function tabTo(page: Page, matches: (el: { tag: string; href: string | null; text: string; action: string | null }) => boolean, what: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      await page.keyboard.press('Tab');
      const el = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement | null;
        if (!a) return null;
        const style = getComputedStyle(a);
        return {
          tag: a.tagName.toLowerCase(),
          href: a.getAttribute('href'),
          text: (a.textContent ?? '').trim() || `${a.getAttribute('type') ?? ''} ${a.getAttribute('name') ?? ''} #${a.id}`,
          outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
          action: a.closest('form')?.getAttribute('action') ?? null,
          // A date field shows its focus by highlighting the part being typed (day, month, year).
          visible: /^(date|time|datetime-local)$/.test(a.getAttribute('type') ?? '') || (a.matches(':focus-visible') && (style.outlineStyle !== 'none' || style.boxShadow !== 'none')),
        };
      });
      // After a page load the focus starts from the document itself.
      if (!el || el.tag === 'body') continue;
      expect(el.visible, `focus visible on ${el.tag} ${el.href ?? el.text.slice(0, 80)} (${el.outline})`).toBe(true);
      if (matches(el)) return;
    }
    throw new Error(`${what} : jamais atteint au clavier`);
  }

  it.skipIf(PENDING.has('/backoffice/dossiers'))('lets an agent triage by keyboard alone: inbox, case, take it, back to the inbox', async () => {
    const context = await contextFor('agent');
    try {
      const page = await context.newPage();
      await page.goto(`${base}/backoffice/dossiers`);
      const casePath = `/backoffice/dossiers/${fixture.reference}`;
      await tabTo(page, (el) => el.tag === 'a' && el.href === casePath, `le lien du dossier ${fixture.reference}`);
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      expect(new URL(page.url()).pathname).toBe(casePath);
      expect(await page.locator('h1').count()).toBe(1);
      await tabTo(page, (el) => el.tag === 'button' && (el.action ?? '').endsWith(`${casePath}/prendre`), 'le bouton « Prendre le dossier »');
      // The form posts, the server redirects: the next page load is the case page again.
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      const taken = await db.kysely.selectFrom('cases').select('assigned_agent_id').where('reference', '=', fixture.reference).executeTakeFirstOrThrow();
      expect(taken.assigned_agent_id).toBe(await agentIdOf('claire.martin@ville-de-demo.fr'));
      await tabTo(page, (el) => el.tag === 'a' && el.href !== null && /^\/backoffice\/dossiers(\?|$)/.test(el.href), 'le retour aux dossiers');
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      expect(new URL(page.url()).pathname).toBe('/backoffice/dossiers');
      expect(await page.locator('h1').count()).toBe(1);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('every back-office page, checked while Chromium ran', () => {
  it.skipIf(!validatorAvailable)('is valid HTML for the Nu Html Checker (no error)', async () => {
    const results = await htmlChecked;
    const errors = [...results!.entries()].filter(([, list]) => list.length > 0).map(([name, list]) => ({ name, errors: list }));
    expect(errors).toEqual([]);
  }, 120_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
