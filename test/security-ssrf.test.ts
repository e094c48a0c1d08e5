/**
 * Server-side request forgery (issue 13, findings 9 and 15): a workflow webhook, the SMS gateway
 * and the address API pointed at a server on 127.0.0.1 — this file's "internal" peer — through
 * their real paths (published workflow, transition, durable jobs, HTTP route). With the default
 * configuration the peer must receive nothing, and each refusal must be recorded where its path
 * records failures, without being retried.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRepository } from '../src/cases/repository.js';
import { loadConfig, type Config } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { publishWorkflow, runTransition } from '../src/workflow/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune, makeProcedure } from './factories.js';
import { startFranceConnectProvider } from './oidc-provider.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let agent: TestAgent;
let peer: http.Server;
let peerUrl: string;
let port: number;
/** Every request that reached the internal peer: an attack that worked shows up here. */
const reached: string[] = [];
const registry = new JobRegistry(applicationJobTypes());

const workflow = (): WorkflowDefinition => ({
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu', citizenLabel: 'Reçue', category: 'new' },
    { id: 'traite', label: 'Traité', citizenLabel: 'Traitée', category: 'in_progress' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Terminée', category: 'closed_accepted' },
  ],
  transitions: [
    { name: 'vers_ip', label: 'Prévenir (IP)', from: ['recu'], to: 'traite', roles: ['agent'], actions: [{ type: 'webhook', url: `${peerUrl}/hook` }] },
    { name: 'vers_nom', label: 'Prévenir (nom)', from: ['recu'], to: 'traite', roles: ['agent'], actions: [{ type: 'webhook', url: `http://localhost:${port}/hook` }] },
    { name: 'vers_metadonnees', label: 'Prévenir (métadonnées)', from: ['recu'], to: 'traite', roles: ['agent'], actions: [{ type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/' }] },
    { name: 'rebond', label: 'Prévenir (redirection)', from: ['recu'], to: 'traite', roles: ['agent'], actions: [{ type: 'webhook', url: `${peerUrl}/rebond` }] },
    { name: 'clore', label: 'Clore', from: ['traite'], to: 'clos', roles: ['agent'] },
    { name: 'prevenir_usager', label: 'Informer l’usager', from: ['recu'], to: 'traite', roles: ['agent'], actions: [{ type: 'notify_citizen', message: { subject: 'Dossier {{ case.reference }}', body: 'Votre demande avance.' } }] },
  ],
});

beforeAll(async () => {
  peer = http.createServer((request, response) => {
    reached.push(request.url ?? '');
    if (request.url === '/rebond') return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"interne","features":[]}');
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  port = (peer.address() as AddressInfo).port;
  peerUrl = `http://127.0.0.1:${port}`;

  db = await freshDb();
  commune = await makeCommune(db);
  await makeProcedure(db, commune.organisationId, commune.departments.roads, { slug: 'ssrf', title: 'Démarche à webhook', isLocated: false });
  await publishWorkflow(db.kysely, commune.organisationId, 'ssrf', workflow(), 'test');
  // The default configuration (no OUTBOUND_ALLOWED_CIDRS), with the gateway and the BAN on the internal peer.
  app = await testApp(db, { SMS_URL: `${peerUrl}/sms`, ADDRESS_API_URL: peerUrl });
  agent = await signedInAgent(db, commune.organisationId, app.signCookie.bind(app), { roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
});
afterAll(async () => {
  await app.close();
  await db.close();
  peer.closeAllConnections();
  await new Promise((resolve) => peer.close(resolve));
});

const jobs = (config: Config = app.ctx.config) => runDueJobs({ db, config, log: pino({ level: 'silent' }) }, registry);

/** A new case of the webhook procedure taken through `transition`, its jobs run once. */
async function transitioned(transition: string, citizen: Record<string, unknown>, config?: Config) {
  const deps = { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' };
  const { receipt } = await submitCase(deps, {
    organisationId: commune.organisationId,
    procedureSlug: 'ssrf',
    channel: 'phone',
    actor: { type: 'agent', id: String(agent.agentId) },
    citizen,
    data: { categorie: 'eclairage', description: 'Lampadaire' },
    hiddenFields: 'drop',
  });
  await runTransition(deps, { organisationId: commune.organisationId, actor: { type: 'agent', id: String(agent.agentId) }, roles: ['agent'], name: 'Agent Test' }, { reference: receipt.reference, name: transition });
  await jobs(config);
  return receipt;
}

const jobsOf = (type: string) => db.kysely.selectFrom('jobs').selectAll().where('type', '=', type).orderBy('id', 'desc').execute();
const citizen = { civility: 'Mme', firstNames: 'Anne', lastName: 'Vidal', email: 'anne.vidal@example.fr' };

describe('a workflow webhook aimed inside', () => {
  it.each([
    ['vers_ip', '(127.0.0.1)'],
    ['vers_nom', `localhost : adresse interne ou réservée refusée`],
    ['vers_metadonnees', '(169.254.169.254)'],
  ])('through %s: refused, never retried, journalled on the case and shown to agents', async (transition, expected) => {
    const receipt = await transitioned(transition, citizen);
    const [job] = await jobsOf('webhook.call');
    // Dead at its first attempt: another attempt cannot change the address.
    expect(job).toMatchObject({ state: 'dead', attempts: 1 });
    expect(job!.last_error).toContain('est refusé : ');
    expect(job!.last_error).toContain(expected);
    const refused = (await caseRepository.listJournal(db.kysely, receipt.caseId)).filter((e) => e.type === 'webhook.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.payload).toMatchObject({ jobId: job!.id, reason: expect.stringContaining('OUTBOUND_ALLOWED_CIDRS') });
    expect(reached).toEqual([]);

    const page = await app.inject({ method: 'GET', url: `/backoffice/dossiers/${receipt.reference}`, headers: { accept: 'text/html', cookie: agent.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Notification à une application partenaire refusée (adresse non autorisée)');
  });

  it('is refused even from an allowlisted receiver when it redirects, and the redirect target is never asked', async () => {
    const allowing = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: app.ctx.config.DATA_DIR, OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' });
    const receipt = await transitioned('rebond', citizen, allowing);
    const [job] = await jobsOf('webhook.call');
    expect(job).toMatchObject({ state: 'dead', attempts: 1 });
    expect(job!.last_error).toContain('redirection refusée (HTTP 302 vers http://169.254.169.254/latest/meta-data/)');
    expect((await caseRepository.listJournal(db.kysely, receipt.caseId)).filter((e) => e.type === 'webhook.refused')).toHaveLength(1);
    expect(reached.splice(0)).toEqual(['/rebond']);
  });

  it('is delivered once its network is allowlisted', async () => {
    const allowing = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: app.ctx.config.DATA_DIR, OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8' });
    await transitioned('vers_ip', citizen, allowing);
    const [job] = await jobsOf('webhook.call');
    expect(job).toMatchObject({ state: 'done', attempts: 1 });
    expect(reached.splice(0)).toEqual(['/hook']);
  });
});

describe('the SMS gateway on the internal network', () => {
  it('is refused without an allowlist: the message keeps the reason and its job dies at once', async () => {
    const receipt = await transitioned('prevenir_usager', { civility: 'M', firstNames: 'Paul', lastName: 'Roux', phone: '06 12 34 56 79' });
    const messages = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', receipt.caseId).where('channel', '=', 'sms').execute();
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) {
      expect(message.status).not.toBe('sent');
      expect(message.last_error).toContain('La passerelle SMS est refusée : adresse interne ou réservée refusée (127.0.0.1)');
    }
    const dead = (await jobsOf('message.send')).filter((j) => messages.some((m) => j.dedupe_key === `message:${m.id}`));
    expect(dead.length).toBe(messages.length);
    for (const job of dead) expect(job).toMatchObject({ state: 'dead', attempts: 1 });
    expect(reached).toEqual([]);
  });
});

describe('the address API on the internal network', () => {
  it('answers no suggestion without asking it, unless allowlisted', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/adresses?q=8%20bd%20du%20port' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [] });
    expect(reached).toEqual([]);

    const allowing = await testApp(db, { ADDRESS_API_URL: peerUrl, OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' });
    try {
      expect((await allowing.inject({ method: 'GET', url: '/api/v1/adresses?q=8%20bd%20du%20port' })).json()).toEqual({ items: [] });
      expect(reached.splice(0)).toEqual(['/search/?q=8+bd+du+port&limit=5']);
    } finally {
      await allowing.close();
    }
  });
});

describe('an OpenID Connect provider on the internal network', () => {
  it('is not asked for its metadata unless allowlisted: FranceConnect is said unavailable (503)', async () => {
    const PUBLIC_URL = 'https://guichet.ville-test.fr';
    const provider = await startFranceConnectProvider({ publicUrl: PUBLIC_URL });
    const { OUTBOUND_ALLOWED_CIDRS: allowlist, ...withoutAllowlist } = provider.env;
    const refused = await testApp(db, { PUBLIC_URL, ...withoutAllowlist });
    const allowed = await testApp(db, { PUBLIC_URL, ...withoutAllowlist, OUTBOUND_ALLOWED_CIDRS: allowlist! });
    try {
      const res = await refused.inject({ method: 'GET', url: '/franceconnect/connexion', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('FranceConnect ne répond pas pour le moment');
      // The same provider, allowlisted: the browser is sent to it.
      const start = await allowed.inject({ method: 'GET', url: '/franceconnect/connexion', headers: { accept: 'text/html' } });
      expect(start.statusCode).toBe(303);
      expect(new URL(start.headers.location as string).origin).toBe(provider.issuer);
    } finally {
      await refused.close();
      await allowed.close();
      await provider.close();
    }
  });
});
