/**
 * Clocks of a case under a workflow, with the system time under the test's control: legal silence
 * delays suspended or restarted by requests for pieces, the implicit decision recorded once, the
 * overdue escalation, and status timers firing once and only while the case is still there.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deadlineOf } from '../src/cases/deadline.js';
import { caseRepository } from '../src/cases/repository.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { submitCase } from '../src/intake/service.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { sweepDeadlines } from '../src/workflow/jobs.js';
import { publishWorkflow, runTransition, type WorkflowCaller } from '../src/workflow/service.js';
import { freshDb } from './db.js';
import { makeCommune, makeProcedure } from './factories.js';
import { dateAndTime } from '../src/acknowledgments/content.js';

const TIMEZONE = 'Europe/Paris';
let db: Db;
let commune: Awaited<ReturnType<typeof makeCommune>>;
const deps = () => ({ db, timezone: TIMEZONE, publicUrl: 'https://ville-test.fr' });
const agent: () => WorkflowCaller = () => ({ organisationId: commune.organisationId, actor: { type: 'agent', id: '1' }, roles: ['agent'], name: 'Agent Test' });

const message = { subject: 'Dossier {{ case.reference }}', body: 'Bonjour, {{ procedure.title }}. Réponse attendue avant le {{ replyBy }}.' };
const permitWorkflow = (incompleteFile: boolean): WorkflowDefinition => ({
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu', citizenLabel: 'Reçue', category: 'new' },
    { id: 'attente', label: 'Pièces demandées', citizenLabel: 'En attente de vos pièces', category: 'waiting_citizen' },
    { id: 'instruction', label: 'En instruction', citizenLabel: 'En cours', category: 'in_progress', timers: [{ after: { value: 2, unit: 'business_days' }, transition: 'relancer' }] },
    { id: 'relance', label: 'Relancé', citizenLabel: 'En cours', category: 'in_progress' },
    { id: 'accorde', label: 'Accordé', citizenLabel: 'Accordée', category: 'closed_accepted' },
  ],
  transitions: [
    {
      name: 'demander',
      label: 'Demander des pièces',
      from: ['recu', 'instruction'],
      to: 'attente',
      roles: ['agent'],
      actions: [{ type: 'request_information', message, replyWithin: { value: 15, unit: 'calendar_days' }, ...(incompleteFile ? { incompleteFile: true } : { silence: 'suspend' as const }) }],
    },
    { name: 'completer', label: 'Pièces reçues', from: ['attente'], to: 'instruction', roles: ['agent', 'citizen'] },
    { name: 'instruire', label: 'Instruire', from: ['recu'], to: 'instruction', roles: ['agent'] },
    { name: 'relancer', label: 'Relancer', from: ['instruction'], to: 'relance', roles: ['manager'] },
    { name: 'accorder', label: 'Accorder', from: ['recu', 'instruction', 'relance'], to: 'accorde', roles: ['agent'] },
  ],
});

let jobs: () => Promise<number>;

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  for (const [slug, incompleteFile] of [['permis-suspension', false], ['permis-incomplet', true]] as const) {
    await makeProcedure(db, commune.organisationId, commune.departments.roads, {
      slug,
      title: `Autorisation (${slug})`,
      isLocated: false,
      silence: { regime: 'accept', delay: { value: 2, unit: 'months' } },
      target: { value: 10, unit: 'business_days' },
    });
    await publishWorkflow(db.kysely, commune.organisationId, slug, permitWorkflow(incompleteFile), 'test');
  }
  const manager = await db.kysely
    .insertInto('agents')
    .values({ organisation_id: commune.organisationId, email: 'cheffe.voirie@ville-test.fr', display_name: 'Cheffe Voirie', password_hash: null, is_active: 1, created_at: new Date().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.kysely.insertInto('agent_roles').values({ agent_id: manager.id, department_id: commune.departments.roads, role: 'manager' }).execute();
  const registry = new JobRegistry(applicationJobTypes());
  const ctx = { db, config: loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: '/tmp/guichet-clock-tests' }), log: pino({ level: 'silent' }) };
  jobs = () => runDueJobs(ctx, registry);
});
afterAll(async () => db.close());
afterEach(() => vi.useRealTimers());

function at(iso: string) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

async function receive(slug: string, receivedAt: string, email = 'alice@example.fr') {
  at(receivedAt);
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: slug,
    channel: 'web',
    actor: { type: 'citizen', id: null },
    citizen: { civility: 'Mme', firstNames: 'Alice', lastName: 'Bernard', email },
    data: { categorie: 'eclairage', description: 'Demande' },
    hiddenFields: 'drop',
  });
  return receipt;
}

const move = (reference: string, name: string, caller = agent()) => runTransition(deps(), caller, { reference, name });
const view = async (id: number) => (await caseRepository.findById(db.kysely, id))!;
const eventsOf = async (id: number, type: string) => (await caseRepository.listJournal(db.kysely, id)).filter((e) => e.type === type);

describe('legal silence delay', () => {
  it('is born two months after receipt, suspended while pieces are awaited, pushed by the days waited', async () => {
    const receipt = await receive('permis-suspension', '2027-01-31T09:00:00Z');
    // The delay runs from 1 February to 31 March: born 1 April, at midnight local time.
    expect(receipt.implicitDecisionAt).toBe('2027-03-31T22:00:00.000Z');
    at('2027-02-10T09:00:00Z');
    const waiting = await move(receipt.reference, 'demander');
    expect(waiting.status).toBe('attente');
    expect(waiting.implicitDecisionAt).toBeNull();
    at('2027-02-20T09:00:00Z');
    const resumed = await move(receipt.reference, 'completer');
    // 10 to 20 February suspended, both included: 11 days, 1 April → 12 April (summer time by then).
    expect(resumed.implicitDecisionAt).toBe('2027-04-11T22:00:00.000Z');
  });

  it('restarts in full from the pieces’ arrival after an incomplete-file request', async () => {
    const receipt = await receive('permis-incomplet', '2027-01-31T09:00:00Z', 'bob@example.fr');
    at('2027-02-10T09:00:00Z');
    await move(receipt.reference, 'demander');
    at('2027-02-20T09:00:00Z');
    const resumed = await move(receipt.reference, 'completer');
    // Complete on 20 February: the delay runs again from 21 February, born 21 April.
    expect(resumed.implicitDecisionAt).toBe('2027-04-20T22:00:00.000Z');
  });

  it('records the implicit decision once, informs the citizen, and leaves decided cases alone', async () => {
    const undecided = await receive('permis-suspension', '2027-05-03T08:00:00Z', 'claire@example.fr');
    const decided = await receive('permis-suspension', '2027-05-03T08:30:00Z', 'denis@example.fr');
    at('2027-05-04T08:00:00Z');
    await move(decided.reference, 'accorder');
    at('2027-07-04T06:00:00Z');
    const first = await sweepDeadlines(deps());
    expect(first.implicitDecisions).toBeGreaterThanOrEqual(1);
    expect(await sweepDeadlines(deps())).toMatchObject({ implicitDecisions: 0 });
    expect(await eventsOf(undecided.caseId, 'decision.implicit')).toHaveLength(1);
    expect(await eventsOf(decided.caseId, 'decision.implicit')).toHaveLength(0);
    const messages = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', undecided.caseId).execute();
    expect(messages.some((m) => m.subject.includes('accord implicite') && m.body_text.includes(undecided.reference))).toBe(true);
    expect((await view(undecided.caseId)).labels).toContain('accord-implicite');
  });
});

describe('overdue escalation', () => {
  it('alerts the managers once when the due time passes, not while waiting for the citizen', async () => {
    const late = await receive('permis-suspension', '2027-09-06T08:00:00Z', 'emma@example.fr');
    const waiting = await receive('permis-suspension', '2027-09-06T08:10:00Z', 'farid@example.fr');
    at('2027-09-07T08:00:00Z');
    await move(waiting.reference, 'demander');
    at('2027-10-05T08:00:00Z'); // well past ten business days
    await sweepDeadlines(deps());
    await sweepDeadlines(deps());
    expect(await eventsOf(late.caseId, 'case.overdue')).toHaveLength(1);
    expect(await eventsOf(waiting.caseId, 'case.overdue')).toHaveLength(0);
    const alerts = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', late.caseId).where('channel', '=', 'agent_email').execute();
    expect(alerts.map((m) => m.recipient)).toEqual(['cheffe.voirie@ville-test.fr']);
    // The due date in the managers' words and time zone, never a raw ISO instant.
    const dueAt = (await view(late.caseId)).dueAt!;
    expect(alerts[0]!.body_text).toContain(`Échéance : ${dateAndTime(dueAt, 'Europe/Paris')}.`);
    expect(alerts[0]!.body_text).toMatch(/Échéance : \d{1,2}(er)? [a-zéû]+ 2027 à \d{1,2} h \d{2}\./);
    expect(alerts[0]!.body_text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });
});

describe('deadline state shown on a case', () => {
  it('goes on time → at risk → overdue over business days, and pauses while waiting for the citizen', async () => {
    // Ten business days from Monday 6 December 2027: due Monday 20 December at closing time.
    const receipt = await receive('permis-suspension', '2027-12-06T08:00:00Z', 'ines@example.fr');
    const state = async (iso: string) => (await deadlineOf(db.kysely, TIMEZONE, await view(receipt.caseId), new Date(iso)))?.state;
    expect(await state('2027-12-07T10:00:00Z')).toBe('on_time');
    expect(await state('2027-12-17T10:00:00Z')).toBe('at_risk');
    expect(await state('2027-12-21T10:00:00Z')).toBe('overdue');
    at('2027-12-08T10:00:00Z');
    await move(receipt.reference, 'demander');
    expect(await state('2027-12-21T10:00:00Z')).toBe('paused');
  });
});

describe('status timers', () => {
  it('take their transition once, after business days, only if the case is still in the status', async () => {
    const stays = await receive('permis-suspension', '2027-11-08T08:00:00Z', 'gaelle@example.fr');
    const leaves = await receive('permis-suspension', '2027-11-08T08:05:00Z', 'hugo@example.fr');
    at('2027-11-08T09:00:00Z'); // Monday
    await move(stays.reference, 'instruire');
    await move(leaves.reference, 'instruire');
    at('2027-11-09T09:00:00Z');
    await move(leaves.reference, 'accorder');
    at('2027-11-10T09:00:00Z'); // 11 November is a holiday: two business days end on the 12th
    await jobs();
    expect((await view(stays.caseId)).status).toBe('instruction');
    at('2027-11-12T17:00:00Z');
    await jobs();
    await jobs();
    expect((await view(stays.caseId)).status).toBe('relance');
    expect(await eventsOf(stays.caseId, 'status.changed')).toHaveLength(2);
    expect((await view(leaves.caseId)).status).toBe('accorde');
  });
});
