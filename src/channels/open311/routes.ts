import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/context.js';
import { CONTENT_TYPES, errorDocument, FORMATS, Open311Error, serialise, type Document, type Format } from './format.js';
import {
  createRequest,
  discovery,
  getRequest,
  listRequests,
  listServices,
  listUpdates,
  lookupToken,
  resolveJurisdiction,
  serviceDefinition,
  type PostBody,
  type RequestQuery,
} from './service.js';

const PREFIX = '/open311/v2';
/** Open311 has its own documentation (the spec); these routes stay out of Guichet's OpenAPI. */
const hidden = { schema: { hide: true } } as const;

type Query = Record<string, string | string[] | undefined>;

/** The first value of a query parameter (a repeated one is not the spec's). */
function param(query: unknown, name: string): string | undefined {
  const value = (query as Query | undefined)?.[name];
  return Array.isArray(value) ? value[0] : value;
}

function formatOf(request: FastifyRequest): Format {
  const format = (request.params as { format?: string } | undefined)?.format;
  if (!FORMATS.includes(format as Format)) throw new Open311Error(404, ['Format inconnu : demandez .xml ou .json.']);
  return format as Format;
}

function send(reply: FastifyReply, format: Format, doc: Document, status = 200): FastifyReply {
  return reply.code(status).type(CONTENT_TYPES[format]).send(serialise(format, doc));
}

/**
 * Open311 GeoReport v2 at /open311/v2/, in XML and JSON, with mySociety's servicerequestupdates.
 * Every error answers in the spec's format (`<errors><error><code>…`), whatever went wrong.
 */
export async function open311Routes(app: App): Promise<void> {
  await app.register(georeportRoutes, { prefix: PREFIX });
}

async function georeportRoutes(app: App): Promise<void> {
  const deps = { db: app.ctx.db, config: app.ctx.config, timezone: app.ctx.config.TIMEZONE };
  const jurisdiction = (request: FastifyRequest) => resolveJurisdiction(deps, param(request.query, 'jurisdiction_id'));

  app.setErrorHandler((error, request, reply) => {
    const format: Format = /\.xml(\?|$)/.test(request.url) ? 'xml' : 'json';
    if (error instanceof Open311Error) return send(reply, format, errorDocument(error), error.status);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own refusals (unreadable body, unsupported content type, too large) are the client's.
      return send(reply, format, errorDocument(new Open311Error(400, ['Requête illisible : envoyez un formulaire application/x-www-form-urlencoded.'])), 400);
    }
    request.log.error({ err: error }, 'open311: internal error');
    return send(reply, format, errorDocument(new Open311Error(500, ['Erreur interne : elle a été enregistrée.'])), 500);
  });

  // An unknown path under /open311/v2/ answers in the spec's format too, not in problem+json.
  app.setNotFoundHandler((request, reply) => {
    const format: Format = /\.xml(\?|$)/.test(request.url) ? 'xml' : 'json';
    return send(reply, format, errorDocument(new Open311Error(404, ['Point d’accès Open311 inconnu : voir discovery.json.'])), 404);
  });

  app.get('/discovery.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    return send(reply, format, { json: discovery(app.ctx.config, await jurisdiction(request)), root: 'discovery' });
  });

  app.get('/services.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    return send(reply, format, { json: await listServices(deps, await jurisdiction(request)), root: 'services', item: 'service' });
  });

  app.get('/services/:code.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    const { code } = request.params as { code: string };
    return send(reply, format, { json: await serviceDefinition(deps, await jurisdiction(request), code), root: 'service_definition' });
  });

  app.get('/requests.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    const names = ['service_request_id', 'service_code', 'start_date', 'end_date', 'status'] as const;
    const query: RequestQuery = Object.fromEntries(names.flatMap((n) => (param(request.query, n) !== undefined ? [[n, param(request.query, n)]] : [])));
    return send(reply, format, { json: await listRequests(deps, await jurisdiction(request), query), root: 'service_requests', item: 'request' });
  });

  app.post('/requests.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as PostBody;
    const idempotencyKey = request.headers['idempotency-key'];
    const answer = await createRequest(deps, body, Array.isArray(idempotencyKey) ? idempotencyKey[0] : idempotencyKey);
    return send(reply, format, { json: answer, root: 'service_requests', item: 'request' }, 201);
  });

  app.get('/requests/:id.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    const { id } = request.params as { id: string };
    return send(reply, format, { json: await getRequest(deps, await jurisdiction(request), id), root: 'service_requests', item: 'request' });
  });

  app.get('/tokens/:token.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    const { token } = request.params as { token: string };
    return send(reply, format, { json: await lookupToken(deps, await jurisdiction(request), token), root: 'service_requests', item: 'request' });
  });

  app.get('/servicerequestupdates.:format', hidden, async (request, reply) => {
    const format = formatOf(request);
    const query = { start_date: param(request.query, 'start_date'), end_date: param(request.query, 'end_date') };
    const window = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as { start_date?: string; end_date?: string };
    return send(reply, format, { json: await listUpdates(deps, await jurisdiction(request), window), root: 'service_requests_updates', item: 'request_update' });
  });
}
