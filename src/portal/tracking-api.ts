import { Type } from 'typebox';
import type { App } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { problems } from '../http/schemas.js';
import { implicitDecisionDay } from '../deadlines/silence.js';
import { trackCase } from './tracking.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const TrackedCaseSchema = Type.Object({
  reference: Type.String({ description: 'Numéro du dossier.' }),
  procedureTitle: Type.String(),
  status: Type.Object({ label: Type.String({ description: 'Statut dans les mots de l’usager.' }), closed: Type.Boolean() }),
  receivedAt: Type.String({ format: 'date-time' }),
  dueAt: Nullable(Type.String({ format: 'date-time' })),
  implicitDecisionAt: Nullable(Type.String({ format: 'date-time', description: 'Instant de la décision implicite (silence de l’administration), le cas échéant : minuit, heure locale.' })),
  implicitDecisionOn: Nullable(Type.String({ format: 'date', description: 'Jour de la décision implicite, dans le fuseau de la collectivité : la date affichée par le portail.' })),
  steps: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), label: Type.String() })),
  messages: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), subject: Type.String(), body: Type.String(), channel: Type.String() })),
});

/**
 * Tracking by code as JSON, for native apps: the same view of a case as the portal's `/suivi/<code>`
 * page (citizen-facing statuses, steps and the messages sent to the citizen, nothing internal). The
 * code is the key: no token, and the answer is kept out of caches.
 */
export async function trackingApiRoutes(app: App): Promise<void> {
  app.get(
    '/api/v1/tracking/:code',
    {
      schema: {
        tags: ['Suivi'],
        summary: 'Suivre une demande avec son code de suivi',
        description: 'Sans jeton : le code de suivi, remis à l’usager avec l’accusé de réception, suffit. Réponse non mise en cache.',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 40, description: 'Code de suivi, par exemple ABCD-EFGH-JKMN.' }) }),
        response: { 200: TrackedCaseSchema, ...problems(404) },
      },
    },
    async (request, reply) => {
      const tracked = await trackCase(app.ctx.db.kysely, request.params.code);
      if (!tracked) throw notFound('Aucune demande ne correspond à ce code de suivi.');
      const implicitDecisionOn = implicitDecisionDay(tracked.implicitDecisionAt, app.ctx.config.TIMEZONE);
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send({ ...tracked, implicitDecisionOn });
    },
  );
}
