import { Type } from 'typebox';
import { AppError } from '../../http/errors.js';
import type { App } from '../../http/context.js';
import { receiveDelivery } from './service.js';

/**
 * `POST /channels/webhooks/<source>`: a platform's signed delivery. The body is taken as raw bytes
 * (any content type, size-limited) because the HMAC is computed over exactly what was sent; the
 * service parses the JSON itself once the signature holds. This plugin is encapsulated, so the
 * raw parser applies to this route only.
 */
export async function webhooksRoutes(app: App): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: app.ctx.config.WEBHOOKS_MAX_BODY_BYTES }, (_request, body, done) => done(null, body));

  app.post(
    '/channels/webhooks/:source',
    { schema: { params: Type.Object({ source: Type.String({ maxLength: 100 }) }) }, bodyLimit: app.ctx.config.WEBHOOKS_MAX_BODY_BYTES },
    async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = await receiveDelivery(app.ctx, { slug: request.params.source, headers: request.headers, body });
      if (outcome.kind === 'refused') {
        // No row for an unauthenticated request (anyone can post here): a log line only.
        request.log.warn({ source: request.params.source, reason: outcome.reason }, 'webhook delivery refused');
        throw new AppError('unauthenticated', outcome.reason.startsWith('timestamp') ? 'Horodatage absent ou hors de la fenêtre de cinq minutes.' : 'Signature absente ou invalide.');
      }
      return reply.code(outcome.kind === 'created' ? 201 : 200).send({ reference: outcome.reference, status: outcome.kind });
    },
  );
}
