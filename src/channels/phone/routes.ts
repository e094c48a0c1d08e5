import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { problems } from '../../http/schemas.js';
import { channelOrganisation } from '../organisation.js';
import { parseCallEvent } from './events.js';
import { recordCallEvent } from './service.js';

/** The path PBXs post their call events to. */
export const PHONE_EVENTS_PATH = '/channels/phone/events';

const CallEventAnswer = Type.Object({
  callId: Type.String(),
  event: Type.String(),
  duplicate: Type.Boolean({ description: 'Vrai quand cet événement de cet appel avait déjà été reçu : rien n’a changé.' }),
  state: Type.Union([Type.Literal('ringing'), Type.Literal('answered'), Type.Literal('ended'), Type.Null()], { description: 'État de l’appel après l’événement (null pour un doublon).' }),
  screenPop: Type.Union([Type.Boolean(), Type.Null()], { description: 'Vrai quand un agent (par son numéro de poste) voit l’appel.' }),
});

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when the request carries the installation's token (compared in constant time). */
function hasToken(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S{1,500})$/i.exec(header);
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/**
 * The telephony webhook: one POST per call event (newCall, answer, hangup), JSON or
 * form-encoded, authenticated by the installation's CTI_TOKEN. Answers 200 with the call's state,
 * also for an event already received (a PBX's retry changes nothing).
 */
export async function phoneRoutes(app: App): Promise<void> {
  app.post(
    PHONE_EVENTS_PATH,
    {
      schema: {
        tags: ['Canaux'],
        summary: 'Événement d’appel téléphonique (CTI)',
        description:
          'Envoyé par l’autocommutateur à chaque étape d’un appel (newCall, answer, hangup), au format de l’API « CTI générique » de Zammad : ' +
          'event, from, to, direction (in/out), callId, user[], answeringNumber, cause ; plus extension, le poste de l’agent qui sonne. JSON ou formulaire.',
        security: [{ bearer: [] }],
        response: { 200: CallEventAnswer, ...problems(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { config, db } = app.ctx;
      if (!config.CTI_TOKEN) throw new AppError('not_found', 'La téléphonie n’est pas configurée sur cette installation (CTI_TOKEN).');
      if (!hasToken(request, config.CTI_TOKEN)) {
        void reply.header('www-authenticate', 'Bearer realm="guichet-telephonie"');
        throw new AppError('unauthenticated', 'Jeton de téléphonie absent ou invalide (en-tête Authorization: Bearer …).');
      }
      const parsed = parseCallEvent(request.body);
      if (!parsed.ok) throw new AppError('bad_request', `${parsed.errors.length} champ(s) à corriger dans l’événement d’appel.`, parsed.errors);
      const organisation = await channelOrganisation(db.kysely, config);
      if (!organisation) throw new AppError('unavailable', 'Aucune collectivité n’est encore configurée.');
      const { duplicate, call } = await recordCallEvent(db, organisation.id, parsed.value);
      return reply.status(200).send({ callId: parsed.value.callId, event: parsed.value.event, duplicate, state: call?.state ?? null, screenPop: call ? call.agent_id !== null : null });
    },
  );
}
