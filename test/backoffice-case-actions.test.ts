/**
 * Actions on a case from the back-office: take, assign, transfer with a reason, workflow
 * transitions with inputs, internal notes with mentions, documents, merge of a duplicate. Each
 * one checks CSRF, access (another department's case is "not found") and the version the agent
 * saw; a refusal writes nothing and says why on the page.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRepository } from '../src/cases/repository.js';
import { firstBrokenLink } from '../src/cases/journal.js';
import type { Db } from '../src/db/database.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { publishWorkflow } from '../src/workflow/service.js';
import { handleOf, resolveMentions } from '../src/backoffice/cases/actions/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeCommune, makeDepartment, makeOrganisation, makeProcedure } from './factories.js';
import { signedInCitizen, type TestCitizen } from './portal-session.js';

const workflow: WorkflowDefinition = {
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'en_cours', label: 'En cours', citizenLabel: 'En cours de traitement', category: 'in_progress' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Demande traitée', category: 'closed_accepted' },
    { id: 'sans_suite', label: 'Classé sans suite', citizenLabel: 'Classée sans suite', category: 'closed_without_action' },
    { id: 'doublon', label: 'Doublon', citizenLabel: 'Demande déjà enregistrée', category: 'closed_without_action' },
  ],
  transitions: [
    { name: 'qualifier', label: 'Qualifier', from: ['recu'], to: 'en_cours', roles: ['agent'] },
    {
      name: 'intervention',
      label: 'Planifier l’intervention',
      from: ['en_cours'],
      to: 'en_cours',
      roles: ['agent'],
      inputs: [
        { name: 'equipe', label: 'Équipe', type: 'textarea', required: true },
        { name: 'jour', label: 'Jour prévu', type: 'date' },
      ],
    },
    { name: 'clore', label: 'Clore', from: ['en_cours'], to: 'clos', roles: ['agent'] },
    { name: 'decider', label: 'Joindre la décision', from: ['en_cours'], to: 'en_cours', roles: ['agent'], inputs: [{ name: 'decision', label: 'Décision signée', type: 'document', required: true }] },
    { name: 'classer', label: 'Classer sans suite', from: ['*'], to: 'sans_suite', roles: ['agent'] },
    { name: 'doublon', label: 'Marquer comme doublon', from: ['*'], to: 'doublon', roles: ['manager'] },
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

async function newCase(description = 'Lampadaire éteint', citizenId: number | null = null, organisationId = commune.organisationId) {
  const { receipt } = await submitCase(deps(), {
    organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'web',
    actor: citizenId ? { type: 'citizen', id: String(citizenId) } : { type: 'system', id: null },
    citizen: null,
    ...(citizenId !== null ? { citizenId } : {}),
    data: { categorie: 'eclairage', description },
    hiddenFields: 'drop',
  });
  return receipt.reference;
}

const load = async (reference: string, organisationId = commune.organisationId) => (await caseRepository.findByReference(db.kysely, organisationId, reference))!;
const journalTypes = async (reference: string) => (await caseRepository.listJournal(db.kysely, (await load(reference)).id)).map((e) => e.type);

/** Posts an action's form as the page sends it (urlencoded), with the agent's CSRF value unless told otherwise. */
function post(who: TestAgent, reference: string, action: string, fields: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
  const form = new URLSearchParams();
  if (options.csrf !== false) form.append('_csrf', who.csrf);
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  return app.inject({
    method: 'POST',
    url: `/backoffice/dossiers/${reference}/${action}`,
    headers: { ...HTML, cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form.toString(),
  });
}

/** A multipart form: fields first (as the page orders them), then the file. */
function postMultipart(who: TestAgent, reference: string, action: string, fields: Record<string, string>, file?: { name: string; filename: string; type: string; bytes: Buffer }) {
  const boundary = `----guichet${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries({ _csrf: who.csrf, ...fields })) chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\ncontent-type: ${file.type}\r\n\r\n`), file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return app.inject({
    method: 'POST',
    url: `/backoffice/dossiers/${reference}/${action}`,
    headers: { ...HTML, cookie: who.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(chunks),
  });
}

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', workflow, 'test');
  app = await testApp(db);
  const sign = app.signCookie.bind(app);
  alice = await signedInAgent(db, commune.organisationId, sign, { name: 'Alice Durand', email: 'alice@ville.test', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  bob = await signedInAgent(db, commune.organisationId, sign, { name: 'Bob Martin', email: 'bob@ville.test', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  carol = await signedInAgent(db, commune.organisationId, sign, { name: 'Carole Léger', email: 'carole@ville.test', roles: [{ departmentId: commune.departments.reception, role: 'agent' }] });
  claire = await signedInCitizen(db, commune.organisationId, { firstNames: 'Claire', lastName: 'Martin' });
}, 60_000);

afterAll(async () => {
  await app.close();
  await db.close();
});

describe('taking and assigning a case', () => {
  it('takes a case: assigned to me, journalled, back to the case page with a notice', async () => {
    const reference = await newCase();
    const before = await load(reference);
    const response = await post(alice, reference, 'prendre', { version: String(before.version) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/backoffice/dossiers/${reference}?action=prise#actions`);
    const after = await load(reference);
    expect(after.assignedAgentId).toBe(alice.agentId);
    expect(after.version).toBe(before.version + 1);
    expect(await journalTypes(reference)).toContain('case.assigned');
    expect(firstBrokenLink(after.reference, await caseRepository.listJournal(db.kysely, after.id))).toBeNull();
  });

  it('refuses a post without the CSRF value (403) and another department’s case (404), writing nothing', async () => {
    const reference = await newCase();
    const { version } = await load(reference);
    expect((await post(alice, reference, 'prendre', { version: String(version) }, { csrf: false })).statusCode).toBe(403);
    const foreign = await post(carol, reference, 'prendre', { version: String(version) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('Lampadaire');
    expect((await load(reference)).version).toBe(version);
    expect((await load(reference)).assignedAgentId).toBeNull();
  });

  it('sends an agent without a session to the sign-in page, for actions and « Mes mentions »', async () => {
    const reference = await newCase();
    const response = await app.inject({ method: 'POST', url: `/backoffice/dossiers/${reference}/prendre`, headers: HTML, payload: {} });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/backoffice\/connexion/);
    const mentions = await app.inject({ method: 'GET', url: '/backoffice/mentions', headers: HTML });
    expect(mentions.statusCode).toBe(303);
    expect(mentions.headers.location).toMatch(/^\/backoffice\/connexion/);
  });

  it('accepts the CSRF value in the header htmx sends', async () => {
    const reference = await newCase();
    const { version } = await load(reference);
    const response = await app.inject({
      method: 'POST',
      url: `/backoffice/dossiers/${reference}/prendre`,
      headers: { ...HTML, cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `version=${version}`,
    });
    expect(response.statusCode).toBe(303);
    expect((await load(reference)).assignedAgentId).toBe(alice.agentId);
  });

  it('assigns to an agent of the department, refuses anyone else with an error summary, unassigns', async () => {
    const reference = await newCase();
    let { version } = await load(reference);
    expect((await post(alice, reference, 'attribuer', { version: String(version), agent: String(bob.agentId) })).statusCode).toBe(303);
    ({ version } = await load(reference));
    expect((await load(reference)).assignedAgentId).toBe(bob.agentId);

    const refused = await post(alice, reference, 'attribuer', { version: String(version), agent: String(carol.agentId) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('class="error-summary"');
    expect(refused.body).toContain('href="#ca-assign-agent"');
    expect(refused.body).toContain('aria-invalid="true"');
    expect((await load(reference)).assignedAgentId).toBe(bob.agentId);

    expect((await post(alice, reference, 'attribuer', { version: String(version), agent: '' })).statusCode).toBe(303);
    expect((await load(reference)).assignedAgentId).toBeNull();
  });

  it('answers a stale form with 409, who changed the case and what, and writes nothing', async () => {
    const reference = await newCase();
    const { version } = await load(reference);
    expect((await post(bob, reference, 'prendre', { version: String(version) })).statusCode).toBe(303);
    const stale = await post(alice, reference, 'prendre', { version: String(version) });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('role="alert"');
    expect(stale.body).toMatch(/Ce dossier a été modifié par Bob Martin à \d\d h \d\d pendant que vous le consultiez : dossier attribué à Bob Martin\./);
    expect(stale.body).toContain('Vos modifications n’ont pas été enregistrées ; vérifiez puis recommencez.');
    expect((await load(reference)).assignedAgentId).toBe(bob.agentId);
  });
});

describe('transferring a case', () => {
  it('asks for a reason and a department (422), then transfers: the agent loses the case and goes back to the inbox', async () => {
    const reference = await newCase();
    const { version } = await load(reference);
    const missing = await post(alice, reference, 'transferer', { version: String(version), department: '', reason: ' ' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('href="#ca-transfer-department"');
    expect(missing.body).toContain('href="#ca-transfer-reason"');

    const same = await post(alice, reference, 'transferer', { version: String(version), department: String(commune.departments.roads), reason: 'x' });
    expect(same.statusCode).toBe(422);
    expect(same.body).toContain('déjà au service');

    const done = await post(alice, reference, 'transferer', { version: String(version), department: String(commune.departments.reception), reason: 'Demande d’information générale' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/backoffice/dossiers?transfert=${reference}&service=Accueil`);
    const after = await load(reference);
    expect(after.department.id).toBe(commune.departments.reception);
    const journal = await caseRepository.listJournal(db.kysely, after.id);
    expect(journal.at(-1)).toMatchObject({ type: 'case.transferred', payload: { reason: 'Demande d’information générale', by: 'manual' } });
    // The transferring agent lost it; the receiving department has it.
    expect((await post(alice, reference, 'prendre', { version: String(after.version) })).statusCode).toBe(404);
    expect((await post(carol, reference, 'prendre', { version: String(after.version) })).statusCode).toBe(303);
  });

  it('keeps a transferred case on the page of an agent who is still assigned elsewhere… and drops the assignment', async () => {
    const reference = await newCase();
    let { version } = await load(reference);
    await post(alice, reference, 'prendre', { version: String(version) });
    ({ version } = await load(reference));
    const done = await post(alice, reference, 'transferer', { version: String(version), department: String(commune.departments.cleaning), reason: 'Dépôt sauvage' });
    expect(done.statusCode).toBe(303);
    expect((await load(reference)).assignedAgentId).toBeNull();
  });
});

describe('workflow transitions', () => {
  it('runs a transition, shows missing inputs in a summary (422), refuses one no longer possible', async () => {
    const reference = await newCase();
    let { version } = await load(reference);
    expect((await post(alice, reference, 'transition', { version: String(version), transition: 'qualifier' })).statusCode).toBe(303);
    ({ version } = await load(reference));
    expect((await load(reference)).status).toBe('en_cours');

    const missing = await post(alice, reference, 'transition', { version: String(version), transition: 'intervention', 'inputs.equipe': '', 'inputs.jour': '' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('href="#ca-tr-intervention-equipe"');
    expect((await load(reference)).version).toBe(version);

    const done = await post(alice, reference, 'transition', { version: String(version), transition: 'intervention', 'inputs.equipe': 'Équipe nord', 'inputs.jour': '2026-12-01' });
    expect(done.statusCode).toBe(303);
    const journal = await caseRepository.listJournal(db.kysely, (await load(reference)).id);
    expect(journal.at(-1)).toMatchObject({ type: 'status.changed', payload: { transition: 'intervention', inputs: { equipe: 'Équipe nord', jour: '2026-12-01' } } });

    ({ version } = await load(reference));
    const gone = await post(alice, reference, 'transition', { version: String(version), transition: 'qualifier' });
    expect(gone.statusCode).toBe(409);
    expect(gone.body).toContain('n’est pas possible depuis le statut');
  });
});

describe('a transition with a document input', () => {
  it('stores the file and cites it; a refused transition leaves no file behind', async () => {
    const reference = await newCase();
    await post(alice, reference, 'transition', { version: String((await load(reference)).version), transition: 'qualifier' });
    const { version, id } = await load(reference);
    const count = async () => Number((await db.kysely.selectFrom('attachments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const pdf = await textToPdf('Décision', 'Accordé', { author: 'test' });
    const file = { name: 'inputs.decision', filename: 'decision.pdf', type: 'application/pdf', bytes: pdf };
    const missing = await postMultipart(alice, reference, 'transition', { version: String(version), transition: 'decider' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('href="#ca-tr-decider-decision"');
    expect(missing.body).toContain('Décision signée :');
    const stale = await postMultipart(alice, reference, 'transition', { version: String(version - 1), transition: 'decider' }, file);
    expect(stale.statusCode).toBe(409);
    expect(await count()).toBe(before);
    const done = await postMultipart(alice, reference, 'transition', { version: String(version), transition: 'decider' }, file);
    expect(done.statusCode).toBe(303);
    const files = await db.kysely.selectFrom('attachments').selectAll().where('case_id', '=', id).execute();
    expect(files.map((f) => f.filename)).toEqual(['decision.pdf']);
    const journal = await caseRepository.listJournal(db.kysely, id);
    expect(journal.at(-1)).toMatchObject({ type: 'status.changed', payload: { transition: 'decider', inputs: { decision: [files[0]!.id] } } });
  });
});

describe('internal notes and mentions', () => {
  it('derives handles from names', () => {
    expect(handleOf('Élise Martin-Dupré')).toBe('elise.martin.dupre');
    const agents = [{ id: 1, name: 'Bob Martin', email: 'bob@ville.test' }];
    expect(resolveMentions('Voir avec @bob.martin, écrire à x@bob.martin.fr', [], agents)).toEqual({ ids: [1], errors: [] });
    expect(resolveMentions('@inconnu', [], agents).errors[0]?.code).toBe('unknown_mention');
  });

  it('adds a note with mentions (text and list), lists them in « Mes mentions », reads them when opened', async () => {
    const reference = await newCase('Trottoir défoncé', claire.citizenId);
    const { version, id } = await load(reference);
    const response = await post(alice, reference, 'notes', { version: String(version), text: 'À voir avec @bob.martin demain', mentions: [String(carol.agentId)] });
    expect(response.statusCode).toBe(303);
    const journal = await caseRepository.listJournal(db.kysely, id);
    const note = journal.at(-1)!;
    expect(note).toMatchObject({ type: 'note_added', payload: { text: 'À voir avec @bob.martin demain' } });
    expect([...(note.payload['mentions'] as number[])].sort()).toEqual([bob.agentId, carol.agentId].sort());
    const rows = await db.kysely.selectFrom('agent_mentions').selectAll().where('case_id', '=', id).execute();
    expect(rows.map((r) => r.agent_id).sort()).toEqual([bob.agentId, carol.agentId].sort());
    expect(rows.every((r) => r.journal_seq === note.seq && r.author_agent_id === alice.agentId)).toBe(true);

    const page = await app.inject({ method: 'GET', url: '/backoffice/mentions', headers: { ...HTML, cookie: bob.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(reference);
    expect(page.body).toContain('À voir avec @bob.martin demain');
    expect(page.body).toContain('Alice Durand');
    // Carole (another department) is told she was mentioned, not what the case holds.
    const carolPage = await app.inject({ method: 'GET', url: '/backoffice/mentions', headers: { ...HTML, cookie: carol.cookie } });
    expect(carolPage.body).toContain(reference);
    expect(carolPage.body).not.toContain('Trottoir');

    const bobMention = rows.find((r) => r.agent_id === bob.agentId)!;
    expect((await app.inject({ method: 'GET', url: `/backoffice/mentions/${bobMention.id}`, headers: { ...HTML, cookie: alice.cookie } })).statusCode).toBe(404);
    const open = await app.inject({ method: 'GET', url: `/backoffice/mentions/${bobMention.id}`, headers: { ...HTML, cookie: bob.cookie } });
    expect(open.statusCode).toBe(303);
    expect(open.headers.location).toBe(`/backoffice/dossiers/${reference}`);
    const unread = await app.inject({ method: 'GET', url: '/backoffice/mentions', headers: { ...HTML, cookie: bob.cookie } });
    expect(unread.body).toContain('Aucune mention non lue.');

    // The citizen never sees an internal note.
    const portal = await app.inject({ method: 'GET', url: `/demandes/${reference}`, headers: { ...HTML, cookie: claire.cookie } });
    expect(portal.statusCode).toBe(200);
    expect(portal.body).not.toContain('À voir avec');
  });

  it('refuses an empty note or an unknown @handle (422), keeping the text typed', async () => {
    const reference = await newCase();
    const { version } = await load(reference);
    const empty = await post(alice, reference, 'notes', { version: String(version), text: '  ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#ca-note-text"');
    const unknown = await post(alice, reference, 'notes', { version: String(version), text: 'Prévenir @personne.inconnue' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('@personne.inconnue ne correspond à aucun agent');
    expect(unknown.body).toMatch(/<textarea[^>]*id="ca-note-text"[^>]*>Prévenir @personne.inconnue<\/textarea>/);
    expect(await journalTypes(reference)).not.toContain('note_added');
  });

  it('keeps the note typed on a stale page and says who changed the case', async () => {
    const reference = await newCase();
    const { version } = await load(reference);
    await post(bob, reference, 'transition', { version: String(version), transition: 'qualifier' });
    const stale = await post(alice, reference, 'notes', { version: String(version), text: 'Ma note importante' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('modifié par Bob Martin');
    expect(stale.body).toContain('statut passé à « En cours »');
    expect(stale.body).toMatch(/<textarea[^>]*id="ca-note-text"[^>]*>Ma note importante<\/textarea>/);
    expect(await journalTypes(reference)).not.toContain('note_added');
  });
});

describe('documents', () => {
  it('attaches a PDF to the case with its journal entry; refuses other types and stale pages without leaving a file behind', async () => {
    const reference = await newCase();
    let { version, id } = await load(reference);
    const pdf = await textToPdf('Courrier', 'Courrier scanné', { author: 'test' });
    const done = await postMultipart(alice, reference, 'pieces', { version: String(version) }, { name: 'document', filename: 'courrier.pdf', type: 'application/pdf', bytes: pdf });
    expect(done.statusCode).toBe(303);
    const files = await db.kysely.selectFrom('attachments').selectAll().where('case_id', '=', id).execute();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: 'courrier.pdf', mime_type: 'application/pdf' });
    const journal = await caseRepository.listJournal(db.kysely, id);
    expect(journal.at(-1)).toMatchObject({ type: 'attachment_added', payload: { attachmentId: files[0]!.id, filename: 'courrier.pdf' } });

    ({ version } = await load(reference));
    const count = async () => Number((await db.kysely.selectFrom('attachments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const text = await postMultipart(alice, reference, 'pieces', { version: String(version) }, { name: 'document', filename: 'note.txt', type: 'text/plain', bytes: Buffer.from('bonjour') });
    expect(text.statusCode).toBe(422);
    expect(text.body).toContain('href="#ca-attach-document"');
    const none = await postMultipart(alice, reference, 'pieces', { version: String(version) });
    expect(none.statusCode).toBe(422);
    const stale = await postMultipart(alice, reference, 'pieces', { version: String(version - 1) }, { name: 'document', filename: 'b.pdf', type: 'application/pdf', bytes: pdf });
    expect(stale.statusCode).toBe(409);
    expect(await count()).toBe(before);
    ({ id } = await load(reference));
    expect(await db.kysely.selectFrom('attachments').select('id').where('case_id', '=', id).execute()).toHaveLength(1);
  });
});

describe('merging a duplicate', () => {
  it('refuses itself, a closed case, another organisation’s case and a case the agent cannot see', async () => {
    const duplicate = await newCase('Doublon');
    const { version } = await load(duplicate);
    const self = await post(alice, duplicate, 'fusionner', { version: String(version), reference: duplicate });
    expect(self.statusCode).toBe(422);
    expect(self.body).toContain('ne peut pas être fusionné avec lui-même');

    const closed = await newCase('Clos');
    for (const name of ['qualifier', 'clore']) await post(alice, closed, 'transition', { version: String((await load(closed)).version), transition: name });
    expect((await load(closed)).closedAt).not.toBeNull();
    const intoClosed = await post(alice, duplicate, 'fusionner', { version: String(version), reference: closed });
    expect(intoClosed.statusCode).toBe(422);
    expect(intoClosed.body).toContain(`Le dossier ${closed} est clos`);

    const otherOrg = await makeOrganisation(db, 'ville-autre');
    const otherDepartment = await makeDepartment(db, otherOrg, 'voirie-autre', { reception: true });
    await makeProcedure(db, otherOrg, otherDepartment);
    // References are numbered per organisation: give the other town's case one ours does not have.
    const foreign = '2026-999999';
    await db.kysely.updateTable('cases').set({ reference: foreign }).where('reference', '=', await newCase('Ailleurs', null, otherOrg)).where('organisation_id', '=', otherOrg).execute();
    const across = await post(alice, duplicate, 'fusionner', { version: String(version), reference: foreign });
    expect(across.statusCode).toBe(422);
    expect(across.body).toContain(`Aucun dossier ${foreign} parmi ceux de votre collectivité`);

    const elsewhere = await newCase('Chez l’accueil');
    const at = await load(elsewhere);
    await post(alice, elsewhere, 'transferer', { version: String(at.version), department: String(commune.departments.reception), reason: 'Accueil' });
    const hidden = await post(alice, duplicate, 'fusionner', { version: String(version), reference: elsewhere });
    expect(hidden.statusCode).toBe(422);
    expect((await load(duplicate)).closedAt).toBeNull();
  });

  it('closes the duplicate as « doublon » and writes both journals, referencing its files and messages', async () => {
    const kept = await newCase('Nid-de-poule rue Haute');
    const duplicate = await newCase('Nid-de-poule rue Haute (bis)');
    const dup = await load(duplicate);
    const keptBefore = await load(kept);
    const response = await post(alice, duplicate, 'fusionner', { version: String(dup.version), reference: ` ${kept.toLowerCase()} ` });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/backoffice/dossiers/${kept}?action=fusion&depuis=${duplicate}#actions`);
    const closedDup = await load(duplicate);
    expect(closedDup).toMatchObject({ status: 'doublon', outcome: 'duplicate' });
    expect(closedDup.closedAt).not.toBeNull();
    const dupJournal = await caseRepository.listJournal(db.kysely, dup.id);
    expect(dupJournal.at(-1)).toMatchObject({ type: 'case.merged_into', payload: { into: kept } });
    const keptJournal = await caseRepository.listJournal(db.kysely, keptBefore.id);
    expect(keptJournal.at(-1)).toMatchObject({ type: 'case.merged_from', payload: { from: duplicate, attachments: [], messages: expect.any(Array) } });
    expect((await load(kept)).version).toBe(keptBefore.version + 1);
    expect(firstBrokenLink(kept, keptJournal)).toBeNull();
  });
});

describe('markup', () => {
  it.skipIf(!validatorAvailable)('is valid HTML for the Nu Html Checker (case page with its actions, a conflict, an error summary, « Mes mentions »)', async () => {
    const reference = await newCase();
    const { version } = await load(reference);
    await post(alice, reference, 'notes', { version: String(version), text: 'Pour @bob.martin' });
    const get = (url: string, who: TestAgent) => app.inject({ method: 'GET', url, headers: { ...HTML, cookie: who.cookie } });
    const pages = [
      { name: 'case', html: (await get(`/backoffice/dossiers/${reference}?action=note`, alice)).body },
      { name: 'conflict', html: (await post(bob, reference, 'notes', { version: String(version), text: 'Trop tard' })).body },
      { name: 'summary', html: (await post(bob, reference, 'transferer', { version: String(version + 1), department: '', reason: '' })).body },
      { name: 'mentions', html: (await get('/backoffice/mentions?toutes=1', bob)).body },
    ];
    const results = await validateHtml(pages);
    expect([...results!.entries()].filter(([, list]) => list.length > 0)).toEqual([]);
  }, 120_000);
});
