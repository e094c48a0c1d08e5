import type { FastifyRequest } from 'fastify';
import { authenticateToken, requireScope, type Scope, type TokenPrincipal } from '../tokens/service.js';

/**
 * An onRequest hook that admits only requests bearing an API token with `scope`. The refusal is a
 * problem+json 401 (no or bad token) or 403 (token without the scope). Declare it as the route's
 * `onRequest`, never `preHandler`: it must run before the body is parsed and validated, so that a
 * stranger learns nothing of the schema (a 422 listing fields) and no work is done for them.
 */
export function apiScope(scope: Scope) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const principal = await authenticateToken(request.server.ctx.db.kysely, token);
    requireScope(principal, scope);
    request.principal = principal;
  };
}

/** The principal a scoped route was admitted with. */
export function principalOf(request: FastifyRequest): TokenPrincipal {
  if (!request.principal) throw new Error('route is missing its apiScope onRequest hook');
  return request.principal;
}
