/**
 * The SMS channel's incoming side, driven over real HTTP on 127.0.0.1 with deliveries shaped as the
 * providers send them: Guichet's signed JSON and Twilio's signed form (its signature computed here
 * by Twilio's documented algorithm). A reply threads onto the citizen's waiting case; an unknown
 * number opens a case in triage; STOP holds the notification SMS a real gateway would have sent.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsStatus } from '../src/channels/sms/status.js';
import { signTwilio } from '../src/channels/sms/providers.js';
import { smsKeyword } from '../src/channels/sms/keywords.js';
import { caseRepository } from '../src/cases/repository.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { demoProcedure } from '../src/demo/procedures/index.js';
import { submitCase } from '../src/intake/service.js';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { runDueJobs } from '../src/jobs/worker.js';
import { publishWorkflow, runTransition } from '../src/workflow/service.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { signedInCitizen } from './portal-session.js';
import { makeCommune, makeProcedure } from './factories.js';

const SECRET = 'secret-partage-du-fournisseur-sms';
const TWILIO_TOKEN = 'jeton-auth-twilio-0123456789abcdef';
const PUBLIC_URL = 'https://mairie.ville-test.fr';

let db: Db;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let generic: FastifyInstance;
let twilio: FastifyInstance;
let genericUrl: string;
let twilioUrl: string;
let gateway: http.Server;
let gatewayUrl: string;
const gatewayReceived: { to: string; text: string }[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-sms-'));
let jobs: () => Promise<number>;
const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: PUBLIC_URL });
const caller = () => ({ organisationId: commune.organisationId, actor: { type: 'agent' as const, id: '1' }, roles: ['agent' as const], name: 'Agent Test' });

beforeAll(async () => {
  gateway = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      gatewayReceived.push(JSON.parse(raw) as { to: string; text: string });
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"passerelle-${gatewayReceived.length}"}`);
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}/sms`;

  db = await freshDb();
  commune = await makeCommune(db);
  // The demo's « Contacter la mairie », handled by the reception: the triage procedure.
  await makeProcedure(db, commune.organisationId, commune.departments.reception, {
    slug: 'contact',
    title: 'Contacter la mairie',
    form: demoProcedure('contact')!.procedure.form,
    allowAnonymous: false,
    isLocated: false,
  });
  await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', {
    version: 1,
    initial: 'recu',
    statuses: [
      { id: 'recu', label: 'Reçu', citizenLabel: 'Demande reçue', category: 'new' },
      { id: 'attente', label: 'En attente de l’usager', citizenLabel: 'En attente de votre réponse', category: 'waiting_citizen', onCitizenReply: 'reprendre' },
      { id: 'encours', label: 'En cours', citizenLabel: 'En cours', category: 'in_progress' },
      { id: 'clos', label: 'Clos', citizenLabel: 'Terminée', category: 'closed_accepted' },
    ],
    transitions: [
      { name: 'attendre', label: 'Attendre l’usager', from: ['recu', 'encours'], to: 'attente', roles: ['agent'] },
      { name: 'reprendre', label: 'Reprendre', from: ['attente'], to: 'encours', roles: ['agent'] },
      { name: 'notifier', label: 'Informer l’usager', from: ['recu', 'encours'], to: 'encours', roles: ['agent'], actions: [{ type: 'notify_citizen', message: { subject: 'Dossier {{ case.reference }}', body: 'Votre demande avance.' } }] },
      { name: 'clore', label: 'Clore', from: ['recu', 'encours'], to: 'clos', roles: ['agent'] },
    ],
  }, 'test');

  // The gateway is this test's own peer on 127.0.0.1, allowlisted as an internal relay would be.
  const env = { PUBLIC_URL, SMS_URL: gatewayUrl, CHANNELS_TRIAGE_PROCEDURE: 'contact', OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' };
  generic = await testApp(db, { ...env, SMS_WEBHOOK_PROVIDER: 'generic', SMS_WEBHOOK_SECRET: SECRET });
  twilio = await testApp(db, { ...env, SMS_WEBHOOK_PROVIDER: 'twilio', SMS_WEBHOOK_SECRET: TWILIO_TOKEN });
  genericUrl = await generic.listen({ port: 0, host: '127.0.0.1' });
  twilioUrl = await twilio.listen({ port: 0, host: '127.0.0.1' });

  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...env });
  const registry = new JobRegistry(applicationJobTypes());
  jobs = () => runDueJobs({ db, config, log: pino({ level: 'silent' }) }, registry);
});

afterAll(async () => {
  await generic.close();
  await twilio.close();
  await db.close();
  await new Promise((resolve) => gateway.close(resolve));
});

/** A delivery in Guichet's generic shape, signed as docs/channels/sms.md says. */
async function postGeneric(body: unknown, options: { secret?: string; timestamp?: number; raw?: string; contentType?: string } = {}) {
  const raw = options.raw ?? JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = `sha256=${createHmac('sha256', options.secret ?? SECRET).update(`${timestamp}.${raw}`).digest('hex')}`;
  return fetch(`${genericUrl}/channels/sms/generic`, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/json', 'x-guichet-timestamp': String(timestamp), 'x-guichet-signature': signature },
    body: raw,
  });
}

/**
 * Twilio's documented request validation, written out here independently of the code under test:
 * the full URL, then each POST parameter's name and value sorted by name, HMAC-SHA1 with the Auth
 * Token, base64.
 */
function twilioSignature(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', token).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** A delivery as Twilio's Messaging webhook sends it (the parameters it posts for an incoming SMS). */
async function postTwilio(sid: string, from: string, body: string, options: { token?: string } = {}) {
  const params = {
    ToCountry: 'FR', ToState: '', SmsMessageSid: sid, NumMedia: '0', ToCity: '', FromZip: '', SmsSid: sid, FromState: '', SmsStatus: 'received',
    FromCity: '', Body: body, FromCountry: 'FR', To: '+33757000000', ToZip: '', NumSegments: '1', MessageSid: sid,
    AccountSid: 'AC00000000000000000000000000000000', From: from, ApiVersion: '2010-04-01',
  };
  return fetch(`${twilioUrl}/channels/sms/twilio`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(options.token ?? TWILIO_TOKEN, `${PUBLIC_URL}/channels/sms/twilio`, params),
      'i-twilio-idempotency-token': `${sid}-retry`,
    },
    body: new URLSearchParams(params).toString(),
  });
}

const inbound = (externalId: string) => db.kysely.selectFrom('channel_inbound').selectAll().where('external_id', '=', externalId).execute();
const journalOf = async (caseId: number) => caseRepository.listJournal(db.kysely, caseId);

async function caseFor(phone: string, citizen: Record<string, unknown> = { firstNames: 'Lucie', lastName: 'Moreau' }) {
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'phone',
    actor: { type: 'agent', id: '1' },
    citizen: { ...citizen, phone },
    data: { categorie: 'eclairage', description: 'Lampadaire éteint rue des Lilas' },
    hiddenFields: 'drop',
  });
  return receipt;
}

let sequence = 0;
const sid = () => `SM${String(++sequence).padStart(32, '0')}`;
const genericId = () => `msg-${++sequence}`;

describe('the generic signed JSON webhook', () => {
  it('threads a reply onto the citizen’s case waiting for them (rather than their newer one) and ends the wait', async () => {
    const waiting = await caseFor('06 12 34 56 01');
    await runTransition(deps(), caller(), { reference: waiting.reference, name: 'attendre' });
    const newer = await caseFor('+33612345601');
    // A number given without proof binds nothing (ADR 0002): a record of its own, flagged for an agent.
    expect(newer.citizen).toMatchObject({ matchedBy: 'created', possibleDuplicateOf: waiting.citizen!.id });

    const id = genericId();
    const response = await postGeneric({ id, from: '+33612345601', to: '+33757000000', text: 'Voici la photo du lampadaire, il est au n° 12.', receivedAt: new Date().toISOString() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'threaded' });

    const view = await caseRepository.findById(db.kysely, waiting.caseId);
    expect(view!.status).toBe('encours');
    expect(await caseRepository.listPauses(db.kysely, waiting.caseId)).toEqual([expect.objectContaining({ to: expect.any(String) })]);
    const messageIn = (await journalOf(waiting.caseId)).find((e) => e.type === 'message.in')!;
    expect(messageIn.payload).toMatchObject({ channel: 'sms' });
    const message = await db.kysely.selectFrom('messages').selectAll().where('id', '=', messageIn.payload['messageId'] as number).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ direction: 'in', channel: 'sms', body_text: 'Voici la photo du lampadaire, il est au n° 12.' });
    expect((await journalOf(newer.caseId)).some((e) => e.type === 'message.in')).toBe(false);
    expect(await inbound(id)).toEqual([
      expect.objectContaining({ channel: 'sms', source: 'webhook:generic', status: 'threaded', sender: '+33612345601', case_id: waiting.caseId, message_id: message.id }),
    ]);
  });

  it('opens a case in the triage procedure for an unknown number, acknowledged by SMS; the same id delivered again gives one case', async () => {
    const id = genericId();
    const sms = { id, from: '0698765401', to: '+33757000000', text: 'Bonjour, le container à verre de la place du marché déborde depuis trois jours.' };
    const first = await postGeneric(sms);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'created' });
    const again = await postGeneric(sms);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, outcome: 'created' });

    const receipts = await inbound(id);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ status: 'created', sender: '+33698765401' });
    const cases = await db.kysely.selectFrom('cases').selectAll().where('id', '=', receipts[0]!.case_id!).execute();
    expect(cases).toHaveLength(1);
    const created = (await caseRepository.findById(db.kysely, receipts[0]!.case_id!))!;
    expect(created).toMatchObject({ channel: 'phone', department: expect.objectContaining({ id: commune.departments.reception }) });
    expect(created.procedure?.slug).toBe('contact');
    expect(created.subject).toMatch(/^SMS : Bonjour, le container/);
    expect(created.data).toMatchObject({ sujet: 'autre', service: 'inconnu', reponse: 'telephone', message: sms.text, objet: 'SMS du +33698765401' });
    const journal = await journalOf(created.id);
    expect(journal.find((e) => e.type === 'channel.received')?.payload).toMatchObject({ channel: 'sms', source: 'sms', provider: 'generic', from: '+33698765401' });
    expect(journal.find((e) => e.type === 'acknowledgment.sent')?.payload).toMatchObject({ channel: 'sms' });
    const phones = await db.kysely.selectFrom('citizen_phones').select('phone').where('citizen_id', '=', created.citizenId!).execute();
    expect(phones).toEqual([{ phone: '+33698765401' }]);

    // The citizen's next SMS is a reply to that case, not a second case.
    const followUp = genericId();
    expect(await (await postGeneric({ id: followUp, from: '+33698765401', to: '+33757000000', text: 'Il y a aussi des bouteilles cassées par terre.' })).json()).toEqual({ received: true, outcome: 'threaded' });
    expect((await inbound(followUp))[0]).toMatchObject({ status: 'threaded', case_id: created.id });
  });

  it('an SMS from a victim’s number lands on a record of its own, flagged, and not in the victim’s « Mes demandes » (issue 13)', async () => {
    const victim = await signedInCitizen(db, commune.organisationId, { firstNames: 'Sidonie', lastName: 'Texto' });
    await db.kysely.insertInto('citizen_phones').values({ citizen_id: victim.citizenId, phone: '+33698765499', is_primary: 1, source: 'counter', verified_at: new Date().toISOString(), verified_how: 'agent' }).execute();
    const id = genericId();
    expect(await (await postGeneric({ id, from: '+33698765499', to: '+33757000000', text: 'Je suis Sidonie, envoyez-moi mon dossier.' })).json()).toEqual({ received: true, outcome: 'created' });
    const created = (await caseRepository.findById(db.kysely, (await inbound(id))[0]!.case_id!))!;
    expect(created.citizenId).not.toBe(victim.citizenId);
    expect((await db.kysely.selectFrom('citizens').select('possible_duplicate_of').where('id', '=', created.citizenId!).executeTakeFirstOrThrow()).possible_duplicate_of).toBe(victim.citizenId);
    expect(await db.kysely.selectFrom('citizen_phones').select(['source', 'verified_at']).where('citizen_id', '=', created.citizenId!).execute()).toEqual([{ source: 'sms', verified_at: null }]);
    const list = await generic.inject({ method: 'GET', url: '/mes-demandes', headers: { cookie: victim.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.reference);
  });

  it('caps automatic acknowledgments to one number at 3 per 10 minutes', async () => {
    const from = '+33698765402';
    const acknowledged: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      const id = genericId();
      expect((await postGeneric({ id, from, to: '+33757000000', text: `Nouvelle demande numéro ${i + 1}, merci de me rappeler.` })).status).toBe(200);
      const [receipt] = await inbound(id);
      expect(receipt!.status).toBe('created');
      acknowledged.push((await journalOf(receipt!.case_id!)).some((e) => e.type === 'acknowledgment.sent'));
      // Closed at once (the triage procedure has no workflow here), so that the next SMS is a new request rather than a reply.
      await db.kysely.updateTable('cases').set({ closed_at: new Date().toISOString() }).where('id', '=', receipt!.case_id!).execute();
    }
    expect(acknowledged).toEqual([true, true, true, false]);
  });

  it('refuses a bad signature and a stale timestamp with 401, and records nothing', async () => {
    const id = genericId();
    const sms = { id, from: '+33612345699', to: '+33757000000', text: 'Message forgé par un tiers.' };
    const forged = await postGeneric(sms, { secret: 'pas-le-bon-secret' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
    expect(await forged.json()).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('X-Guichet-Signature') });
    const stale = await postGeneric(sms, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('5 minutes') });
    const unsigned = await fetch(`${genericUrl}/channels/sms/generic`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sms) });
    expect(unsigned.status).toBe(401);
    expect(await inbound(id)).toEqual([]);
  });

  it('answers 400 with French field messages for a malformed delivery, and records nothing', async () => {
    const response = await postGeneric({ id: '', to: '+33757000000', text: 42, receivedAt: 'hier' });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; errors: { field: string; message: string }[] };
    expect(problem.code).toBe('bad_request');
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['from', 'id', 'receivedAt', 'text']);
    expect(problem.errors.find((e) => e.field === 'from')!.message).toBe('Indiquez le numéro de l’expéditeur.');
    const notJson = await postGeneric(null, { raw: '{"id": "x", "from": ' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'malformed_json' });
    const wrongType = await postGeneric(null, { raw: 'id=1', contentType: 'text/plain' });
    expect(wrongType.status).toBe(415);
    const huge = await postGeneric({ id: 'x', from: '+33612345697', text: 'a'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: 'payload_too_large' });
    expect(await db.kysely.selectFrom('channel_inbound').select('id').where('external_id', '=', 'x').execute()).toEqual([]);
  });

  it('records STOP as an opt-out (no case, no reply) that holds notification SMS until START', async () => {
    const receipt = await caseFor('07 81 22 33 01', { firstNames: 'Paul', lastName: 'Girard' });
    const mobile = '+33781223301';
    gatewayReceived.length = 0;

    const stopId = genericId();
    expect(await (await postGeneric({ id: stopId, from: mobile, to: '+33757000000', text: '  Arrêt. ' })).json()).toEqual({ received: true, outcome: 'ignored' });
    expect((await inbound(stopId))[0]).toMatchObject({ status: 'ignored', reason: 'opt_out', case_id: null });
    expect(await db.kysely.selectFrom('sms_opt_outs').select(['phone', 'keyword']).execute()).toEqual([{ phone: mobile, keyword: 'Arrêt.' }]);
    expect((await journalOf(receipt.caseId)).some((e) => e.type === 'message.in')).toBe(false);

    // The workflow writes to the citizen, who has only a mobile: the SMS is held, for good.
    await runTransition(deps(), caller(), { reference: receipt.reference, name: 'notifier' });
    await jobs();
    expect(gatewayReceived.filter((m) => m.to === mobile)).toEqual([]);
    const held = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', receipt.caseId).where('direction', '=', 'out').where('channel', '=', 'sms').execute();
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ status: 'failed', sent_at: null });
    expect(held[0]!.last_error).toContain('ne plus recevoir de SMS');
    const job = await db.kysely.selectFrom('jobs').select(['state', 'attempts']).where('dedupe_key', '=', `message:${held[0]!.id}`).executeTakeFirstOrThrow();
    expect(job.state).toBe('done');

    const startId = genericId();
    expect(await (await postGeneric({ id: startId, from: mobile, to: '+33757000000', text: 'start' })).json()).toEqual({ received: true, outcome: 'ignored' });
    expect((await inbound(startId))[0]).toMatchObject({ status: 'ignored', reason: 'opt_in' });
    expect(await db.kysely.selectFrom('sms_opt_outs').select('phone').execute()).toEqual([]);
    await runTransition(deps(), caller(), { reference: receipt.reference, name: 'notifier' });
    await jobs();
    expect(gatewayReceived.filter((m) => m.to === mobile)).toEqual([expect.objectContaining({ to: mobile, text: expect.stringContaining('Votre demande avance.') })]);
  });

  it('gives one case when the provider delivers the same SMS twice at once', async () => {
    const id = genericId();
    const sms = { id, from: '+33698765405', to: '+33757000000', text: 'Bonjour, la fontaine du square fuit depuis ce matin.' };
    const answers = await Promise.all([postGeneric(sms), postGeneric(sms), postGeneric(sms)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const receipts = await inbound(id);
    expect(receipts).toEqual([expect.objectContaining({ status: 'created' })]);
    const cases = await db.kysely.selectFrom('cases').select('id').where('contact_phone', '=', '+33698765405').execute();
    expect(cases).toHaveLength(1);
  });

  it('processes on the provider’s retry an SMS whose processing was interrupted after its receipt', async () => {
    const id = genericId();
    // The state a crash between the receipt and its processing leaves: a pending row, no case.
    await db.kysely
      .insertInto('channel_inbound')
      .values({ organisation_id: commune.organisationId, channel: 'sms', source: 'webhook:generic', external_id: id, sender: '+33698765406', summary: 'Bonjour', status: 'pending', received_at: new Date().toISOString() })
      .execute();
    const retry = await postGeneric({ id, from: '+33698765406', to: '+33757000000', text: 'Bonjour, un panneau stop est tombé au carrefour.' });
    expect(await retry.json()).toEqual({ received: true, outcome: 'created' });
    expect(await inbound(id)).toEqual([expect.objectContaining({ status: 'created', case_id: expect.any(Number) })]);
  });

  it('ignores an empty SMS and a sender that is not a phone number, each with its reason', async () => {
    const empty = genericId();
    await postGeneric({ id: empty, from: '+33612345698', to: '+33757000000', text: '   ' });
    expect((await inbound(empty))[0]).toMatchObject({ status: 'ignored', reason: 'empty' });
    const alphanumeric = genericId();
    await postGeneric({ id: alphanumeric, from: 'INFOTRAFIC', to: '+33757000000', text: 'Bouchon sur la rocade.' });
    expect((await inbound(alphanumeric))[0]).toMatchObject({ status: 'ignored', reason: 'invalid_sender', sender: 'INFOTRAFIC' });
  });
});

describe('the Twilio webhook', () => {
  it('computes Twilio’s signature as its documentation’s example does', () => {
    const params = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' });
    expect(signTwilio('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('takes a signed form, answers empty TwiML, and de-duplicates Twilio’s retry by MessageSid', async () => {
    const id = sid();
    const first = await postTwilio(id, '+33698765403', 'Bonjour, un arbre est tombé sur le trottoir avenue Jean-Jaurès.');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/xml');
    expect(await first.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect((await postTwilio(id, '+33698765403', 'Bonjour, un arbre est tombé sur le trottoir avenue Jean-Jaurès.')).status).toBe(200);
    const receipts = await inbound(id);
    expect(receipts).toEqual([expect.objectContaining({ source: 'webhook:twilio', status: 'created', sender: '+33698765403' })]);
    const created = (await caseRepository.findById(db.kysely, receipts[0]!.case_id!))!;
    expect(created.procedure?.slug).toBe('contact');
    expect(created.data).toMatchObject({ message: 'Bonjour, un arbre est tombé sur le trottoir avenue Jean-Jaurès.' });
  });

  it('refuses a form signed with another token, and the generic route while Twilio is configured', async () => {
    const id = sid();
    const forged = await postTwilio(id, '+33698765404', 'Faux message', { token: 'un-autre-jeton' });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'unauthenticated' });
    expect(await inbound(id)).toEqual([]);
    const other = await fetch(`${twilioUrl}/channels/sms/generic`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(other.status).toBe(404);
  });

  it('answers 400 when Twilio’s required parameters are missing', async () => {
    const params = { Body: 'Sans expéditeur', NumMedia: '0' };
    const response = await fetch(`${twilioUrl}/channels/sms/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TWILIO_TOKEN, `${PUBLIC_URL}/channels/sms/twilio`, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['From', 'MessageSid']);
  });
});

describe('configuration', () => {
  it('keeps the webhook closed (404) without a secret, and reports the channel’s set-up', async () => {
    const off = await testApp(db, { PUBLIC_URL });
    const response = await off.inject({ method: 'POST', url: '/channels/sms/generic', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('SMS_WEBHOOK_SECRET') });
    await off.close();

    const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL, SMS_WEBHOOK_PROVIDER: 'twilio', SMS_WEBHOOK_SECRET: TWILIO_TOKEN, SMS_URL: gatewayUrl });
    const settings = await smsStatus({ db: db.kysely, config, organisationId: commune.organisationId });
    expect(settings.map((s) => [s.label, s.state])).toEqual([
      ['Réception des SMS', 'active'],
      ['Envoi des SMS', 'active'],
      ['Désinscriptions (STOP)', 'active'],
    ]);
    const offSettings = await smsStatus({ db: db.kysely, config: loadConfig({ DATA_DIR: dataDir }), organisationId: commune.organisationId });
    expect(offSettings.map((s) => s.state)).toEqual(['off', 'off', 'active']);
  });

  it('quarantines, with its reason, an SMS the triage procedure cannot take', async () => {
    const misconfigured = await testApp(db, { PUBLIC_URL, SMS_WEBHOOK_SECRET: SECRET, CHANNELS_TRIAGE_PROCEDURE: 'inexistante' });
    const id = genericId();
    const raw = JSON.stringify({ id, from: '+33698765407', text: 'Bonjour, à qui dois-je m’adresser pour une salle ?' });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await misconfigured.inject({
      method: 'POST',
      url: '/channels/sms/generic',
      headers: { 'content-type': 'application/json', 'x-guichet-timestamp': String(timestamp), 'x-guichet-signature': `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${raw}`).digest('hex')}` },
      payload: raw,
    });
    await misconfigured.close();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, outcome: 'quarantined' });
    expect((await inbound(id))[0]).toMatchObject({ status: 'quarantined', reason: 'no_triage_procedure', error: expect.stringContaining('inexistante'), case_id: null });
  });

  it('recognises STOP and START whatever the case, accents and punctuation, but only as the whole message', () => {
    expect(['STOP', 'stop', 'Stop SMS', 'ARRET', 'arrêt !', 'Unsubscribe'].map(smsKeyword)).toEqual(Array(6).fill('stop'));
    expect(['START', 'Start.', 'arrêt fin'].map(smsKeyword)).toEqual(Array(3).fill('start'));
    expect(['stop au bruit rue Victor-Hugo', 'arrêt de bus cassé', ''].map(smsKeyword)).toEqual([null, null, null]);
  });
});
