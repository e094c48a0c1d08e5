/**
 * The agents' case page: a located street report with a photo and a PDF shows its facts and
 * deadlines, the citizen, the answers with the form's labels, the files with previews, the place
 * and one timeline in plain French; print view, PDF export and downloads; another department's or
 * organisation's case, and another case's file, are "not found"; every display is in the access log.
 */
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAttachment } from '../src/attachments/service.js';
import { caseRepository } from '../src/cases/repository.js';
import type { Db } from '../src/db/database.js';
import { textToPdf } from '../src/documents/pdf.js';
import type { App } from '../src/http/context.js';
import { submitCase } from '../src/intake/service.js';
import { recordCitizenReply } from '../src/messages/citizen-reply.js';
import type { WorkflowDefinition } from '../src/workflow/definition.js';
import { publishWorkflow, runTransition } from '../src/workflow/service.js';
import { testApp } from './app.js';
import { signedInAgent, type TestAgent } from './backoffice-session.js';
import { buildTimeline } from '../src/backoffice/cases/timeline.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';
import { makeCommune, makeDepartment, makeOrganisation, makeProcedure, streetReportForm } from './factories.js';

const workflow: WorkflowDefinition = {
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu (à qualifier)', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'en_cours', label: 'Qualifié par l’équipe', citizenLabel: 'En cours de traitement', category: 'in_progress' },
    { id: 'attente', label: 'Pièces demandées', citizenLabel: 'En attente de vos pièces', category: 'waiting_citizen', onCitizenReply: 'reprendre' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Demande traitée', category: 'closed_accepted' },
  ],
  transitions: [
    { name: 'prendre', label: 'Prendre en charge', from: ['recu'], to: 'en_cours', roles: ['agent'], inputs: [{ name: 'noteInterne', label: 'Note interne', type: 'textarea' }] },
    {
      name: 'demander',
      label: 'Demander des pièces',
      from: ['recu', 'en_cours'],
      to: 'attente',
      roles: ['agent'],
      inputs: [{ name: 'pieces', label: 'Pièces', type: 'textarea', required: true }],
      actions: [
        {
          type: 'request_information',
          replyWithin: { value: 10, unit: 'calendar_days' },
          message: { subject: 'Dossier {{ case.reference }} : pièces à fournir', body: 'Il nous manque : {{ inputs.pieces }}.' },
        },
      ],
    },
    { name: 'reprendre', label: 'Pièces reçues', from: ['attente'], to: 'en_cours', roles: ['agent'] },
    { name: 'clore', label: 'Clore', from: ['en_cours'], to: 'clos', roles: ['agent'] },
  ],
};

/** A 1×1 PNG: real bytes, so the type is sniffed as an image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const HTML = { accept: 'text/html,application/xhtml+xml' };

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;
let roadsAgent: TestAgent;
let receptionAgent: TestAgent;
let foreignAgent: TestAgent;
let reference: string;
let caseId: number;
let citizenId: number;
let photoId: string;
let pdfId: string;
let otherReference: string;
let otherPhotoId: string;

const deps = () => ({ db, timezone: 'Europe/Paris', publicUrl: 'https://ville-test.fr' });
const get = (url: string, who?: TestAgent) => app.inject({ method: 'GET', url, headers: { ...HTML, ...(who ? { cookie: who.cookie } : {}) } });
const attachments = () => ({ db, storage: app.ctx.storage, maxBytes: 5_000_000 });

async function report(description: string, photo: string, citizen: Record<string, unknown> | null) {
  const { receipt } = await submitCase(deps(), {
    organisationId: commune.organisationId,
    procedureSlug: 'signalement-voirie',
    channel: 'web',
    actor: { type: 'citizen', id: null },
    citizen,
    data: {
      categorie: 'eclairage',
      description,
      position: { address: '12 rue des Lilas, 99000 Ville-Test', lat: 48.8566, lon: 2.3522 },
      constate: '2026-11-20',
      photo: [photo],
    },
    hiddenFields: 'drop',
  });
  return receipt;
}

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db);
  await publishWorkflow(db.kysely, commune.organisationId, 'signalement-voirie', workflow, 'test');
  const sign = app.signCookie.bind(app);
  roadsAgent = await signedInAgent(db, commune.organisationId, sign, { name: 'Bernadette Voirie', roles: [{ departmentId: commune.departments.roads, role: 'agent' }] });
  receptionAgent = await signedInAgent(db, commune.organisationId, sign, { name: 'Paul Accueil', roles: [{ departmentId: commune.departments.reception, role: 'agent' }] });
  const otherOrganisation = await makeOrganisation(db, 'autre-ville');
  const otherRoads = await makeDepartment(db, otherOrganisation, 'voirie-autre');
  foreignAgent = await signedInAgent(db, otherOrganisation, sign, { name: 'Agent Ailleurs', roles: [{ departmentId: otherRoads, role: 'admin' }] });

  photoId = (await storeAttachment(attachments(), commune.organisationId, PNG, 'lampadaire éteint.png')).id;
  const receipt = await report('Le lampadaire devant le n° 12 est éteint depuis trois jours.', photoId, {
    civility: 'Mme',
    firstNames: 'Claire',
    lastName: 'Martin',
    email: 'claire.martin@example.fr',
    phone: '0612345678',
  });
  reference = receipt.reference;
  caseId = receipt.caseId;
  citizenId = receipt.citizen!.id;
  otherPhotoId = (await storeAttachment(attachments(), commune.organisationId, PNG, 'autre.png')).id;
  otherReference = (await report('Autre lampadaire', otherPhotoId, null)).reference;

  // The case's life: taken with a transition, an internal note mentioning a colleague, an
  // information request, then the citizen's answer with a PDF.
  const caller = { organisationId: commune.organisationId, actor: { type: 'agent' as const, id: String(roadsAgent.agentId) }, roles: ['agent' as const], name: 'Bernadette Voirie' };
  await runTransition(deps(), caller, { reference, name: 'prendre', inputs: { noteInterne: 'Vu avec l’équipe éclairage' } });
  const view = (await caseRepository.findById(db.kysely, caseId))!;
  await caseRepository.appendJournal(db.kysely, caseId, reference, [{ type: 'note_added', actor: caller.actor, payload: { text: 'Poteau n° 4521, à vérifier', mentions: [receptionAgent.agentId] } }], new Date(Date.parse(view.updatedAt) + 1000).toISOString());
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await runTransition(deps(), caller, { reference, name: 'demander', inputs: { pieces: 'une photo du poteau' } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  pdfId = (await storeAttachment(attachments(), commune.organisationId, await textToPdf('Photo du poteau', 'Poteau 4521', { author: 'Claire', subject: 'Pièce' }), 'poteau.pdf', { owner: { citizenId } })).id;
  await recordCitizenReply(deps(), { organisationId: commune.organisationId, caseId, citizenId, channel: 'portal', body: 'Voici la photo du poteau.', attachmentIds: [pdfId], receivedAt: new Date().toISOString() });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** The text drawn in a PDF of pdf-lib (WinAnsi hex strings in deflated content streams). */
function pdfText(pdf: Buffer): string {
  const streams = [...pdf.toString('latin1').matchAll(/stream\r?\n([\s\S]*?)endstream/g)].flatMap((m) => {
    try {
      return [inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1')];
    } catch {
      return [];
    }
  });
  return [...streams.join('\n').matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)].map((m) => Buffer.from(m[1]!, 'hex').toString('latin1')).join('\n');
}

const accessLog = (action: string) => db.kysely.selectFrom('access_log').selectAll().where('case_id', '=', caseId).where('action', '=', action).execute();

describe('the case page', () => {
  it('shows the facts, the deadlines, the citizen, the answers with labels, the files and the place', async () => {
    const res = await get(`/backoffice/dossiers/${reference}`, roadsAgent);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.body;
    expect(body).toContain(`<h1>Dossier ${reference} — Signaler un problème de voirie</h1>`);
    expect(body).toContain('Signaler un problème de voirie');
    expect(body).toContain('En ligne');
    expect(body).toContain('<dd>Voirie</dd>');
    expect(body).toContain('Qualifié par l’équipe');
    expect(body).toContain('Échéance de traitement');
    expect(body).toMatch(/<time datetime="[^"]+">/);
    expect(body).toContain('<dt>Version</dt>');
    // The citizen and their 360° view.
    expect(body).toContain(`<a href="/backoffice/usagers/${citizenId}">Mme Claire Martin</a>`);
    expect(body).toContain('Identité déclarée par l’usager');
    expect(body).toContain('claire.martin@example.fr');
    expect(body).toContain('06 12 34 56 78');
    // Answers with the form's labels and choices' labels, not raw values.
    expect(body).toContain('<dt>Type de problème</dt>');
    expect(body).toContain('Éclairage public');
    expect(body).not.toContain('>eclairage<');
    expect(body).toContain('<dt>Constaté le</dt>');
    expect(body).toContain('20 novembre 2026');
    // Files: an image shown with its name as alt text, a PDF embedded with a title, both downloadable.
    expect(body).toContain(`src="/backoffice/dossiers/${reference}/pieces/${photoId}" alt="Pièce jointe : lampadaire éteint.png"`);
    expect(body).toContain(`<iframe class="case-file-pdf" src="/backoffice/dossiers/${reference}/pieces/${pdfId}" title="Aperçu du document poteau.pdf"`);
    expect(body).toContain('image PNG, 1 ko');
    expect(body).toContain(`/pieces/${pdfId}?telecharger=1`);
    // The place in words, coordinates and a map link; no map without tiles.
    expect(body).toContain('12 rue des Lilas, 99000 Ville-Test');
    expect(body).toContain('latitude 48,8566, longitude 2,3522');
    expect(body).toContain('https://www.openstreetmap.org/?mlat=48.8566&amp;mlon=2.3522#map=18/48.8566/2.3522');
    expect(body).not.toContain('data-case-map');
    // Shortcuts are documented on the page.
    expect(body).toContain('Raccourcis clavier');
  });

  it('tells one timeline in order and in plain French, internal notes set apart', async () => {
    const body = (await get(`/backoffice/dossiers/${reference}`, roadsAgent)).body;
    const timeline = body.slice(body.indexOf('<ol class="case-timeline">'));
    const order = ['Demande reçue', 'Prendre en charge', 'Poteau n° 4521, à vérifier', 'Informations demandées à l’usager', 'Message de l’usager', 'Pièces reçues'].map((text) => timeline.indexOf(text));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(timeline).toContain('Statut : Reçu (à qualifier) → Qualifié par l’équipe');
    expect(timeline).toContain('Note interne : Vu avec l’équipe éclairage');
    expect(timeline).toContain('— Bernadette Voirie');
    expect(timeline).toContain('— l’usager');
    expect(timeline).toContain('— le système');
    expect(timeline).toContain('Orientée vers le service Voirie');
    expect(timeline).toMatch(/<li class="timeline-entry timeline-note">[\s\S]*?Note interne, non visible de l’usager[\s\S]*?Mentionne : Paul Accueil/);
    expect(timeline).toContain('Dossier');
    expect(timeline).toContain('Il nous manque : une photo du poteau.');
    expect(timeline).toContain('Voici la photo du poteau.');
    expect(timeline).toContain('poteau.pdf');
  });

  it('shows the legal silence date with its regime', async () => {
    await makeProcedure(db, commune.organisationId, commune.departments.roads, {
      slug: 'occupation-voirie',
      title: 'Occupation du domaine public',
      form: streetReportForm,
      silence: { regime: 'accept', delay: { value: 2, unit: 'months' } },
    });
    const { receipt } = await submitCase(deps(), {
      organisationId: commune.organisationId,
      procedureSlug: 'occupation-voirie',
      channel: 'counter',
      actor: { type: 'agent', id: String(roadsAgent.agentId) },
      citizen: null,
      data: { categorie: 'autre', precision: 'Échafaudage', description: 'Échafaudage pour ravalement' },
      hiddenFields: 'drop',
    });
    const body = (await get(`/backoffice/dossiers/${receipt.reference}`, roadsAgent)).body;
    expect(receipt.implicitDecisionAt).not.toBeNull();
    expect(body).toContain('Décision implicite (silence de l’administration)');
    expect(body).toContain('le silence vaut acceptation');
    expect(body).toContain('Demande anonyme');
    expect(body).toContain('Au guichet');
    expect(body).not.toContain('Localisation');
  });

  it('writes every display to the access log', async () => {
    const before = (await accessLog('view_case')).length;
    await get(`/backoffice/dossiers/${reference}`, roadsAgent);
    const after = await accessLog('view_case');
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ agent_id: roadsAgent.agentId, citizen_id: citizenId, organisation_id: commune.organisationId });
  });

  it('answers "not found" for another department\'s case, another organisation\'s, and asks strangers to sign in', async () => {
    const logged = (await accessLog('view_case')).length;
    for (const url of [`/backoffice/dossiers/${reference}`, `/backoffice/dossiers/${reference}/impression`, `/backoffice/dossiers/${reference}/export.pdf`, `/backoffice/dossiers/${reference}/pieces/${photoId}`]) {
      for (const who of [receptionAgent, foreignAgent]) {
        const res = await get(url, who);
        expect(res.statusCode, `${url} for ${who.email}`).toBe(404);
        expect(res.body).not.toContain('Claire');
      }
      const anonymous = await get(url);
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toMatch(/^\/backoffice\/connexion/);
    }
    expect(await accessLog('view_case')).toHaveLength(logged);
  });
});

describe('print, export and files', () => {
  it.skipIf(!validatorAvailable)('are valid HTML for the Nu Html Checker (case page and print view)', async () => {
    const pages = [
      { name: 'case', html: (await get(`/backoffice/dossiers/${reference}`, roadsAgent)).body },
      { name: 'print', html: (await get(`/backoffice/dossiers/${reference}/impression`, roadsAgent)).body },
    ];
    const results = await validateHtml(pages);
    expect([...results!.entries()].filter(([, list]) => list.length > 0)).toEqual([]);
  }, 120_000);

  it('prints the case without the menu or the actions', async () => {
    const res = await get(`/backoffice/dossiers/${reference}/impression`, roadsAgent);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('Menu principal');
    expect(res.body).not.toContain('Raccourcis clavier');
    expect(res.body).toContain('Éclairage public');
    expect(res.body).toContain('Historique');
    expect(res.body).toContain('Imprimé le');
    expect(res.body).not.toContain('<iframe');
    expect((await accessLog('print_case')).length).toBeGreaterThanOrEqual(1);
  });

  it('exports the case as a PDF', async () => {
    const res = await get(`/backoffice/dossiers/${reference}/export.pdf`, roadsAgent);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="dossier-${reference}.pdf"; filename*=UTF-8''dossier-${reference}.pdf`);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.length).toBeGreaterThan(2_000);
    const text = pdfText(res.rawPayload);
    for (const expected of [`Dossier ${reference}`, 'Type de problème : Éclairage public', 'Constaté le : 20 novembre 2026', 'Mme Claire Martin', 'poteau.pdf', 'Historique', 'Poteau n° 4521, à vérifier']) {
      expect(text, expected).toContain(expected);
    }
    expect(await accessLog('export_case')).toHaveLength(1);
  });

  it('serves the case\'s files inline for previews and as downloads, with safe names', async () => {
    const preview = await get(`/backoffice/dossiers/${reference}/pieces/${photoId}`, roadsAgent);
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['content-type']).toBe('image/png');
    expect(preview.headers['x-content-type-options']).toBe('nosniff');
    expect(preview.headers['content-disposition']).toBe(`inline; filename="lampadaire eteint.png"; filename*=UTF-8''lampadaire%20%C3%A9teint.png`);
    expect(preview.rawPayload.equals(PNG)).toBe(true);
    const download = await get(`/backoffice/dossiers/${reference}/pieces/${pdfId}?telecharger=1`, roadsAgent);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="poteau.pdf"/);
    const logged = await accessLog('download_attachment');
    expect(logged.map((l) => l.detail)).toEqual(['aperçu : lampadaire éteint.png', 'téléchargement : poteau.pdf']);
  });

  it('answers "not found" for another case\'s file or an unknown one', async () => {
    expect((await get(`/backoffice/dossiers/${reference}/pieces/${otherPhotoId}`, roadsAgent)).statusCode).toBe(404);
    expect((await get(`/backoffice/dossiers/${otherReference}/pieces/${otherPhotoId}`, roadsAgent)).statusCode).toBe(200);
    expect((await get(`/backoffice/dossiers/${reference}/pieces/inconnu`, roadsAgent)).statusCode).toBe(404);
    expect((await get(`/backoffice/dossiers/${reference}/pieces/${'x'.repeat(90)}`, roadsAgent)).statusCode).toBe(404);
  });

  it('shows and serves the files of a duplicate merged into the case', async () => {
    const duplicatePhoto = (await storeAttachment(attachments(), commune.organisationId, PNG, 'doublon.png')).id;
    const duplicate = (await report('Même lampadaire', duplicatePhoto, null)).reference;
    // What the merge action writes on the kept case (the actions module's own tests cover the merge).
    await caseRepository.appendJournal(db.kysely, caseId, reference, [{ type: 'case.merged_from', actor: { type: 'agent', id: String(roadsAgent.agentId) }, payload: { from: duplicate, attachments: [duplicatePhoto], messages: [] } }], new Date().toISOString());
    const body = (await get(`/backoffice/dossiers/${reference}`, roadsAgent)).body;
    expect(body).toContain(`reprise du dossier ${duplicate} fusionné dans celui-ci`);
    expect(body).toContain(`Le dossier ${duplicate} (doublon) a été fusionné dans celui-ci`);
    expect((await get(`/backoffice/dossiers/${reference}/pieces/${duplicatePhoto}`, roadsAgent)).statusCode).toBe(200);
    expect((await get(`/backoffice/dossiers/${reference}/pieces/${otherPhotoId}`, roadsAgent)).statusCode).toBe(404);
  });
});

describe('the timeline', () => {
  const at = (minute: number) => `2026-11-02T09:${String(minute).padStart(2, '0')}:00.000Z`;
  const message = (id: number, createdAt: string) => ({ id, direction: 'out' as const, channel: 'letter', recipient: null, subject: 'Courrier', body: 'Texte', status: 'failed', lastError: 'x', createdAt, sentAt: null });

  it('names unknown events, keeps messages no event cites, and orders by time with the journal first on ties', () => {
    const timeline = buildTimeline({
      journal: [
        { seq: 1, type: 'case.created', actor: { type: 'integration', id: 'token:1' }, payload: { channel: 'api' }, createdAt: at(0) },
        { seq: 2, type: 'quelque.chose', actor: { type: 'agent', id: '9' }, payload: {}, createdAt: at(5) },
        { seq: 3, type: 'case.assigned', actor: { type: 'agent', id: '9' }, payload: { agentId: 9 }, createdAt: at(5) },
        { seq: 4, type: 'message.out', actor: { type: 'agent', id: '9' }, payload: { messageId: 1, channel: 'letter' }, createdAt: at(5) },
        { seq: 5, type: 'information.requested', actor: { type: 'agent', id: '9' }, payload: { messageId: 1, replyBy: '2026-11-20' }, createdAt: at(5) },
        { seq: 6, type: 'case.transferred', actor: { type: 'agent', id: '9' }, payload: { from: 1, to: 2, reason: 'Relève de la propreté' }, createdAt: at(7) },
      ],
      messages: [message(1, at(5)), message(2, at(1))],
      attachments: [],
      agents: new Map([[9, 'Jeanne Agent']]),
      departments: new Map([[1, 'Voirie'], [2, 'Propreté']]),
      workflow: null,
      timezone: 'Europe/Paris',
    });
    expect(timeline.map((e) => e.title)).toEqual([
      'Demande reçue',
      'Message envoyé (courrier postal)',
      'Événement du dossier (quelque.chose)',
      'Prise en charge par Jeanne Agent',
      'Message à l’usager (courrier postal)',
      'Informations demandées à l’usager',
      'Transférée du service Voirie au service Propreté',
    ]);
    expect(timeline[0]!.actor).toBe('une application partenaire');
    expect(timeline[1]!.message).toMatchObject({ delivery: 'échec de l’envoi', failed: true, letter: true });
    // One message cited by two events is shown once, with the first.
    expect(timeline[4]!.message).toMatchObject({ id: 1 });
    expect(timeline[5]!.message).toBeNull();
    expect(timeline[5]!.details).toEqual(['Réponse attendue avant le 20 novembre 2026']);
    expect(timeline[6]!.details).toEqual(['Motif : Relève de la propreté']);
  });
});
