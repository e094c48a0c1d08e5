/**
 * What transitions set off outside the case, through the durable jobs and real peers started
 * here: a webhook receiver that fails once (retried with back-off), an SMS gateway, generated PDF
 * documents, and the escalation of a status timer to the department's managers.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { storeAttachment } from '../src/attachments/service.js';
import { AttachmentStorage } from '../src/attachments/storage.js';
import { caseRepository } from '../src/cases/repository.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { textToPdf } from '../src/documents/pdf.js';
import { submitCase } from '../src/intake/service.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { publishWorkflow, runTransition } from '../src/workflow/service.js';
import { freshDb } from './db.js';
import { makeCommune, makeProcedure } from './factories.js';

let db: Db;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let peer: http.Server;
let peerUrl: string;
const received: { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
let webhookFailuresLeft = 1;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-effects-'));
let jobs: () => Promise<number>;

const workflow = (url: string): WorkflowDefinition => ({
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu', citizenLabel: 'Reçue', category: 'new', timers: [{ after: { value: 2, unit: 'business_days' }, escalate: 'managers' }] },
    { id: 'traite', label: 'Traité', citizenLabel: 'Traitée', category: 'in_progress' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Terminée', category: 'closed_accepted' },
  ],
  transitions: [
    {
      name: 'traiter',
      label: 'Traiter',
      from: ['recu'],
      to: 'traite',
      roles: ['agent'],
      actions: [
        { type: 'webhook', url: `${url}/webhook` },
        { type: 'generate_document', title: 'Attestation', filename: 'attestation.pdf', body: 'Attestation pour le dossier {{ case.reference }}.\n\nFait à {{ organisation.name }}, le {{ case.receivedOn }} — « œuvre » €.' },
        { type: 'notify_citizen', message: { subject: 'Dossier {{ case.reference }}', body: 'Votre demande est traitée.' } },
      ],
    },
    { name: 'clore', label: 'Clore', from: ['traite'], to: 'clos', roles: ['agent'] },
    { name: 'joindre', label: 'Joindre la décision signée', from: ['traite'], to: 'traite', roles: ['agent'], inputs: [{ name: 'decision', label: 'Décision signée', type: 'document', required: true }] },
  ],
});

beforeAll(async () => {
  peer = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      if (req.url === '/webhook' && webhookFailuresLeft > 0) {
        webhookFailuresLeft -= 1;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/sms' ? '{"id":"fournisseur-42"}' : '{}');
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  peerUrl = `http://127.0.0.1:${(peer.address() as { port: number }).port}`;

  db = await freshDb();
  commune = await makeCommune(db);
  await makeProcedure(db, commune.organisationId, commune.departments.roads, { slug: 'effets', title: 'Démarche à effets', isLocated: false });
  await publishWorkflow(db.kysely, commune.organisationId, 'effets', workflow(peerUrl), 'test');
  const manager = await db.kysely
    .insertInto('agents')
    .values({ organisation_id: commune.organisationId, email: 'chef.voirie@ville-test.fr', display_name: 'Chef Voirie', password_hash: null, is_active: 1, created_at: new Date().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.kysely.insertInto('agent_roles').values({ agent_id: manager.id, department_id: commune.departments.roads, role: 'manager' }).execute();
  // The webhook receiver and the SMS gateway are this test's own peer on 127.0.0.1: allowlisted
  // explicitly, as an installation does for its internal endpoints (refused by default, see security-ssrf.test.ts).
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, SMS_URL: `${peerUrl}/sms`, SMS_TOKEN: 'jeton-sms', SMS_SENDER: 'VILLETEST', OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' });
  const registry = new JobRegistry(applicationJobTypes());
  jobs = () => runDueJobs({ db, config, log: pino({ level: 'silent' }) }, registry);
});
afterAll(async () => {
  await db.close();
  await new Promise((resolve) => peer.close(resolve));
});
afterEach(() => vi.useRealTimers());

function at(iso: string) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

async function submit(citizen: Record<string, unknown>) {
  const { receipt } = await submitCase(
    { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' },
    { organisationId: commune.organisationId, procedureSlug: 'effets', channel: 'phone', actor: { type: 'agent', id: '1' }, citizen, data: { categorie: 'eclairage', description: 'Lampadaire' }, hiddenFields: 'drop' },
  );
  return receipt;
}

const caller = () => ({ organisationId: commune.organisationId, actor: { type: 'agent' as const, id: '1' }, roles: ['agent' as const], name: 'Agent Test' });
const eventsOf = async (caseId: number, type: string) => (await caseRepository.listJournal(db.kysely, caseId)).filter((e) => e.type === type);

describe('effects of a transition', () => {
  it('calls the webhook until it answers 2xx, texts a citizen who has only a mobile, and attaches a real PDF', async () => {
    at('2027-03-01T08:00:00Z');
    const receipt = await submit({ civility: 'M', firstNames: 'Jules', lastName: 'Petit', phone: '06 12 34 56 78' });
    await runTransition({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' }, caller(), { reference: receipt.reference, name: 'traiter' });
    await jobs();

    // Webhook: the first answer was a 500, so the job waits for its retry with its error kept.
    const webhookJob = await db.kysely.selectFrom('jobs').selectAll().where('type', '=', 'webhook.call').executeTakeFirstOrThrow();
    expect(webhookJob).toMatchObject({ state: 'pending', attempts: 1 });
    expect(webhookJob.last_error).toContain('500');
    at('2027-03-01T09:00:00Z');
    await jobs();
    expect(await db.kysely.selectFrom('jobs').select('state').where('id', '=', webhookJob.id).executeTakeFirstOrThrow()).toEqual({ state: 'done' });
    const calls = received.filter((r) => r.path === '/webhook');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toMatchObject({ reference: receipt.reference, status: 'traite' });
    expect(calls[0]!.headers['idempotency-key']).toBe(calls[1]!.headers['idempotency-key']);

    // SMS through the gateway, authenticated, with the provider's id kept.
    const sms = received.find((r) => r.path === '/sms')!;
    expect(sms.headers.authorization).toBe('Bearer jeton-sms');
    expect(sms.body).toMatchObject({ to: '+33612345678', sender: 'VILLETEST' });
    expect(String(sms.body.text)).toContain('Votre demande est traitée.');
    const message = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', receipt.caseId).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ channel: 'sms', status: 'sent', message_id: 'fournisseur-42' });

    // The document: a PDF attached to the case, journaled once.
    const [generated, ...more] = await eventsOf(receipt.caseId, 'document.generated');
    expect(more).toHaveLength(0);
    const attachment = await db.kysely.selectFrom('attachments').selectAll().where('id', '=', String(generated!.payload['attachmentId'])).executeTakeFirstOrThrow();
    expect(attachment).toMatchObject({ case_id: receipt.caseId, mime_type: 'application/pdf', filename: 'attestation.pdf' });
    const bytes = await new AttachmentStorage(path.join(dataDir, 'attachments')).read(attachment.sha256);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('writes a letter to print when the citizen has neither email nor mobile', async () => {
    at('2027-03-02T08:00:00Z');
    const receipt = await submit({ civility: 'Mme', firstNames: 'Rose', lastName: 'Blanc', phone: '02 47 00 00 00' });
    await runTransition({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' }, caller(), { reference: receipt.reference, name: 'traiter' });
    const message = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', receipt.caseId).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ channel: 'letter', status: 'recorded', recipient: null });
  });
});

describe('documents given as transition inputs', () => {
  it('attaches an uploaded document to the case, and refuses one that is unknown or on another case', async () => {
    at('2027-03-03T08:00:00Z');
    const deps = { db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' };
    const storage = new AttachmentStorage(path.join(dataDir, 'attachments'));
    const upload = async (name: string) => (await storeAttachment({ db, storage, maxBytes: 1_000_000 }, commune.organisationId, await textToPdf('Décision', 'Signée.', { author: 'Test' }), name)).id;
    const mine = await submit({ civility: 'M', firstNames: 'Yves', lastName: 'Garnier', email: 'yves@example.fr' });
    const other = await submit({ civility: 'M', firstNames: 'Zoé', lastName: 'Perrin', email: 'zoe@example.fr' });
    for (const r of [mine, other]) await runTransition(deps, caller(), { reference: r.reference, name: 'traiter' });
    const onOther = await upload('autre.pdf');
    await runTransition(deps, caller(), { reference: other.reference, name: 'joindre', inputs: { decision: [onOther] } });

    const before = (await caseRepository.findById(db.kysely, mine.caseId))!.version;
    await expect(runTransition(deps, caller(), { reference: mine.reference, name: 'joindre', inputs: { decision: ['pas-un-identifiant'] } })).rejects.toMatchObject({
      errors: [{ field: 'inputs.decision' }],
    });
    for (const ids of [['AAAAAAAAAAAAAAAAAAAAAA'], [onOther]]) {
      await expect(runTransition(deps, caller(), { reference: mine.reference, name: 'joindre', inputs: { decision: ids } })).rejects.toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'inputs.decision', code: 'unknown_attachment' }],
      });
    }
    await expect(runTransition(deps, caller(), { reference: mine.reference, name: 'joindre', inputs: {} })).rejects.toMatchObject({ code: 'validation_failed' });
    expect((await caseRepository.findById(db.kysely, mine.caseId))!.version).toBe(before);

    const signed = await upload('decision-signee.pdf');
    await runTransition(deps, caller(), { reference: mine.reference, name: 'joindre', inputs: { decision: [signed] } });
    const attached = await db.kysely.selectFrom('attachments').select(['id', 'case_id']).where('id', '=', signed).executeTakeFirstOrThrow();
    expect(attached.case_id).toBe(mine.caseId);
  });
});

describe('status timer escalation', () => {
  it('alerts the managers once after two business days in the status, only if the case is still there', async () => {
    at('2027-03-05T08:00:00Z'); // Friday
    const stays = await submit({ civility: 'M', firstNames: 'Luc', lastName: 'Moreau', email: 'luc@example.fr' });
    const moves = await submit({ civility: 'M', firstNames: 'Marc', lastName: 'Lenoir', email: 'marc@example.fr' });
    await runTransition({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' }, caller(), { reference: moves.reference, name: 'traiter' });
    at('2027-03-08T17:00:00Z'); // Monday: one business day only
    await jobs();
    expect(await eventsOf(stays.caseId, 'case.escalated')).toHaveLength(0);
    at('2027-03-09T17:00:00Z'); // Tuesday evening: two business days
    await jobs();
    await jobs();
    const escalations = await eventsOf(stays.caseId, 'case.escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.payload).toMatchObject({ reason: 'status_timer', status: 'recu', managersNotified: 1 });
    expect(await eventsOf(moves.caseId, 'case.escalated')).toHaveLength(0);
    const alert = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', stays.caseId).where('channel', '=', 'agent_email').executeTakeFirstOrThrow();
    expect(alert.recipient).toBe('chef.voirie@ville-test.fr');
  });
});
