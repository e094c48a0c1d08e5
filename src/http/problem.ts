import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, catalogue, type ErrorCode, type FieldError } from './errors.js';

/** The RFC 9457 body Guichet sends for every error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const frameworkErrors: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_RATE_LIMIT: 'rate_limited',
};

/** Turns anything thrown during a request into a problem; internals of 5xx never leave the server. */
export function toProblem(error: unknown, request: FastifyRequest): Problem {
  const base = (code: ErrorCode, detail?: string, errors?: FieldError[]): Problem => ({
    type: `/api/problems/${code}`,
    title: catalogue[code].title,
    status: catalogue[code].status,
    code,
    ...(detail ? { detail } : {}),
    instance: request.url,
    ...(errors && errors.length > 0 ? { errors } : {}),
  });
  if (error instanceof AppError) return base(error.code, error.detail, error.errors);
  const fastifyError = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fastifyError.validation) {
    const errors = fastifyError.validation.map((e) => translateAjvError(e, fastifyError.validationContext ?? 'body'));
    return base('validation_failed', `${errors.length} champ(s) à corriger.`, errors);
  }
  const mapped = fastifyError.code ? frameworkErrors[fastifyError.code] : undefined;
  if (mapped) return base(mapped);
  if (fastifyError.statusCode === 404) return base('not_found');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) return base('bad_request');
  return base('internal');
}

/** Sends a problem as `application/problem+json`. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

/** Renders a problem as an HTML page, for a section of the site whose pages people read. */
export type HtmlErrorRenderer = (problem: Problem, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Page renderers by path prefix (`/` for the portal); API paths always get problem+json. */
    htmlErrorRenderers: { prefix: string; render: HtmlErrorRenderer }[];
  }
}

/** True when a person's browser asked for a page: it gets an HTML error page, not JSON. */
function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
}

/**
 * Registers the one error handler and the not-found handler of the whole application: problem+json
 * for the API and machines, an accessible page for people (from the renderer of the section).
 */
export const problemPlugin = fp(async (app: FastifyInstance) => {
  app.decorate('htmlErrorRenderers', [] as { prefix: string; render: HtmlErrorRenderer }[]);
  const respond = (problem: Problem, request: FastifyRequest, reply: FastifyReply) => {
    if (wantsHtml(request)) {
      const renderer = app.htmlErrorRenderers
        .filter((r) => request.url.startsWith(r.prefix))
        .sort((a, b) => b.prefix.length - a.prefix.length)[0];
      if (renderer) return renderer.render(problem, request, reply);
    }
    return sendProblem(reply, problem);
  };
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
    return respond(problem, request, reply);
  });
  app.setNotFoundHandler((request, reply) => respond(toProblem(new AppError('not_found'), request), request, reply));
});

/** "/citizen/emails/0" under "body" → "citizen.emails[0]". */
function fieldPath(validationContext: string, instancePath: string, extra?: string): string {
  const context = validationContext === 'querystring' ? 'query' : validationContext;
  const parts = instancePath.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  const path = parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  return context === 'body' ? path : path ? `${context}.${path}` : context;
}

const typeNames: Record<string, string> = {
  string: 'une chaîne de caractères',
  number: 'un nombre',
  integer: 'un nombre entier',
  boolean: 'vrai ou faux',
  object: 'un objet',
  array: 'une liste',
  null: 'la valeur null',
};

function translateAjvError(e: AjvError, context: string): FieldError {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { field: fieldPath(context, e.instancePath, String(p.missingProperty)), code: 'required', message: 'Ce champ est obligatoire.' };
    case 'additionalProperties':
      return {
        field: fieldPath(context, e.instancePath, String(p.additionalProperty)),
        code: 'unknown_field',
        message: 'Ce champ n’est pas attendu.',
      };
    case 'type':
      return {
        field: fieldPath(context, e.instancePath),
        code: 'invalid_type',
        message: `La valeur doit être ${typeNames[String(p.type)] ?? String(p.type)}.`,
      };
    case 'minLength':
      return { field: fieldPath(context, e.instancePath), code: 'too_short', message: `Saisissez au moins ${String(p.limit)} caractère(s).` };
    case 'maxLength':
      return { field: fieldPath(context, e.instancePath), code: 'too_long', message: `Saisissez au plus ${String(p.limit)} caractères.` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        field: fieldPath(context, e.instancePath),
        code: 'out_of_range',
        message: `La valeur doit être ${e.keyword.includes('inimum') ? 'au moins' : 'au plus'} ${String(p.limit)}.`,
      };
    case 'enum':
    case 'const':
    case 'anyOf':
      return { field: fieldPath(context, e.instancePath), code: 'not_an_option', message: 'Cette valeur ne fait pas partie des choix possibles.' };
    case 'format':
      return { field: fieldPath(context, e.instancePath), code: `invalid_${String(p.format).replace(/-/g, '_')}`, message: formatMessage(String(p.format)) };
    case 'pattern':
      return { field: fieldPath(context, e.instancePath), code: 'pattern', message: 'Le format de cette valeur est incorrect.' };
    case 'maxItems':
      return { field: fieldPath(context, e.instancePath), code: 'too_many', message: `Indiquez au plus ${String(p.limit)} élément(s).` };
    case 'minItems':
      return { field: fieldPath(context, e.instancePath), code: 'too_few', message: `Indiquez au moins ${String(p.limit)} élément(s).` };
    default:
      return { field: fieldPath(context, e.instancePath), code: 'invalid', message: 'Cette valeur est invalide.' };
  }
}

function formatMessage(format: string): string {
  switch (format) {
    case 'email':
      return 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr.';
    case 'date':
      return 'Saisissez une date valide au format AAAA-MM-JJ.';
    case 'date-time':
      return 'Saisissez une date et une heure valides au format ISO 8601, par exemple 2026-03-01T09:30:00Z.';
    case 'uri':
      return 'Saisissez une adresse web valide.';
    default:
      return 'Le format de cette valeur est incorrect.';
  }
}
