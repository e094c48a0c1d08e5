import { logApiAccess } from '../backoffice/access-log.js';
import { apiScope, principalOf } from '../http/auth.js';
import type { App } from '../http/context.js';
import { problems } from '../http/schemas.js';
import { hashRequest } from '../intake/idempotency.js';
import { submitCase } from '../intake/service.js';
import { CaseListQuery, CaseListSchema, CaseSchema, CreateCaseBody, IdempotencyHeaders, JournalSchema, ReceiptSchema, ReferenceParams } from './schema.js';
import { getCase, getJournal, listCases, withDecisionDay } from './service.js';
import { deadlineOf } from './deadline.js';

const security = [{ bearer: [] }];

/** The cases API for integrations: create through the intake, read, list and follow the journal. */
export async function caseRoutes(app: App): Promise<void> {
  app.post(
    '/api/v1/cases',
    {
      onRequest: apiScope('cases:write'),
      schema: {
        tags: ['Dossiers'],
        summary: 'Déposer une demande (création d’un dossier)',
        description:
          'Passe par l’accueil unique : validation du formulaire, rapprochement de l’usager, numérotation, échéance, orientation vers un service. ' +
          'Avec un en-tête Idempotency-Key, une requête rejouée renvoie le même dossier (en-tête Idempotent-Replayed: true).',
        security,
        headers: IdempotencyHeaders,
        body: CreateCaseBody,
        response: { 201: ReceiptSchema, ...problems(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const key = request.headers['idempotency-key'];
      const { receipt, replayed } = await submitCase({ db: app.ctx.db, timezone: app.ctx.config.TIMEZONE, publicUrl: app.ctx.config.publicUrl }, {
        organisationId: principal.organisationId,
        procedureSlug: body.procedure,
        channel: body.channel ?? 'api',
        actor: { type: 'integration', id: `token:${principal.tokenId}` },
        citizen: body.citizen,
        // Whatever channel the integration names, the contacts came through the API, declared (ADR 0002).
        contactOrigin: { source: 'api' },
        data: body.data,
        ...(body.location ? { location: body.location } : {}),
        ...(body.receivedAt ? { receivedAt: new Date(body.receivedAt).toISOString() } : {}),
        ...(body.priority ? { priority: body.priority } : {}),
        ...(body.subject ? { subject: body.subject } : {}),
        hiddenFields: 'reject',
        ...(key ? { idempotency: { scope: `token:${principal.tokenId}`, key, requestHash: hashRequest(body) } } : {}),
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/api/v1/cases/${receipt.reference}`);
      return reply.status(201).send(withDecisionDay(receipt, app.ctx.config.TIMEZONE));
    },
  );

  app.get(
    '/api/v1/cases',
    {
      onRequest: apiScope('cases:read'),
      schema: {
        tags: ['Dossiers'],
        summary: 'Lister les dossiers (filtres, pagination par curseur)',
        security,
        querystring: CaseListQuery,
        response: { 200: CaseListSchema, ...problems(401, 403, 422) },
      },
    },
    async (request) => {
      const q = request.query;
      const principal = principalOf(request);
      const zone = app.ctx.config.TIMEZONE;
      const page = await listCases(app.ctx.db.kysely, principal.organisationId, {
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.department !== undefined ? { departmentId: q.department } : {}),
        ...(q.procedure !== undefined ? { procedureSlug: q.procedure } : {}),
        ...(q.channel !== undefined ? { channel: q.channel } : {}),
        ...(q.receivedFrom !== undefined ? { receivedFrom: q.receivedFrom } : {}),
        ...(q.receivedTo !== undefined ? { receivedTo: q.receivedTo } : {}),
        ...(q.q !== undefined ? { text: q.q } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        limit: q.limit ?? 25,
      });
      // One trace per case handed over (the search terms are not kept, only that a search ran).
      const detail = q.q !== undefined ? 'API : liste avec recherche plein texte' : 'API : liste';
      await logApiAccess(request, principal, page.items.map((c) => ({ action: 'list_cases', caseId: c.id, citizenId: c.citizenId, detail })));
      return { ...page, items: page.items.map((c) => withDecisionDay(c, zone)) };
    },
  );

  app.get(
    '/api/v1/cases/:reference',
    {
      onRequest: apiScope('cases:read'),
      schema: {
        tags: ['Dossiers'],
        summary: 'Lire un dossier par son numéro',
        security,
        params: ReferenceParams,
        response: { 200: CaseSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const db = app.ctx.db.kysely;
      const principal = principalOf(request);
      const view = await getCase(db, principal.organisationId, request.params.reference);
      await logApiAccess(request, principal, [{ action: 'view_case', caseId: view.id, citizenId: view.citizenId, detail: 'API : dossier' }]);
      const zone = app.ctx.config.TIMEZONE;
      return { ...withDecisionDay(view, zone), deadline: await deadlineOf(db, zone, view) };
    },
  );

  app.get(
    '/api/v1/cases/:reference/journal',
    {
      onRequest: apiScope('cases:read'),
      schema: {
        tags: ['Dossiers'],
        summary: 'Lire le journal d’un dossier',
        security,
        params: ReferenceParams,
        response: { 200: JournalSchema, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { view, items } = await getJournal(app.ctx.db.kysely, principal.organisationId, request.params.reference);
      await logApiAccess(request, principal, [{ action: 'view_case', caseId: view.id, citizenId: view.citizenId, detail: 'API : journal' }]);
      return { items };
    },
  );
}
