/**
 * The per-channel health page and API: receipts recorded and settled through inboundRepository (as
 * every channel does) in several states and periods, read back by an admin on
 * /backoffice/admin/canaux and by a supervision tool on GET /api/channels/health; the quarantine
 * list and its raw downloads (written to the access log); who may see them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STATUS_CHECKS } from '../src/channels/health/service.js';
import { rawMailStore } from '../src/channels/email/receive.js';
import { inboundRepository, type InboundChannel, type InboundOutcome } from '../src/channels/inbound-repository.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { axeViolations, browserAvailable, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { makeDepartment, makeOrganisation, makeProcedure, makeToken } from './factories.js';
import { validateHtml, validatorAvailable } from './html-validator.js';

let db: Db;
let app: App;
let organisationId: number;
let admin: TestAgent;
let agent: TestAgent;
let otherAdmin: TestAgent;
const tokens = { health: '', cases: '', other: '' };
const ids = { emailQuarantined: 0, open311Quarantined: 0, created: 0, otherQuarantined: 0 };
const RAW_EMAIL = Buffer.from(
  'From: Jeanne Dupont <jeanne.dupont@exemple.fr>\r\nTo: mairie@ville.test\r\nSubject: =?utf-8?q?Demande_cass=C3=A9e?=\r\nMessage-ID: <casse-1@exemple.fr>\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nmal formé',
);

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Records an item as a channel does, and settles it (unless it stays pending). */
async function receipt(
  org: number,
  channel: InboundChannel,
  receivedAgo: number,
  outcome: InboundOutcome | null,
  extra: { externalId?: string; sender?: string; summary?: string; rawKey?: string; rawSize?: number; payload?: unknown } = {},
): Promise<number> {
  const receivedAt = ago(receivedAgo);
  const id = await inboundRepository.insert(
    db.kysely,
    {
      organisationId: org,
      channel,
      source: 'test',
      externalId: extra.externalId ?? null,
      sender: extra.sender ?? null,
      summary: extra.summary ?? null,
      ...(extra.rawKey ? { rawKey: extra.rawKey } : {}),
      ...(extra.rawSize !== undefined ? { rawSize: extra.rawSize } : {}),
      ...(extra.payload !== undefined ? { payload: extra.payload } : {}),
    },
    receivedAt,
  );
  if (outcome) await inboundRepository.settle(db.kysely, id!, outcome, receivedAt);
  return id!;
}

beforeAll(async () => {
  db = await freshDb();
  organisationId = await makeOrganisation(db);
  const reception = await makeDepartment(db, organisationId, 'accueil', { reception: true });
  await makeProcedure(db, organisationId, reception);
  app = await testApp(db);
  const sign = app.signCookie.bind(app);
  admin = await signedInAgent(db, organisationId, sign, { roles: [{ departmentId: reception, role: 'admin' }] });
  agent = await signedInAgent(db, organisationId, sign, { roles: [{ departmentId: reception, role: 'agent' }] });
  tokens.health = await makeToken(db, organisationId, ['channels:read']);
  tokens.cases = await makeToken(db, organisationId, ['cases:read']);

  // Real cases for the receipts that created one or were threaded onto one.
  const caseIds: number[] = [];
  for (let i = 0; i < 2; i++) {
    const { receipt: r } = await submitCase(
      { db, timezone: 'Europe/Paris', publicUrl: 'https://guichet.test' },
      {
        organisationId,
        procedureSlug: 'signalement-voirie',
        channel: 'email',
        actor: { type: 'system', id: 'test' },
        citizen: null,
        data: { categorie: 'nid_de_poule', description: `Trou n° ${i}` },
        hiddenFields: 'drop',
        acknowledgment: 'none',
      },
    );
    caseIds.push((await db.kysely.selectFrom('cases').select('id').where('reference', '=', r.reference).executeTakeFirstOrThrow()).id);
  }
  const [caseA, caseB] = caseIds as [number, number];

  // E-mail, last 24 hours: 3 created, 1 threaded, 2 auto-replies and 1 bounce ignored, 1 quarantined, 1 pending (fresh).
  ids.created = await receipt(organisationId, 'email', 1 * HOUR, { status: 'created', caseId: caseA }, { externalId: '<a@x>' });
  await receipt(organisationId, 'email', 2 * HOUR, { status: 'created', caseId: caseB }, { externalId: '<b@x>' });
  await receipt(organisationId, 'email', 3 * HOUR, { status: 'created', caseId: caseB }, { externalId: '<c@x>' });
  await receipt(organisationId, 'email', 4 * HOUR, { status: 'threaded', caseId: caseA, messageId: null }, { externalId: '<d@x>' });
  await receipt(organisationId, 'email', 5 * HOUR, { status: 'ignored', reason: 'auto_reply' });
  await receipt(organisationId, 'email', 6 * HOUR, { status: 'ignored', reason: 'auto_reply' });
  await receipt(organisationId, 'email', 7 * HOUR, { status: 'ignored', reason: 'bounce' });
  const rawKey = await rawMailStore(app.ctx.config).put(RAW_EMAIL);
  ids.emailQuarantined = await receipt(
    organisationId,
    'email',
    30 * MINUTE,
    { status: 'quarantined', reason: 'parse_error', error: 'Structure MIME invalide : frontière jamais fermée.' },
    { externalId: '<casse-1@exemple.fr>', sender: 'jeanne.dupont@exemple.fr', summary: 'jeanne.dupont@exemple.fr : Demande cassée', rawKey, rawSize: RAW_EMAIL.length },
  );
  await receipt(organisationId, 'email', 1 * MINUTE, null, { externalId: '<e@x>' });
  // E-mail 3 days ago: in the 7-day period only.
  await receipt(organisationId, 'email', 3 * DAY, { status: 'created', caseId: caseA }, { externalId: '<old@x>' });
  // SMS: a STOP, an unknown reason code, and one stuck pending for 20 minutes.
  await receipt(organisationId, 'sms', 2 * HOUR, { status: 'ignored', reason: 'opt_out' }, { sender: '+33612345678' });
  await receipt(organisationId, 'sms', 3 * HOUR, { status: 'ignored', reason: 'provider_test' });
  await receipt(organisationId, 'sms', 20 * MINUTE, null, { sender: '+33698765432' });
  // Phone, 10 days ago: in the 30-day period only.
  await receipt(organisationId, 'phone', 10 * DAY, { status: 'ignored', reason: 'call_event' });
  // Open311: a POST that could not be processed, kept with its JSON payload.
  ids.open311Quarantined = await receipt(
    organisationId,
    'open311',
    2 * HOUR,
    { status: 'quarantined', reason: 'invalid', error: 'Service inconnu : potholes' },
    { sender: 'appli-signalements', summary: 'Nid de poule rue des Lilas', payload: { service_code: 'potholes', lat: 48.85, long: 2.35 } },
  );

  // Another organisation: its figures and quarantine are never shown to the first one's admins.
  const otherOrg = await makeOrganisation(db, 'ville-voisine');
  const otherReception = await makeDepartment(db, otherOrg, 'accueil-voisin', { reception: true });
  otherAdmin = await signedInAgent(db, otherOrg, sign, { roles: [{ departmentId: otherReception, role: 'admin' }] });
  tokens.other = await makeToken(db, otherOrg, ['channels:read']);
  ids.otherQuarantined = await receipt(otherOrg, 'email', HOUR, { status: 'quarantined', reason: 'too_large', error: 'Trop gros' }, { sender: 'voisin@exemple.fr' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const get = (url: string, who?: TestAgent) => app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(who ? { cookie: who.cookie } : {}) } });
const api = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The HTML of one channel's section of the health page. */
function section(html: string, channel: string): string {
  const start = html.indexOf(`<section aria-labelledby="canal-${channel}"`);
  expect(start, `section ${channel}`).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

/** The figure on a row of a channel's summary table. */
function figure(html: string, row: string): string | undefined {
  const escaped = row.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/’/g, '(?:’|&#8217;|&rsquo;)');
  return new RegExp(`<th scope="row"[^>]*>${escaped}</th><td class="figure">(?:<a [^>]*>)?([^<]+)`).exec(html)?.[1];
}

describe('the channel health page (/backoffice/admin/canaux)', () => {
  it('shows each channel in order, with its figures over the last 24 hours', async () => {
    const res = await get('/backoffice/admin/canaux', admin);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    const order = ['email', 'sms', 'phone', 'open311', 'social'].map((c) => html.indexOf(`id="canal-${c}"`));
    expect(order.every((p, i) => p > 0 && (i === 0 || p > order[i - 1]!))).toBe(true);
    for (const name of ['Courriel', 'SMS', 'Téléphone', 'Open311', 'Réseaux sociaux et plateformes']) expect(html).toContain(`${name} <span class="channel-state`);

    const email = section(html, 'email');
    expect(email).toContain('<caption>Courriel : éléments reçus, dernières 24 heures</caption>');
    expect(figure(email, 'Reçus')).toBe('9');
    expect(figure(email, 'Dossiers créés')).toBe('3');
    expect(figure(email, 'Ajoutés à un dossier existant')).toBe('1');
    expect(figure(email, 'Ignorés')).toBe('3');
    expect(figure(email, 'dont Réponse automatique')).toBe('2');
    expect(figure(email, 'dont Non-distribution')).toBe('1');
    expect(figure(email, 'Mis en quarantaine')).toBe('1');
    expect(figure(email, 'En attente de traitement')).toBe('1');
    expect(email).toContain('Structure MIME invalide : frontière jamais fermée.');
    expect(email).toContain('href="/backoffice/admin/canaux/quarantaine?canal=email"');
    // The fresh pending e-mail is not stuck: no warning.
    expect(email).not.toContain('channel-warning');

    const sms = section(html, 'sms');
    expect(figure(sms, 'Reçus')).toBe('3');
    expect(figure(sms, 'dont Désinscription (STOP)')).toBe('1');
    // An unknown reason code is shown as it is.
    expect(figure(sms, 'dont provider_test')).toBe('1');
    // Pending for 20 minutes: the page warns that processing may have stopped.
    expect(sms).toContain('class="channel-warning"');
    expect(sms).toMatch(/1 élément reçu et\s+toujours pas traité/);

    // Nothing in 24 h for the phone, nor ever for social platforms.
    expect(figure(section(html, 'phone'), 'Reçus')).toBe('0');
    const social = section(html, 'social');
    expect(figure(social, 'Reçus')).toBe('0');
    expect(social).toContain('Dernière réception : aucune');
    expect(social).toContain('Aucune erreur');
    // The other organisation's quarantined e-mail is not counted.
    expect(html).not.toContain('Trop gros');
    // The channels' own configuration checks, on this test configuration (no SMS secret, no CTI token).
    expect(sms).toContain('<strong>Réception des SMS</strong> : <span class="channel-state channel-state-off">désactivé</span>');
    expect(section(html, 'phone')).toContain('<span class="channel-state channel-state-off">désactivé</span>');
  });

  it('filters by period with a plain GET form: 7 and 30 days', async () => {
    const page = await get('/backoffice/admin/canaux', admin);
    expect(page.body).toContain('<form method="get" action="/backoffice/admin/canaux"');
    expect(page.body).toMatch(/<select id="periode" name="periode">/);

    const week = await get('/backoffice/admin/canaux?periode=7j', admin);
    expect(week.statusCode).toBe(200);
    expect(week.body).toMatch(/<option value="7j" selected/);
    expect(figure(section(week.body, 'email'), 'Reçus')).toBe('10');
    expect(figure(section(week.body, 'email'), 'Dossiers créés')).toBe('4');
    expect(figure(section(week.body, 'phone'), 'Reçus')).toBe('0');

    const month = await get('/backoffice/admin/canaux?periode=30j', admin);
    expect(figure(section(month.body, 'phone'), 'Reçus')).toBe('1');
    expect(figure(section(month.body, 'phone'), 'dont Événement d’appel')).toBe('1');

    const wrong = await get('/backoffice/admin/canaux?periode=1an', admin);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('class="error-summary"');
    expect(wrong.body).toContain('Choisissez une période de la liste');
  });

  it('shows each configuration state in words; a check that throws is « mal configuré » and the page still answers', async () => {
    const spy = vi.spyOn(STATUS_CHECKS, 'sms').mockRejectedValue(new Error('SMS_WEBHOOK_SECRET est trop court'));
    const named = vi.spyOn(STATUS_CHECKS, 'phone').mockResolvedValue([
      { label: 'Webhook de téléphonie', state: 'active', detail: 'jeton configuré' },
      { label: 'Fiche d’appel', state: 'off', detail: 'aucun poste associé' },
    ]);
    try {
      const res = await get('/backoffice/admin/canaux', admin);
      expect(res.statusCode).toBe(200);
      const sms = section(res.body, 'sms');
      expect(sms).toContain('<span class="channel-state channel-state-misconfigured">mal configuré</span>');
      expect(sms).toContain('La vérification a échoué : SMS_WEBHOOK_SECRET est trop court');
      const phone = section(res.body, 'phone');
      expect(phone).toContain('<strong>Webhook de téléphonie</strong> : <span class="channel-state channel-state-active">actif</span> — jeton configuré');
      expect(phone).toContain('<span class="channel-state channel-state-off">désactivé</span> — aucun poste associé');
      // The other channels are all there.
      expect(figure(section(res.body, 'email'), 'Reçus')).toBe('9');
    } finally {
      spy.mockRestore();
      named.mockRestore();
    }
  });

  it('is for admins only: an agent gets 403, a visitor is sent to sign in', async () => {
    for (const url of ['/backoffice/admin/canaux', '/backoffice/admin/canaux/quarantaine', `/backoffice/admin/canaux/quarantaine/${ids.emailQuarantined}/brut`]) {
      const refused = await get(url, agent);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.body).not.toContain('jeanne.dupont');
      const visitor = await get(url);
      expect(visitor.statusCode, url).toBe(303);
      expect(String(visitor.headers.location)).toMatch(/^\/backoffice\/connexion\?retour=/);
    }
    const logged = await db.kysely.selectFrom('access_log').select('id').where('agent_id', '=', agent.agentId).execute();
    expect(logged).toEqual([]);
  });

  it('is linked from the administration home', async () => {
    const res = await get('/backoffice/admin', admin);
    expect(res.body).toContain('href="/backoffice/admin/canaux"');
  });
});

describe('the quarantine', () => {
  it('lists the items with channel, date, sender, summary, reason, error, size and the raw download', async () => {
    const res = await get('/backoffice/admin/canaux/quarantaine', admin);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain(`<th scope="row">${ids.emailQuarantined}</th><td>Courriel</td>`);
    expect(html).toContain('jeanne.dupont@exemple.fr : Demande cassée');
    expect(html).toContain('<strong>Message illisible</strong><br/>Structure MIME invalide');
    expect(html).toContain(`${RAW_EMAIL.length} octets`);
    expect(html).toContain(`href="/backoffice/admin/canaux/quarantaine/${ids.emailQuarantined}/brut"`);
    expect(html).toContain('Télécharger le message brut');
    expect(html).toContain('Nid de poule rue des Lilas');
    expect(html).toContain('<strong>Contenu invalide</strong><br/>Service inconnu : potholes');
    // Latest recorded first (the Open311 item was recorded after the e-mail).
    expect(html.indexOf(`<th scope="row">${ids.open311Quarantined}</th>`)).toBeLessThan(html.indexOf(`<th scope="row">${ids.emailQuarantined}</th>`));
    expect(html).not.toContain('voisin@exemple.fr');
  });

  it('filters by channel', async () => {
    const res = await get('/backoffice/admin/canaux/quarantaine?canal=open311', admin);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nid de poule rue des Lilas');
    expect(res.body).not.toContain('jeanne.dupont@exemple.fr');
    expect(res.body).toMatch(/<option value="open311" selected/);
    const none = await get('/backoffice/admin/canaux/quarantaine?canal=social', admin);
    expect(none.body).toContain('Aucun élément en quarantaine pour ce canal.');
  });

  it('downloads an e-mail as its raw bytes, and writes the download to the access log', async () => {
    const before = await db.kysely.selectFrom('access_log').select('id').where('agent_id', '=', admin.agentId).execute();
    const res = await get(`/backoffice/admin/canaux/quarantaine/${ids.emailQuarantined}/brut`, admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('message/rfc822');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="message-${ids.emailQuarantined}.eml"`);
    expect(res.rawPayload.equals(RAW_EMAIL)).toBe(true);
    const logged = await db.kysely.selectFrom('access_log').selectAll().where('agent_id', '=', admin.agentId).orderBy('id').execute();
    expect(logged.length).toBe(before.length + 1);
    expect(logged.at(-1)).toMatchObject({ organisation_id: organisationId, action: 'download_inbound', detail: `Élément brut en quarantaine n° ${ids.emailQuarantined} (email)` });
    // The access log page shows it.
    const log = await get('/backoffice/admin/journal-des-acces', admin);
    expect(log.body).toContain(`Élément brut en quarantaine n° ${ids.emailQuarantined} (email)`);
  });

  it('downloads another channel’s item as the JSON payload it kept', async () => {
    const res = await get(`/backoffice/admin/canaux/quarantaine/${ids.open311Quarantined}/brut`, admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({ service_code: 'potholes', lat: 48.85, long: 2.35 });
  });

  it('finds nothing that is not in this organisation’s quarantine', async () => {
    for (const id of [ids.created, ids.otherQuarantined, 999_999, 'abc']) {
      const res = await get(`/backoffice/admin/canaux/quarantaine/${id}/brut`, admin);
      expect(res.statusCode, String(id)).toBe(404);
    }
    // The other organisation's admin sees their own item only.
    const theirs = await get('/backoffice/admin/canaux/quarantaine', otherAdmin);
    expect(theirs.body).toContain('voisin@exemple.fr');
    expect(theirs.body).not.toContain('jeanne.dupont@exemple.fr');
    expect((await get(`/backoffice/admin/canaux/quarantaine/${ids.emailQuarantined}/brut`, otherAdmin)).statusCode).toBe(404);
  });
});

describe('reprocessing a quarantined e-mail (« Retraiter »)', () => {
  const AUTO_REPLY = Buffer.from(
    'From: absent@exemple.fr\r\nTo: mairie@ville.test\r\nSubject: Absence du bureau\r\nMessage-ID: <absent-1@exemple.fr>\r\nAuto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nJe suis absent jusqu’au 2 décembre.\r\n',
  );
  const post = (url: string, who: TestAgent, form: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });

  it('processes it again through the e-mail channel, and says what became of it', async () => {
    const org = await makeOrganisation(db, 'ville-retraitement');
    const department = await makeDepartment(db, org, 'accueil-retraitement', { reception: true });
    const who = await signedInAgent(db, org, app.signCookie.bind(app), { roles: [{ departmentId: department, role: 'admin' }] });
    // An auto-reply whose first processing failed (the database was down at its last attempt).
    const rawKey = await rawMailStore(app.ctx.config).put(AUTO_REPLY);
    const autoReply = await receipt(
      org,
      'email',
      HOUR,
      { status: 'quarantined', reason: 'processing_error', error: 'connexion à la base perdue' },
      { externalId: '<absent-1@exemple.fr>', sender: 'absent@exemple.fr', summary: 'absent@exemple.fr : Absence du bureau', rawKey, rawSize: AUTO_REPLY.length, payload: { source: { kind: 'smtp' }, messageId: 'absent-1@exemple.fr', subject: 'Absence du bureau' } },
    );
    // A message refused at the SMTP level: nothing was kept, nothing can be reprocessed.
    const refused = await receipt(org, 'email', HOUR, { status: 'quarantined', reason: 'too_large', error: 'Refusé en SMTP (552)' }, { sender: 'gros@exemple.fr', rawSize: 40_000_000, payload: { refused: true } });

    const list = await get('/backoffice/admin/canaux/quarantaine?canal=email', who);
    expect(list.body).toContain(`action="/backoffice/admin/canaux/quarantaine/${autoReply}/retraiter"`);
    expect(list.body).toContain('<input type="hidden" name="canal" value="email"/>');

    // Without the session's CSRF value: refused, nothing happens.
    expect((await post(`/backoffice/admin/canaux/quarantaine/${autoReply}/retraiter`, who, { _csrf: 'faux' })).statusCode).toBe(403);
    expect((await inboundRepository.findById(db.kysely, autoReply))!.status).toBe('quarantined');
    // Not for an agent.
    expect((await post(`/backoffice/admin/canaux/quarantaine/${autoReply}/retraiter`, agent, { _csrf: agent.csrf })).statusCode).toBe(403);

    const done = await post(`/backoffice/admin/canaux/quarantaine/${autoReply}/retraiter`, who, { _csrf: who.csrf, canal: 'email' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/backoffice/admin/canaux/quarantaine?canal=email&retraite=${autoReply}`);
    expect(await inboundRepository.findById(db.kysely, autoReply)).toMatchObject({ status: 'ignored', reason: 'auto_reply', attempts: 2 });
    const after = await get(String(done.headers.location), who);
    expect(after.body).toContain(`Le courriel n° ${autoReply} a été retraité : il a été ignoré (Réponse automatique).`);
    expect(after.body).not.toContain(`<th scope="row">${autoReply}</th>`);
    // It left the quarantine: a second click finds nothing to reprocess.
    expect((await post(`/backoffice/admin/canaux/quarantaine/${autoReply}/retraiter`, who, { _csrf: who.csrf })).statusCode).toBe(404);

    const again = await post(`/backoffice/admin/canaux/quarantaine/${refused}/retraiter`, who, { _csrf: who.csrf });
    expect(again.statusCode).toBe(303);
    const stays = await get(String(again.headers.location), who);
    expect(stays.body).toContain(`Le courriel n° ${refused} a été retraité mais reste en quarantaine (Contenu non conservé : `);
    expect(stays.body).toContain(`<th scope="row">${refused}</th>`);
  });

  it('is offered for e-mails only, and only for this organisation’s quarantine', async () => {
    const page = await get('/backoffice/admin/canaux/quarantaine?canal=open311', admin);
    expect(page.body).not.toContain('/retraiter"');
    expect((await post(`/backoffice/admin/canaux/quarantaine/${ids.open311Quarantined}/retraiter`, admin, { _csrf: admin.csrf })).statusCode).toBe(404);
    expect((await post(`/backoffice/admin/canaux/quarantaine/${ids.otherQuarantined}/retraiter`, admin, { _csrf: admin.csrf })).statusCode).toBe(404);
    expect((await inboundRepository.findById(db.kysely, ids.otherQuarantined))!.status).toBe('quarantined');
  });
});

describe('the quarantine, page after page', () => {
  it('shows 50 items, then the older ones by their link', async () => {
    const org = await makeOrganisation(db, 'ville-bavarde');
    const department = await makeDepartment(db, org, 'accueil-bavard', { reception: true });
    const who = await signedInAgent(db, org, app.signCookie.bind(app), { roles: [{ departmentId: department, role: 'admin' }] });
    const created: number[] = [];
    for (let i = 0; i < 53; i++) {
      created.push(await receipt(org, 'social', (60 - i) * MINUTE, { status: 'quarantined', reason: 'mapping_failed', error: `Envoi n° ${i}` }, { summary: `Publication n° ${i}` }));
    }
    const first = await get('/backoffice/admin/canaux/quarantaine?canal=social', who);
    const rowsOf = (html: string) => [...html.matchAll(/<th scope="row">(\d+)<\/th>/g)].map((m) => Number(m[1]));
    expect(rowsOf(first.body)).toEqual(created.slice(3).reverse());
    const older = /<a href="([^"]+)" rel="next">Éléments plus anciens<\/a>/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
    expect(older).toBe(`/backoffice/admin/canaux/quarantaine?canal=social&avant=${created[3]}`);
    const second = await get(older!, who);
    expect(rowsOf(second.body)).toEqual(created.slice(0, 3).reverse());
    expect(second.body).not.toContain('rel="next"');
  });
});

describe('GET /api/channels/health', () => {
  it('gives the same figures as the page, as JSON', async () => {
    const res = await api('/api/channels/health', tokens.health);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Date.now() - Date.parse(body.since)).toBeGreaterThan(DAY - MINUTE);
    expect(body.channels.map((c: { channel: string }) => c.channel)).toEqual(['email', 'sms', 'phone', 'open311', 'social']);
    const email = body.channels[0];
    expect(email).toMatchObject({ label: 'Courriel', received: 9, created: 3, threaded: 1, ignored: 3, quarantined: 1, pending: 1, stalePending: null });
    expect(email.ignoredByReason).toEqual([
      { reason: 'auto_reply', label: 'Réponse automatique', count: 2 },
      { reason: 'bounce', label: 'Non-distribution', count: 1 },
    ]);
    expect(email.lastError).toMatchObject({ id: ids.emailQuarantined, reason: 'parse_error', reasonLabel: 'Message illisible', error: 'Structure MIME invalide : frontière jamais fermée.' });
    const sms = body.channels[1];
    expect(sms.stalePending.count).toBe(1);
    expect(sms.pending).toBe(1);
    expect(body.channels[4]).toMatchObject({ label: 'Réseaux sociaux et plateformes', received: 0, lastReceivedAt: null, lastError: null });
  });

  it('takes a period code or a date-time', async () => {
    const week = (await api('/api/channels/health?since=7d', tokens.health)).json();
    expect(week.channels[0].received).toBe(10);
    const month = (await api('/api/channels/health?since=30d', tokens.health)).json();
    expect(month.channels[2]).toMatchObject({ received: 1, ignored: 1, ignoredByReason: [{ reason: 'call_event', label: 'Événement d’appel', count: 1 }] });
    const since = ago(90 * MINUTE);
    const recent = (await api(`/api/channels/health?since=${encodeURIComponent(since)}`, tokens.health)).json();
    expect(recent.since).toBe(since);
    // 30 min, 1 min and 1 hour ago.
    expect(recent.channels[0].received).toBe(3);
    for (const bad of ['hier', '2026-13-45T99:00:00Z']) {
      const res = await api(`/api/channels/health?since=${bad}`, tokens.health);
      expect(res.statusCode, bad).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].field, bad).toMatch(/since/);
    }
  });

  it('refuses a request without a token (401) or with a token without the channels:read scope (403)', async () => {
    const none = await api('/api/channels/health');
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect((await api('/api/channels/health', 'pas-un-jeton')).statusCode).toBe(401);
    const wrong = await api('/api/channels/health', tokens.cases);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().detail).toContain('channels:read');
  });

  it('gives each organisation its own figures', async () => {
    const body = (await api('/api/channels/health', tokens.other)).json();
    expect(body.channels[0]).toMatchObject({ received: 1, quarantined: 1, created: 0 });
  });

  it('is described in the OpenAPI document', async () => {
    const spec = (await app.inject({ url: '/api/openapi.json' })).json();
    const op = spec.paths['/api/channels/health']?.get;
    expect(op).toBeDefined();
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
  });
});

describe('the pages, with data, in the HTML checker and in Chromium', () => {
  const urls = ['/backoffice/admin/canaux', '/backoffice/admin/canaux?periode=1an', '/backoffice/admin/canaux/quarantaine'];
  /** A configuration with every state, so its rendering is checked too. */
  const withStates = () => [
    vi.spyOn(STATUS_CHECKS, 'email').mockResolvedValue([
      { label: 'Réception SMTP', state: 'active', detail: 'port 2525' },
      { label: 'Boîte IMAP', state: 'misconfigured', detail: 'IMAP_URL sans mot de passe' },
      { label: 'TLS', state: 'off', detail: 'non demandé' },
    ]),
  ];

  it.skipIf(!validatorAvailable)('are valid HTML', async () => {
    const spies = withStates();
    try {
      const pages = await Promise.all(urls.map(async (url) => ({ name: url, html: (await get(url, admin)).body })));
      const results = await validateHtml(pages);
      expect([...results!.entries()].filter(([, errors]) => errors.length > 0)).toEqual([]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }, 120_000);

  it.skipIf(!browserAvailable)('have no axe-core violation (WCAG 2.1 A and AA)', async () => {
    const spies = withStates();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const [name, value] = admin.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/' }]);
      const page = await context.newPage();
      for (const url of urls) {
        await page.goto(`${base}${url}`);
        expect(await axeViolations(page), url).toEqual([]);
      }
    } finally {
      await browser.close();
      for (const spy of spies) spy.mockRestore();
    }
  }, 120_000);
});
