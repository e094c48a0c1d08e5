import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { normaliseTrackingCode } from '../cases/codes.js';
import { ReferenceParams } from '../cases/schema.js';
import { apiScope, principalOf } from '../http/auth.js';
import type { App } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { problems } from '../http/schemas.js';
import { requireCitizen } from '../portal/session.js';
import { acknowledgmentPdfFor, type AcknowledgmentKey } from './service.js';
import type { AcknowledgmentFormat } from './pdf.js';

const hidden = { hide: true };
const security = [{ bearer: [] }];
const MAX_PARAM = 40;

const FormatQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Enum(['document', 'letter'], {
        description: '`document` (par défaut) : l’accusé de réception à remettre ou à joindre ; `letter` : le même, mis en page comme un courrier à imprimer et à envoyer.',
      }),
    ),
  },
  { additionalProperties: false },
);

const PdfResponse = {
  description: 'L’accusé de réception (PDF).',
  content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
};

/** Acknowledgments of receipt (CRPA L112-11) as PDF, for the citizen and for agents. */
export async function acknowledgmentRoutes(app: App): Promise<void> {
  const db = () => app.ctx.db.kysely;
  const deps = () => ({ timezone: app.ctx.config.TIMEZONE, publicUrl: app.ctx.config.publicUrl });
  const pdfOf = async (key: AcknowledgmentKey, format: AcknowledgmentFormat) => {
    const found = await acknowledgmentPdfFor(db(), deps(), key, format);
    if (!found) throw notFound('Aucun dossier ne correspond.');
    return found;
  };

  app.get('/demandes/:reference/accuse-reception.pdf', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const reference = (request.params as { reference: string }).reference.slice(0, MAX_PARAM);
    const found = await pdfOf({ by: 'owner', organisationId: session.organisationId, citizenId: session.citizenId, reference }, 'document');
    return sendPdf(reply, found);
  });

  app.get('/suivi/:code/accuse-reception.pdf', { schema: hidden }, async (request, reply) => {
    const trackingCode = normaliseTrackingCode((request.params as { code: string }).code.slice(0, MAX_PARAM));
    // The code is a key to the case: keep the file out of caches and referrers, even when refused.
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (!trackingCode) throw notFound('Aucun dossier ne correspond.');
    return sendPdf(reply, await pdfOf({ by: 'tracking', trackingCode }, 'document'), 'no-store');
  });

  app.get(
    '/api/v1/cases/:reference/acknowledgment.pdf',
    {
      onRequest: apiScope('cases:read'),
      schema: {
        tags: ['Dossiers'],
        summary: 'Télécharger l’accusé de réception d’un dossier (PDF)',
        description:
          'Accusé de réception (articles L112-11 et R112-11-1 du code des relations entre le public et l’administration) : référence, date et heure de réception, ' +
          'service chargé du dossier et ses coordonnées, délai de traitement et, pour une démarche soumise au silence vaut accord ou rejet, la date de la décision implicite ' +
          'avec l’attestation ou les voies et délais de recours. Avec `format=letter`, le même contenu en courrier à imprimer (dossiers reçus par courrier ou au guichet).',
        security,
        params: ReferenceParams,
        querystring: FormatQuery,
        response: { 200: PdfResponse, ...problems(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const key: AcknowledgmentKey = { by: 'organisation', organisationId: principalOf(request).organisationId, reference: request.params.reference };
      return sendPdf(reply, await pdfOf(key, request.query.format ?? 'document'));
    },
  );
}

function sendPdf(reply: FastifyReply, found: { reference: string; pdf: Buffer }, cacheControl = 'private, no-store'): FastifyReply {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="accuse-reception-${found.reference}.pdf"`)
    .header('cache-control', cacheControl)
    .send(found.pdf);
}
