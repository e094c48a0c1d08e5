import { apiScope, principalOf } from '../../http/auth.js';
import type { App } from '../../http/context.js';
import { invalid } from '../../http/errors.js';
import { problems } from '../../http/schemas.js';
import { HealthQuery, HealthReportSchema } from './schema.js';
import { channelHealth, isPeriod, sinceOf } from './service.js';

/**
 * `GET /api/channels/health`: the per-channel figures of the admins' health page, for a
 * supervision tool (token with the `channels:read` scope).
 */
export async function healthRoutes(app: App): Promise<void> {
  app.get(
    '/api/channels/health',
    {
      onRequest: apiScope('channels:read'),
      schema: {
        tags: ['Canaux'],
        summary: 'Santé des canaux : reçus, dossiers créés, rattachés, ignorés, en quarantaine, dernière erreur, configuration',
        description:
          'Par canal (courriel, SMS, téléphone, Open311, réseaux sociaux et plateformes), les éléments reçus depuis `since` et leur sort, ' +
          'les éléments bloqués en attente, la dernière erreur (élément mis en quarantaine) et l’état de chaque élément de configuration.',
        security: [{ bearer: [] }],
        querystring: HealthQuery,
        response: { 200: HealthReportSchema, ...problems(401, 403, 422) },
      },
    },
    async (request) => {
      const since = sinceParam(request.query.since);
      return channelHealth(app.ctx.db.kysely, app.ctx.config, principalOf(request).organisationId, { since });
    },
  );
}

/** A period code or an ISO date-time, as the start of the period. */
function sinceParam(value: string | undefined): string {
  if (value === undefined) return sinceOf('24h');
  if (isPeriod(value)) return sinceOf(value);
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid([{ field: 'since', code: 'invalid_date', message: 'Indiquez une date-heure réelle, par exemple 2026-11-01T00:00:00Z, ou 24h, 7d, 30d.' }]);
  return new Date(time).toISOString();
}
