import { apiScope, principalOf } from '../http/auth.js';
import type { App } from '../http/context.js';
import { problems } from '../http/schemas.js';
import { hashRequest } from '../intake/idempotency.js';
import { submitCase } from '../intake/service.js';
import { CaseListQuery, CaseListSchema, CaseSchema, CreateCaseBody, IdempotencyHeaders, JournalSchema, ReceiptSchema, ReferenceParams } from './schema.js';
import { getCase, getJournal, listCases } from './service.js';
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
      return reply.status(201).send(receipt);
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
      return listCases(app.ctx.db.kysely, principalOf(request).organisationId, {
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
      const view = await getCase(db, principalOf(request).organisationId, request.params.reference);
      return { ...view, deadline: await deadlineOf(db, app.ctx.config.TIMEZONE, view) };
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
    async (request) => ({ items: await getJournal(app.ctx.db.kysely, principalOf(request).organisationId, request.params.reference) }),
  );
}
