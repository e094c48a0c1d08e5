import { Type } from 'typebox';
import { apiScope, principalOf } from '../http/auth.js';
import type { App } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { problems } from '../http/schemas.js';
import { ACCEPTED_TYPES, storeAttachment } from './service.js';

const AttachmentSchema = Type.Object({
  id: Type.String({ description: 'À citer dans le champ fichier du formulaire.' }),
  sha256: Type.String(),
  size: Type.Integer(),
  mimeType: Type.String({ description: 'Type détecté d’après le contenu du fichier.' }),
  filename: Type.String(),
});

/** Upload of a file before the case that cites it: the bytes are the request body. */
export async function attachmentRoutes(app: App): Promise<void> {
  const maxBytes = app.ctx.config.ATTACHMENT_MAX_BYTES;
  for (const type of ['application/octet-stream', 'application/pdf', /^image\//]) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
  }

  app.post(
    '/api/v1/attachments',
    {
      onRequest: apiScope('cases:write'),
      bodyLimit: maxBytes,
      schema: {
        tags: ['Pièces jointes'],
        summary: 'Déposer une pièce jointe',
        description: `Le corps est le contenu du fichier. Formats acceptés (détectés d’après le contenu) : ${ACCEPTED_TYPES.join(', ')}. Taille maximale : ${maxBytes} octets.`,
        security: [{ bearer: [] }],
        querystring: Type.Object({ filename: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: false }),
        response: { 201: AttachmentSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media_type', 'Envoyez le contenu du fichier comme corps de la requête (application/pdf, image/… ou application/octet-stream).');
      const stored = await storeAttachment(
        { db: app.ctx.db, storage: app.ctx.storage, maxBytes },
        principalOf(request).organisationId,
        request.body,
        request.query.filename ?? 'fichier',
      );
      return reply.status(201).send({ id: stored.id, sha256: stored.sha256, size: stored.size, mimeType: stored.mimeType, filename: stored.filename });
    },
  );
}
