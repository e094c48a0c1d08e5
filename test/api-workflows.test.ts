/**
 * Workflows through the API, on the demo commune: every demo procedure is taken from receipt to
 * a closed status; refusals change nothing; messages reach a real SMTP receiver through the jobs.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune, type DemoSummary } from '../src/demo/commune.js';
import { createRng } from '../src/demo/prng.js';
import { DEMO_PROCEDURES } from '../src/demo/procedures/index.js';
import type { App } from '../src/http/context.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { createToken } from '../src/tokens/service.js';
import type { Transition, WorkflowDefinition } from '../src/workflow/definition.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { startSmtpReceiver } from './smtp.js';

let db: Db;
let app: App;
let demo: DemoSummary;
let token: string;
let readOnly: string;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let runJobs: () => Promise<number>;

beforeAll(async () => {
  db = await freshDb();
  demo = await seedDemoCommune(db);
  token = (await createToken(db.kysely, demo.organisationId, 'tests', ['cases:read', 'cases:write', 'workflows:write'])).token;
  readOnly = (await createToken(db.kysely, demo.organisationId, 'lecture', ['cases:read'])).token;
  smtp = await startSmtpReceiver();
  const env = { SMTP_URL: smtp.url, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://demarches.ville-demo.fr' };
  app = await testApp(db, env);
  const registry = new JobRegistry(applicationJobTypes());
  const ctx = { db, config: { ...loadConfig({ ...env, DATA_DIR: app.ctx.config.DATA_DIR }) }, log: pino({ level: 'silent' }) };
  runJobs = () => runDueJobs(ctx, registry);
}, 60_000);
afterAll(async () => {
  await app.close();
  await smtp.close();
  await db.close();
});

const auth = (t = token) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

async function submit(slug: string, seed = 1) {
  const demoProcedure = DEMO_PROCEDURES.find((p) => p.procedure.slug === slug)!;
  const rng = createRng(seed);
  const data = demoProcedure.sample({ rng, today: new Date().toISOString().slice(0, 10), citizen: null, children: [] });
  const citizen = { civility: 'Mme', firstNames: 'Camille', lastName: 'Martin', email: `camille.martin.${slug}.${seed}@example.fr` };
  const res = await app.inject({ method: 'POST', url: '/api/v1/cases', headers: auth(), payload: { procedure: slug, citizen, data } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { reference: string };
}

const getCase = async (reference: string) => (await app.inject({ method: 'GET', url: `/api/v1/cases/${reference}`, headers: auth() })).json();
const journal = async (reference: string) => (await app.inject({ method: 'GET', url: `/api/v1/cases/${reference}/journal`, headers: auth() })).json().items as { type: string }[];
const transitions = async (reference: string, t = token) => app.inject({ method: 'GET', url: `/api/v1/cases/${reference}/transitions`, headers: auth(t) });
const take = (reference: string, name: string, body: Record<string, unknown> = {}, t = token) =>
  app.inject({ method: 'POST', url: `/api/v1/cases/${reference}/transitions/${name}`, headers: auth(t), payload: body });

async function workflowOf(slug: string): Promise<WorkflowDefinition> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/procedures/${slug}/workflow`, headers: auth() });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().definition;
}

/** Values for a transition's inputs, as a person filling them would give. */
function inputsFor(transition: Pick<Transition, 'inputs'>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const input of transition.inputs ?? []) {
    if (input.type === 'document') continue;
    values[input.name] =
      input.type === 'select' ? input.options![0]!.value : input.type === 'date' ? '2030-06-15' : input.type === 'number' ? 3 : `Motif saisi pour ${input.label}`;
  }
  return values;
}

/** Shortest path, over transitions an integration may take, from the current status to a closed one. */
function pathToClosed(def: WorkflowDefinition, from: string): string[] {
  const closed = new Set(def.statuses.filter((s) => s.category.startsWith('closed_')).map((s) => s.id));
  const queue: { status: string; path: string[] }[] = [{ status: from, path: [] }];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const { status, path } = queue.shift()!;
    if (closed.has(status)) return path;
    for (const t of def.transitions) {
      const leaves = t.from.includes(status) || (t.from.includes('*') && !closed.has(status));
      if (!leaves || !t.roles.includes('integration') || (t.inputs ?? []).some((i) => i.type === 'document' && i.required)) continue;
      if (seen.has(t.to)) continue;
      seen.add(t.to);
      queue.push({ status: t.to, path: [...path, t.name] });
    }
  }
  return [];
}

describe('every demo procedure runs its workflow end to end', () => {
  for (const demoProcedure of DEMO_PROCEDURES) {
    const slug = demoProcedure.procedure.slug;
    it(slug, async () => {
      const def = await workflowOf(slug);
      const { reference } = await submit(slug);
      let current = await getCase(reference);
      expect(current.status).toBe(def.initial);
      const path = pathToClosed(def, current.status);
      expect(path.length, `aucun chemin vers un statut clos pour ${slug}`).toBeGreaterThan(0);
      for (const name of path) {
        const transition = def.transitions.find((t) => t.name === name)!;
        const available = (await transitions(reference)).json();
        expect(available.transitions.map((t: { name: string }) => t.name)).toContain(name);
        const res = await take(reference, name, { inputs: inputsFor(transition), expectedVersion: current.version });
        expect(res.statusCode, res.body).toBe(200);
        current = res.json();
        expect(current.status).toBe(transition.to);
      }
      expect(current.closedAt).not.toBeNull();
      const events = await journal(reference);
      expect(events.filter((e) => e.type === 'status.changed')).toHaveLength(path.length);
      await runJobs();
      // What the workflow scheduled was done: documents attached, messages handed to SMTP.
      const after = await journal(reference);
      expect(after.filter((e) => e.type === 'document.generated')).toHaveLength(after.filter((e) => e.type === 'document.scheduled').length);
      const { id } = await db.kysely.selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow();
      const messages = await db.kysely.selectFrom('messages').select(['status', 'channel']).where('case_id', '=', id).execute();
      for (const m of messages) expect(m.status === 'sent' || m.channel === 'letter').toBe(true);
    });
  }
});

describe('transitions refused change nothing', () => {
  let reference: string;
  let def: WorkflowDefinition;
  beforeAll(async () => {
    def = await workflowOf('contact');
    ({ reference } = await submit('contact', 7));
  });

  async function unchanged(check: () => Promise<void>) {
    const before = await getCase(reference);
    const eventsBefore = (await journal(reference)).length;
    await check();
    const after = await getCase(reference);
    expect(after.version).toBe(before.version);
    expect(after.status).toBe(before.status);
    expect((await journal(reference)).length).toBe(eventsBefore);
  }

  it('refuses a transition reserved to managers (403)', async () => {
    const managerOnly = def.transitions.find((t) => !t.roles.includes('integration'));
    expect(managerOnly, 'le circuit de démonstration « contact » a une transition réservée').toBeDefined();
    await unchanged(async () => {
      const res = await take(reference, managerOnly!.name, { inputs: inputsFor(managerOnly!) });
      expect([403, 409]).toContain(res.statusCode);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });
  });

  it('refuses a transition not available from the current status (409)', async () => {
    const current = await getCase(reference);
    const elsewhere = def.transitions.find((t) => !t.from.includes(current.status) && !t.from.includes('*') && t.roles.includes('integration'));
    expect(elsewhere).toBeDefined();
    await unchanged(async () => {
      const res = await take(reference, elsewhere!.name, { inputs: inputsFor(elsewhere!) });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'transition_not_available' });
    });
  });

  it('refuses an unknown transition (404), a stale version (409) and missing inputs (422)', async () => {
    await unchanged(async () => {
      expect((await take(reference, 'inexistante')).statusCode).toBe(404);
      const first = (await transitions(reference)).json().transitions[0];
      const stale = await take(reference, first.name, { inputs: inputsFor(first), expectedVersion: 999 });
      expect(stale.statusCode).toBe(409);
      expect(stale.json()).toMatchObject({ code: 'version_conflict' });
      const required = def.transitions.find((t) => (t.inputs ?? []).some((i) => i.required && i.type !== 'document'));
      if (required && (await transitions(reference)).json().transitions.some((t: { name: string }) => t.name === required.name)) {
        const res = await take(reference, required.name, { inputs: {} });
        expect(res.statusCode).toBe(422);
        expect(res.json().errors[0].field).toMatch(/^inputs\./);
      }
    });
  });

  it('refuses a token without the write scope, and without any token', async () => {
    const first = (await transitions(reference)).json().transitions[0];
    await unchanged(async () => {
      expect((await take(reference, first.name, { inputs: inputsFor(first) }, readOnly)).statusCode).toBe(403);
      const anonymous = await app.inject({ method: 'POST', url: `/api/v1/cases/${reference}/transitions/${first.name}`, payload: {} });
      expect(anonymous.statusCode).toBe(401);
    });
  });

  it('never shows or moves another organisation’s case', async () => {
    const other = await db.kysely
      .insertInto('organisations')
      .values({ slug: 'autre', name: 'Autre ville', cog: null, siren: null, address: null, email: null, phone: null, website: null, branding: '{}', created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const foreign = (await createToken(db.kysely, other.id, 'autre', ['cases:read', 'cases:write'])).token;
    await unchanged(async () => {
      expect((await transitions(reference, foreign)).statusCode).toBe(404);
      expect((await take(reference, 'inexistante', {}, foreign)).statusCode).toBe(404);
    });
  });
});

describe('messages', () => {
  it('sends the workflow’s messages to the citizen through SMTP, threaded', async () => {
    const { reference } = await submit('contact', 11);
    const available = (await transitions(reference)).json().transitions as Transition[];
    const answering = available.find((t) => (t.inputs ?? []).some((i) => i.name === 'reponse'));
    expect(answering, 'le circuit « contact » a une transition de réponse').toBeDefined();
    const res = await take(reference, answering!.name, { inputs: { ...inputsFor(answering!), reponse: 'Voici la réponse à votre question.' } });
    expect(res.statusCode, res.body).toBe(200);
    const before = smtp.received.length;
    await runJobs();
    const mail = smtp.received.slice(before).find((m) => m.text?.includes('Voici la réponse à votre question.'));
    expect(mail, 'courriel reçu par le serveur SMTP de test').toBeDefined();
    expect(mail!.to).toMatchObject({ text: expect.stringContaining(`camille.martin.contact.11@example.fr`) });
    expect(mail!.messageId).toMatch(new RegExp(`${reference}@demarches\\.ville-demo\\.fr>$`));
    expect(mail!.html).toContain('lang="fr"');
    // Running the jobs again sends nothing twice.
    const count = smtp.received.length;
    await runJobs();
    expect(smtp.received.length).toBe(count);
  });
});

describe('publishing workflows', () => {
  it('rejects an invalid definition with the path of each fault, and publishes nothing', async () => {
    const def = await workflowOf('contact');
    const broken = { ...def, transitions: [...def.transitions, { name: 'vers_nulle_part', label: 'Vers nulle part', from: [def.initial], to: 'inexistant', roles: [] }] };
    const res = await app.inject({ method: 'PUT', url: '/api/v1/procedures/contact/workflow', headers: auth(), payload: broken });
    expect(res.statusCode).toBe(422);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toContain(`definition.transitions[${def.transitions.length}].to`);
    expect(fields).toContain(`definition.transitions[${def.transitions.length}].roles`);
    expect((await app.inject({ method: 'GET', url: '/api/v1/procedures/contact/workflow', headers: auth() })).json().version).toBe(1);
  });

  it('refuses publishing without the workflows:write scope', async () => {
    const def = await workflowOf('contact');
    const res = await app.inject({ method: 'PUT', url: '/api/v1/procedures/contact/workflow', headers: auth(readOnly), payload: def });
    expect(res.statusCode).toBe(403);
  });

  it('publishes a new version; running cases keep theirs', async () => {
    const { reference: before } = await submit('contact', 21);
    const def = await workflowOf('contact');
    const renamed = { ...def, statuses: def.statuses.map((s) => (s.id === def.initial ? { ...s, label: `${s.label} (v2)` } : s)) };
    const res = await app.inject({ method: 'PUT', url: '/api/v1/procedures/contact/workflow', headers: auth(), payload: renamed });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().version).toBe(2);
    const { reference: afterPublish } = await submit('contact', 22);
    expect((await transitions(before)).json().status.label).not.toContain('(v2)');
    expect((await transitions(afterPublish)).json().status.label).toContain('(v2)');
  });

  it('refuses reading workflows and transitions without a token, and hides other organisations’ ones', async () => {
    const { reference } = await submit('contact', 31);
    for (const url of [`/api/v1/cases/${reference}/transitions`, '/api/v1/procedures/contact/workflow', '/api/v1/procedures/contact/workflow.svg']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const other = await db.kysely
      .insertInto('organisations')
      .values({ slug: 'voisine', name: 'Ville voisine', cog: null, siren: null, address: null, email: null, phone: null, website: null, branding: '{}', created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const foreign = (await createToken(db.kysely, other.id, 'voisine', ['cases:read', 'workflows:write'])).token;
    expect((await app.inject({ method: 'GET', url: '/api/v1/procedures/contact/workflow', headers: auth(foreign) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/procedures/contact/workflow.svg', headers: auth(foreign) })).statusCode).toBe(404);
    const def = await workflowOf('contact');
    expect((await app.inject({ method: 'PUT', url: '/api/v1/procedures/contact/workflow', headers: auth(foreign), payload: def })).statusCode).toBe(404);
  });

  it('draws the workflow as SVG', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/procedures/signalement-voirie/workflow.svg', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('image/svg+xml');
    expect(res.body).toContain('<svg');
  });
});
