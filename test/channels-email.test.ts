/**
 * The e-mail channel end to end with real peers on 127.0.0.1: nodemailer as the sending server,
 * our SMTP receiver, mailauth checking SPF/DMARC against the test's DNS records, the processing,
 * and the acknowledgments sent to an SMTP sink and replied to.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRepository } from '../src/cases/repository.js';
import { inboundRepository } from '../src/channels/inbound-repository.js';
import { processEmail, type ProcessDeps } from '../src/channels/email/process.js';
import { receiveEmail } from '../src/channels/email/receive.js';
import { reprocessEmail } from '../src/channels/email/reprocess.js';
import { startSmtpReceiver, type SmtpReceiver } from '../src/channels/email/smtp-receiver.js';
import { emailStatus } from '../src/channels/email/status.js';
import { loadConfig, type Config } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { submitCase } from '../src/intake/service.js';
import { sendMessageJob } from '../src/messages/jobs.js';
import { publishWorkflow, runTransition } from '../src/workflow/service.js';
import { freshDb } from './db.js';
import { startSmtpReceiver as startSink } from './smtp.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** The test's DNS: example.org sends from 127.0.0.1; bank.test does not (SPF -all, DMARC reject). */
const DNS: Record<string, string[]> = {
  'example.org': ['v=spf1 ip4:127.0.0.1 -all'],
  '_dmarc.example.org': ['v=DMARC1; p=none'],
  'bank.test': ['v=spf1 ip4:192.0.2.1 -all'],
  '_dmarc.bank.test': ['v=DMARC1; p=reject'],
  // SPF passes, no DMARC policy: mailauth says dmarc « none » — which vouches for nothing (issue 13).
  'nodmarc.test': ['v=spf1 ip4:127.0.0.1 -all'],
};
async function resolver(name: string, rrtype: string): Promise<unknown> {
  const records = rrtype === 'TXT' ? DNS[name.toLowerCase()] : undefined;
  if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return records.map((r) => [r]);
}

let db: Db;
let organisationId: number;
let config: Config;
let deps: ProcessDeps;
let receiver: SmtpReceiver;
let sink: Awaited<ReturnType<typeof startSink>>;
let client: Transporter;

const log = pino({ level: 'silent' });
const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-email-'));

function configWith(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: dataDir(),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'https://guichet.ville-test.fr',
    SESSION_SECRET: 'un-secret-de-test-assez-long-pour-signer-les-jetons',
    INBOUND_EMAIL_DOMAINS: 'ville-test.fr',
    REPLY_ADDRESS: 'mairie@ville-test.fr',
    ...env,
  });
}

/** Processes every pending receipt, as the job would (with the test's DNS). */
async function processPending(): Promise<void> {
  for (const item of await inboundRepository.listPending(db.kysely, organisationId, 'email', 100)) await processEmail(deps, item.id);
}

/** Sends the queued outgoing e-mails (acknowledgments) to the sink, as the job would. */
async function sendQueued(): Promise<void> {
  const queued = await db.kysely.selectFrom('messages').select('id').where('status', '=', 'queued').where('channel', '=', 'email').execute();
  for (const m of queued) await sendMessageJob.handle({ db, config, log }, { messageId: m.id }, { id: 0, attempt: 1 });
}

async function receiptOf(messageId: string) {
  return inboundRepository.findByExternalId(db.kysely, organisationId, 'email', messageId);
}

const journalOf = (caseId: number) => caseRepository.listJournal(db.kysely, caseId);
const casesFrom = (email: string) => db.kysely.selectFrom('cases').selectAll().where('contact_email', '=', email).orderBy('id').execute();

let seq = 0;
const mid = (domain = 'example.org') => `<test-${Date.now()}-${++seq}@${domain}>`;

beforeAll(async () => {
  db = await freshDb();
  organisationId = (await seedDemoCommune(db)).organisationId;
  // The triage procedure with a waiting-for-citizen status that a reply ends.
  await publishWorkflow(db.kysely, organisationId, 'contact', {
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
  sink = await startSink();
  config = configWith({ SMTP_URL: sink.url });
  deps = { db, config, log, resolver };
  receiver = await startSmtpReceiver(deps, { port: 0, host: '127.0.0.1' });
  client = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
});

afterAll(async () => {
  client?.close();
  await receiver?.close();
  await sink?.close();
  await db?.close();
});

describe('a new request by e-mail', () => {
  it('becomes a case in the triage procedure, with both attachments, sanitised HTML and its authenticity', async () => {
    const messageId = mid();
    const info = await client.sendMail({
      from: '"Claire Martin" <claire@example.org>',
      to: 'mairie@ville-test.fr',
      subject: 'Lampadaire cassé rue des Lilas',
      messageId,
      text: 'Bonjour,\n\nLe lampadaire devant le 12 rue des Lilas est cassé depuis une semaine.\n\nClaire Martin',
      html: '<p>Bonjour,</p><p>Le lampadaire devant le <b>12 rue des Lilas</b> est cassé.</p><script>alert(1)</script><img src="https://pistage.example/x.png" onerror="x()">',
      attachments: [
        { filename: 'photo.png', content: PNG, contentType: 'image/png' },
        { filename: 'plan.pdf', content: PDF, contentType: 'application/pdf' },
      ],
    });
    expect(info.response).toMatch(/^250 /);
    const receipt = await receiptOf(messageId);
    expect(receipt?.status).toBe('pending');
    // The processing job was queued with the receipt.
    const jobs = await db.kysely.selectFrom('jobs').select(['type', 'payload']).where('type', '=', 'channel.email.process').execute();
    expect(jobs.some((j) => String(j.payload).includes(String(receipt!.id)))).toBe(true);

    await processPending();
    const settled = await receiptOf(messageId);
    expect(settled).toMatchObject({ status: 'created', sender: 'claire@example.org' });
    const view = await caseRepository.findById(db.kysely, settled!.caseId!);
    expect(view).toMatchObject({ channel: 'email', subject: 'Lampadaire cassé rue des Lilas' });
    expect(view!.procedure?.slug).toBe('contact');
    expect(view!.data).toMatchObject({ objet: 'Lampadaire cassé rue des Lilas', sujet: 'autre', reponse: 'courriel' });
    const files = await db.kysely.selectFrom('attachments').select(['filename', 'mime_type']).where('case_id', '=', view!.id).orderBy('filename').execute();
    expect(files).toEqual([
      { filename: 'photo.png', mime_type: 'image/png' },
      { filename: 'plan.pdf', mime_type: 'application/pdf' },
    ]);
    const incoming = await db.kysely.selectFrom('messages').selectAll().where('case_id', '=', view!.id).where('direction', '=', 'in').executeTakeFirstOrThrow();
    expect(incoming.body_html).toContain('<b>12 rue des Lilas</b>');
    expect(incoming.body_html).not.toMatch(/script|alert|onerror|<img|pistage/);
    expect(incoming.body_text).toContain('Claire Martin');
    const citizen = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', view!.citizenId!).executeTakeFirstOrThrow();
    expect(citizen).toMatchObject({ first_names: 'Claire', birth_name: 'Martin', identity_assurance: 'declared' });
    const payload = (await receiptOf(messageId))!.payload as { authenticity: { spf: string; dmarc: string; failing: boolean } };
    expect(payload.authenticity).toMatchObject({ spf: 'pass', dmarc: 'pass', failing: false });
    const events = (await journalOf(view!.id)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['case.created', 'message.in', 'acknowledgment.sent']));
  });

  it('gives one case for the same Message-ID delivered twice, and reprocessing makes no duplicate', async () => {
    const messageId = mid();
    const mail = { from: 'paul@example.org', to: 'mairie@ville-test.fr', subject: 'Horaires de la mairie', text: 'Quels sont les horaires du samedi ?', messageId };
    expect((await client.sendMail(mail)).response).toMatch(/^250 /);
    expect((await client.sendMail(mail)).response).toMatch(/^250 .*déjà reçu/);
    await processPending();
    const receipt = await receiptOf(messageId);
    expect(receipt?.status).toBe('created');
    await reprocessEmail(deps, receipt!.id);
    expect(await casesFrom('paul@example.org')).toHaveLength(1);
    const rows = await db.kysely.selectFrom('channel_inbound').select('id').where('external_id', '=', messageId).execute();
    expect(rows).toHaveLength(1);
  });

  it('caps automatic acknowledgments at three per sender in ten minutes', async () => {
    for (let i = 1; i <= 4; i++) {
      await client.sendMail({ from: 'pressant@example.org', to: 'mairie@ville-test.fr', subject: `Relance ${i}`, text: `Ceci est la relance numéro ${i}.`, messageId: mid() });
      await processPending();
    }
    const cases = await casesFrom('pressant@example.org');
    expect(cases).toHaveLength(4);
    const acknowledged = await Promise.all(cases.map(async (c) => (await journalOf(c.id)).some((e) => e.type === 'acknowledgment.sent')));
    expect(acknowledged).toEqual([true, true, true, false]);
  });
});

describe('threading', () => {
  async function acknowledgedCase(from: string) {
    const messageId = mid();
    await client.sendMail({ from, to: 'mairie@ville-test.fr', subject: 'Demande de composteur', text: 'Je voudrais un composteur pour mon jardin.', messageId });
    await processPending();
    const caseId = (await receiptOf(messageId))!.caseId!;
    const before = sink.received.length;
    await sendQueued();
    const ack = sink.received.slice(before).find((m) => m.to && JSON.stringify(m.to).includes(from));
    expect(ack).toBeDefined();
    return { caseId, ack: ack!, view: (await caseRepository.findById(db.kysely, caseId))! };
  }

  it('threads a reply to an acknowledgment by its signed Reply-To, ending the wait for the citizen', async () => {
    const { caseId, ack, view } = await acknowledgedCase('lea@example.org');
    expect(ack.headers.get('x-guichet-loop')).toBe('1');
    const replyTo = ack.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(/^mairie\+r-\d+-[0-9a-f]{20}@ville-test\.fr$/);
    await runTransition({ db, timezone: 'Europe/Paris', publicUrl: config.publicUrl }, { organisationId, actor: { type: 'system', id: null }, roles: 'system' }, { reference: view.reference, name: 'attendre' });
    // Sent as a fresh mail (no In-Reply-To): only the token can thread it.
    const messageId = mid();
    await client.sendMail({
      from: 'lea@example.org', to: replyTo, subject: 'Re: composteur', messageId,
      text: 'Voici mon adresse : 3 rue des Roses.\n\nLe lun. 2 mars 2026, Mairie a écrit :\n> Votre demande a bien été reçue.',
      attachments: [{ filename: 'justificatif.pdf', content: PDF, contentType: 'application/pdf' }],
    });
    await processPending();
    const receipt = await receiptOf(messageId);
    expect(receipt).toMatchObject({ status: 'threaded', caseId });
    const reply = await db.kysely.selectFrom('messages').selectAll().where('id', '=', receipt!.messageId!).executeTakeFirstOrThrow();
    expect(reply.body_text).toContain('3 rue des Roses');
    expect(reply.body_text).not.toContain('Votre demande a bien été reçue');
    expect((receipt!.payload as { fullText: string }).fullText).toContain('Votre demande a bien été reçue');
    const files = await db.kysely.selectFrom('attachments').select(['filename', 'case_id']).where('message_id', '=', reply.id).execute();
    expect(files).toEqual([{ filename: 'justificatif.pdf', case_id: caseId }]);
    expect((await caseRepository.findById(db.kysely, caseId))!.status).toBe('encours');
    expect(await casesFrom('lea@example.org')).toHaveLength(1);
  });

  it('refuses a forged token and threads by In-Reply-To instead', async () => {
    const { caseId, ack } = await acknowledgedCase('marc@example.org');
    const forged = (ack.replyTo?.value[0]?.address ?? '').replace(/-([0-9a-f]{20})@/, '-00000000000000000000@');
    const messageId = mid();
    await client.sendMail({ from: 'marc@example.org', to: forged, subject: 'Re: composteur', text: 'Merci, je passerai le chercher.', messageId, inReplyTo: ack.messageId!, references: [ack.messageId!] });
    await processPending();
    expect(await receiptOf(messageId)).toMatchObject({ status: 'threaded', caseId });
  });

  it('threads by the subject reference only for that case’s citizen, never for a stranger', async () => {
    const { caseId, view } = await acknowledgedCase('nina@example.org');
    const stranger = mid();
    await client.sendMail({ from: 'inconnu@example.org', to: 'mairie@ville-test.fr', subject: `Dossier ${view.reference}`, text: 'Je m’intéresse à ce dossier.', messageId: stranger });
    const owner = mid();
    await client.sendMail({ from: 'nina@example.org', to: 'mairie@ville-test.fr', subject: `Dossier ${view.reference}`, text: 'Une précision sur ma demande.', messageId: owner });
    await processPending();
    const strangers = await receiptOf(stranger);
    expect(strangers?.status).toBe('created');
    expect(strangers?.caseId).not.toBe(caseId);
    expect(await receiptOf(owner)).toMatchObject({ status: 'threaded', caseId });
  });
});

describe('machines are not citizens', () => {
  it('ignores an out-of-office reply and creates no case', async () => {
    const messageId = mid();
    await client.sendMail({
      from: 'absent@example.org', to: 'mairie@ville-test.fr', subject: 'Absence du bureau', text: 'Je suis absent jusqu’au 15 mars.', messageId,
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
    });
    await processPending();
    expect(await receiptOf(messageId)).toMatchObject({ status: 'ignored', reason: 'auto_reply', caseId: null });
    expect(await casesFrom('absent@example.org')).toHaveLength(0);
  });

  it('ignores a bounce and marks the address as failing on the case it reports', async () => {
    const first = mid();
    await client.sendMail({ from: 'perdu@example.org', to: 'mairie@ville-test.fr', subject: 'Ramassage des encombrants', text: 'Quand passe le ramassage des encombrants ?', messageId: first });
    await processPending();
    const caseId = (await receiptOf(first))!.caseId!;
    await sendQueued();
    const sent = await db.kysely.selectFrom('messages').select(['id', 'message_id']).where('case_id', '=', caseId).where('direction', '=', 'out').executeTakeFirstOrThrow();
    const bounceId = mid('mx.example.org');
    const raw = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
      'To: mairie@ville-test.fr',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: ${bounceId}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"',
      '',
      '--B0UND',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Your message could not be delivered.',
      '--B0UND',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; perdu@example.org',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <perdu@example.org>: Recipient address rejected',
      '--B0UND',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${sent.message_id}`,
      'Subject: Accusé de réception',
      '--B0UND--',
      '',
    ].join('\r\n');
    await client.sendMail({ envelope: { from: '', to: ['mairie@ville-test.fr'] }, raw });
    await processPending();
    expect(await receiptOf(bounceId)).toMatchObject({ status: 'ignored', reason: 'bounce', caseId });
    const failed = (await journalOf(caseId)).find((e) => e.type === 'contact.failed');
    expect(failed?.payload).toMatchObject({ channel: 'email', address: 'perdu@example.org', diagnostic: expect.stringContaining('550 5.1.1') });
    expect(await casesFrom('perdu@example.org')).toHaveLength(1);
    expect(await db.kysely.selectFrom('cases').select('id').where('contact_email', 'like', '%mx.example.org').execute()).toHaveLength(0);
  });

  it('ignores our own mail coming back (a loop)', async () => {
    const messageId = `<guichet.9999.2026-000999.${++seq}@guichet.ville-test.fr>`;
    await client.sendMail({ from: 'mairie@ville-test.fr', to: 'mairie@ville-test.fr', subject: 'Accusé de réception', text: 'Votre demande a bien été reçue.', messageId });
    // Our header, kept by a forward that copies headers, is a loop too.
    const forwarded = mid();
    await client.sendMail({ from: 'relais@example.org', to: 'mairie@ville-test.fr', subject: 'Fwd: accusé', text: 'Transféré automatiquement.', messageId: forwarded, headers: { 'X-Guichet-Loop': '1' } });
    await processPending();
    expect(await receiptOf(messageId)).toMatchObject({ status: 'ignored', reason: 'loop' });
    expect(await receiptOf(forwarded)).toMatchObject({ status: 'ignored', reason: 'loop' });
  });
});

describe('sender authenticity', () => {
  /** A record holding `email`, verified (or not), as the portal or FranceConnect would leave it. */
  async function recordWith(email: string, firstNames: string, lastName: string, verified: boolean): Promise<number> {
    const { receipt } = await submitCase({ db, timezone: 'Europe/Paris', publicUrl: config.publicUrl }, {
      organisationId, procedureSlug: 'contact', channel: 'web', actor: { type: 'citizen', id: null },
      citizen: { firstNames, lastName, email },
      data: { sujet: 'information', objet: 'Question', message: 'Une question sur les horaires.', reponse: 'courriel' },
      hiddenFields: 'drop', acknowledgment: 'none',
    });
    if (verified) await db.kysely.updateTable('citizen_emails').set({ verified_at: new Date().toISOString(), verified_how: 'portal_account' }).where('citizen_id', '=', receipt.citizen!.id).execute();
    return receipt.citizen!.id;
  }

  it('does not treat a DMARC « none » mail as verified: it lands on a record of its own, flagged, unacknowledged (issue 13)', async () => {
    const nina = await recordWith('nina@nodmarc.test', 'Nina', 'Sansdmarc', true);
    const messageId = mid('nodmarc.test');
    await client.sendMail({ from: '"Nina Sansdmarc" <nina@nodmarc.test>', to: 'mairie@ville-test.fr', subject: 'Mon dossier', text: 'Envoyez-moi tout ce que vous savez de moi.', messageId });
    await processPending();
    const settled = await receiptOf(messageId);
    expect(settled?.status).toBe('created');
    expect((settled!.payload as { authenticity: Record<string, unknown> }).authenticity).toMatchObject({ spf: 'pass', dmarc: 'none', authentic: false, failing: true });
    const view = await caseRepository.findById(db.kysely, settled!.caseId!);
    expect(view!.citizenId).not.toBe(nina);
    const record = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', view!.citizenId!).executeTakeFirstOrThrow();
    expect(record.possible_duplicate_of).toBe(nina);
    expect(await db.kysely.selectFrom('citizen_emails').select(['source', 'verified_at']).where('citizen_id', '=', record.id).execute()).toEqual([{ source: 'email_channel', verified_at: null }]);
    expect((await journalOf(view!.id)).some((e) => e.type === 'acknowledgment.sent')).toBe(false);
  });

  it('binds an aligned DMARC pass to the record holding the address as verified, and only to such a record', async () => {
    const owner = await recordWith('odette@example.org', 'Odette', 'Alignee', true);
    const messageId = mid();
    await client.sendMail({ from: '"Odette Alignee" <odette@example.org>', to: 'mairie@ville-test.fr', subject: 'Question', text: 'Bonjour, une question.', messageId });
    await processPending();
    const settled = await receiptOf(messageId);
    expect((settled!.payload as { authenticity: Record<string, unknown> }).authenticity).toMatchObject({ dmarc: 'pass', authentic: true });
    expect((await caseRepository.findById(db.kysely, settled!.caseId!))!.citizenId).toBe(owner);

    // The same authenticated sender, its address only declared on a record: a new record, verified, flagged.
    const declared = await recordWith('paulin@example.org', 'Paulin', 'Declare', false);
    const second = mid();
    await client.sendMail({ from: '"Paulin Declare" <paulin@example.org>', to: 'mairie@ville-test.fr', subject: 'Question', text: 'Bonjour, une autre question.', messageId: second });
    await processPending();
    const view = (await caseRepository.findById(db.kysely, (await receiptOf(second))!.caseId!))!;
    expect(view.citizenId).not.toBe(declared);
    expect((await db.kysely.selectFrom('citizens').select('possible_duplicate_of').where('id', '=', view.citizenId!).executeTakeFirstOrThrow()).possible_duplicate_of).toBe(declared);
    expect(await db.kysely.selectFrom('citizen_emails').select(['source', 'verified_how']).where('citizen_id', '=', view.citizenId!).execute()).toEqual([{ source: 'email_channel', verified_how: 'dmarc' }]);
  });

  it('never matches a DMARC-failing sender to the existing citizen of that address', async () => {
    const { receipt } = await submitCase({ db, timezone: 'Europe/Paris', publicUrl: config.publicUrl }, {
      organisationId, procedureSlug: 'contact', channel: 'web', actor: { type: 'citizen', id: null },
      citizen: { firstNames: 'Victor', lastName: 'Durand', email: 'victor@bank.test' },
      data: { sujet: 'information', objet: 'Question', message: 'Une question sur les horaires.', reponse: 'courriel' },
      hiddenFields: 'drop', acknowledgment: 'none',
    });
    const victor = receipt.citizen!.id;
    const messageId = mid('bank.test');
    await client.sendMail({ from: '"Victor Durand" <victor@bank.test>', to: 'mairie@ville-test.fr', subject: 'Changement de RIB', text: 'Merci de verser mes aides sur ce nouveau compte.', messageId });
    await processPending();
    const settled = await receiptOf(messageId);
    expect(settled?.status).toBe('created');
    expect((settled!.payload as { authenticity: { spf: string; dmarc: string; failing: boolean } }).authenticity).toMatchObject({ spf: 'fail', dmarc: 'fail', failing: true });
    const view = await caseRepository.findById(db.kysely, settled!.caseId!);
    expect(view!.citizenId).not.toBe(victor);
    const record = await db.kysely.selectFrom('citizens').selectAll().where('id', '=', view!.citizenId!).executeTakeFirstOrThrow();
    expect(record.possible_duplicate_of).toBe(victor);
    // No acknowledgment to an address that did not write.
    expect((await journalOf(view!.id)).some((e) => e.type === 'acknowledgment.sent')).toBe(false);
  });
});

describe('the SMTP receiver', () => {
  it('refuses a recipient outside our domains (550)', async () => {
    await expect(client.sendMail({ from: 'claire@example.org', to: 'quelquun@ailleurs.fr', subject: 'x', text: 'relais ?' })).rejects.toMatchObject({ responseCode: 550 });
  });

  it('refuses a 30 MB message (552) and records it in quarantine without its body', async () => {
    const big = Buffer.alloc(30 * 1024 * 1024, 'a');
    await expect(
      client.sendMail({ from: 'lourd@example.org', to: 'mairie@ville-test.fr', subject: 'Gros fichier', text: 'Voir la pièce jointe.', attachments: [{ filename: 'gros.pdf', content: big }] }),
    ).rejects.toMatchObject({ responseCode: 552 });
    const quarantined = await inboundRepository.listByStatus(db.kysely, organisationId, 'quarantined', 10, 'email');
    const row = quarantined.find((q) => q.sender === 'lourd@example.org');
    expect(row).toMatchObject({ reason: 'too_large', rawKey: null });
    expect(row!.rawSize).toBeGreaterThan(config.INBOUND_EMAIL_MAX_BYTES);
    expect(await casesFrom('lourd@example.org')).toHaveLength(0);
  });

  it('refuses a message whose declared SIZE is over the limit (552 at MAIL FROM), and records the attempt', async () => {
    await expect(
      client.sendMail({ envelope: { from: 'annonce@example.org', to: ['mairie@ville-test.fr'], size: 31_457_280 } as never, subject: 'Très gros', text: 'petit corps, grande annonce' }),
    ).rejects.toMatchObject({ responseCode: 552 });
    const quarantined = await inboundRepository.listByStatus(db.kysely, organisationId, 'quarantined', 10, 'email');
    expect(quarantined.find((q) => q.sender === 'annonce@example.org')).toMatchObject({ reason: 'too_large', rawKey: null, rawSize: 31_457_280 });
  });

  it('answers 451 when the message cannot be stored, so the sender retries', async () => {
    const broken = configWith();
    // The raw store's folder is a file: nothing can be written under it (even as root).
    fs.writeFileSync(path.join(broken.DATA_DIR, 'inbound-mail'), 'pas un dossier');
    const other = await startSmtpReceiver({ db, config: broken, log }, { port: 0, host: '127.0.0.1' });
    const brokenClient = nodemailer.createTransport({ host: '127.0.0.1', port: other.port, secure: false, ignoreTLS: true });
    try {
      const messageId = mid();
      await expect(brokenClient.sendMail({ from: 'claire@example.org', to: 'mairie@ville-test.fr', subject: 'x', text: 'Un message qui ne peut pas être gardé.', messageId })).rejects.toMatchObject({ responseCode: 451 });
      expect(await receiptOf(messageId)).toBeUndefined();
    } finally {
      brokenClient.close();
      await other.close();
    }
  });

  it('offers STARTTLS when a key and a certificate are configured', async () => {
    const dir = dataDir();
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=guichet.ville-test.fr'], { stdio: 'ignore' });
    const tlsConfig = configWith({ DATA_DIR: config.DATA_DIR, INBOUND_SMTP_TLS_KEY: key, INBOUND_SMTP_TLS_CERT: cert });
    const secure = await startSmtpReceiver({ db, config: tlsConfig, log }, { port: 0, host: '127.0.0.1' });
    // requireTLS: the client refuses to send unless STARTTLS succeeds.
    const tlsClient = nodemailer.createTransport({ host: '127.0.0.1', port: secure.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    try {
      const messageId = mid();
      const info = await tlsClient.sendMail({ from: 'claire@example.org', to: 'mairie@ville-test.fr', subject: 'Par TLS', text: 'Message envoyé sur une connexion chiffrée.', messageId });
      expect(info.response).toMatch(/^250 /);
      expect((await receiptOf(messageId))?.status).toBe('pending');
      await processPending();
    } finally {
      tlsClient.close();
      await secure.close();
    }
    // Without TLS configured, STARTTLS is not offered and such a client cannot send.
    await expect(
      nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, requireTLS: true }).sendMail({ from: 'claire@example.org', to: 'mairie@ville-test.fr', subject: 'x', text: 'y' }),
    ).rejects.toThrow();
  });

  it('reports its configuration for the health page', async () => {
    const settings = await emailStatus({ db: db.kysely, config: configWith({ INBOUND_SMTP_PORT: '2525' }), organisationId });
    expect(settings[0]).toMatchObject({ label: 'Réception SMTP', state: 'active' });
    expect(settings[1]).toMatchObject({ state: 'active' });
  });
});

describe('quarantine and reprocessing', () => {
  it('quarantines what cannot be processed, with its reason, and reprocesses it from the raw message', async () => {
    const misconfigured = { db, config: configWith({ DATA_DIR: config.DATA_DIR, CHANNELS_TRIAGE_PROCEDURE: 'inexistante' }), log, resolver };
    // Received while the triage procedure is misconfigured (IMAP-like source: no SMTP client address).
    const raw = Buffer.from(
      ['From: Hugo Petit <hugo@example.org>', 'To: mairie@ville-test.fr', 'Subject: Salle des fêtes', `Message-ID: ${mid()}`, 'Content-Type: text/plain; charset=utf-8', '', 'Puis-je réserver la salle des fêtes en juin ?', ''].join('\r\n'),
    );
    const { inboundId } = await receiveEmail(misconfigured, raw, { kind: 'imap', mailbox: 'INBOX' });
    expect(await processEmail(misconfigured, inboundId)).toMatchObject({ status: 'quarantined', reason: 'invalid' });
    const quarantined = await inboundRepository.findById(db.kysely, inboundId);
    expect(quarantined).toMatchObject({ status: 'quarantined', reason: 'invalid' });
    expect(quarantined!.error).toContain('inexistante');
    // The job does nothing more with it; reprocessing with the fixed configuration creates the case.
    expect(await processEmail(deps, inboundId)).toEqual({ status: 'skipped' });
    expect(await reprocessEmail(deps, inboundId)).toMatchObject({ status: 'created' });
    expect(await reprocessEmail(deps, inboundId)).toEqual({ status: 'skipped' });
    expect(await casesFrom('hugo@example.org')).toHaveLength(1);
  });

  it('quarantines an oversized message received by IMAP with reason too_large, keeping it raw', async () => {
    const small = { db, config: configWith({ INBOUND_EMAIL_MAX_BYTES: '2048' }), log };
    const raw = Buffer.from(['From: a@example.org', 'To: mairie@ville-test.fr', 'Subject: long', `Message-ID: ${mid()}`, '', 'x'.repeat(4000), ''].join('\r\n'));
    const { inboundId } = await receiveEmail(small, raw, { kind: 'imap', mailbox: 'INBOX' });
    expect(await inboundRepository.findById(db.kysely, inboundId)).toMatchObject({ status: 'quarantined', reason: 'too_large', rawSize: raw.length });
  });
});
