import Fastify, { type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { attachmentRoutes } from './attachments/routes.js';
import { caseRoutes } from './cases/routes.js';
import { healthRoutes } from './health/routes.js';
import type { App, AppContext } from './http/context.js';
import { problemPlugin } from './http/problem.js';
import { problemRoutes } from './http/problem-routes.js';
import { securityHeadersPlugin, swaggerUiPolicy } from './http/security-headers.js';
import { procedureRoutes } from './procedures/routes.js';
import { workflowRoutes } from './workflow/routes.js';
import { routingRoutes } from './routing/routes.js';
import { oldAdminRedirects } from './admin/redirects.js';
import { sessionSecret } from './http/secret.js';
import { uiAssetRoutes } from './http/ui/routes.js';
import { devMailboxRoutes } from './messages/routes.js';
import { portalPlugin } from './portal/plugin.js';
import { backofficePlugin } from './backoffice/plugin.js';
import { channelsPlugin } from './channels/plugin.js';

/** Builds the HTTP application from its modules. No business logic lives here. */
export async function buildApp(ctx: AppContext, options: FastifyServerOptions = {}): Promise<App> {
  const app = Fastify({
    bodyLimit: ctx.config.BODY_LIMIT,
    // Behind a reverse proxy the visitor's address is in X-Forwarded-For: rate limits need the real one.
    // Only the listed proxies are believed; from any other peer the header is ignored.
    trustProxy: ctx.config.TRUST_PROXY.length > 0 ? ctx.config.TRUST_PROXY : false,
    // Reject what we do not expect instead of silently dropping it, and report every bad field at once.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array' } },
    ...options,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The API speaks JSON; a text/plain body is a client mistake to refuse with 415, not to parse.
  app.removeContentTypeParser('text/plain');
  app.decorate('ctx', ctx);
  app.decorateRequest('principal', null);
  await app.register(problemPlugin);
  await app.register(cookie, { secret: sessionSecret(ctx.config) });
  await app.register(formbody);
  // Before any route: helmet's per-route options and its onRequest hook must see them all.
  await app.register(securityHeadersPlugin);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'API Guichet',
        version: '1',
        description: 'API de Guichet, plateforme de relation usager des collectivités. Les erreurs suivent la RFC 9457 (application/problem+json) avec des messages en français.',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Jeton d’API créé par « guichet token create ».' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', validatorUrl: null }, staticCSP: swaggerUiPolicy });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes);
  await app.register(problemRoutes);
  await app.register(procedureRoutes);
  await app.register(caseRoutes);
  await app.register(attachmentRoutes);
  await app.register(workflowRoutes);
  await app.register(routingRoutes);
  await app.register(uiAssetRoutes);
  await app.register(oldAdminRedirects);
  await app.register(devMailboxRoutes);
  await app.register(portalPlugin);
  await app.register(backofficePlugin);
  await app.register(channelsPlugin);
  return app;
}
