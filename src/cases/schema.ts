import { Type, type Static } from 'typebox';
import { JsonObject } from '../http/schemas.js';
import { CHANNELS } from './repository.js';

const ChannelSchema = Type.Enum(CHANNELS, {
  description: 'Canal par lequel la demande est arrivée.',
});
const PrioritySchema = Type.Union([Type.Literal('low'), Type.Literal('normal'), Type.Literal('high'), Type.Literal('urgent')]);

export const CreateCaseBody = Type.Object(
  {
    procedure: Type.String({ minLength: 1, maxLength: 100, description: 'Identifiant (slug) de la démarche.' }),
    channel: Type.Optional(ChannelSchema),
    citizen: Type.Union([JsonObject, Type.Null()], {
      description:
        'L’usager : civility (M|Mme), firstNames, lastName, usageName, birthDate (AAAA-MM-JJ), email, phone, address {line1, line2, postcode, city}. null pour une demande anonyme, si la démarche le permet.',
    }),
    data: Type.Union([JsonObject], { description: 'Les réponses au formulaire de la démarche, par nom de champ.' }),
    location: Type.Optional(
      Type.Object(
        {
          address: Type.Optional(Type.String({ maxLength: 500 })),
          lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
          lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
        },
        { additionalProperties: false },
      ),
    ),
    receivedAt: Type.Optional(Type.String({ format: 'date-time', description: 'Date légale de réception, si elle diffère de maintenant.' })),
    priority: Type.Optional(PrioritySchema),
    subject: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type CreateCaseBody = Static<typeof CreateCaseBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'Rend la requête rejouable sans doublon : même clé et même corps, même dossier.' }),
  ),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ReceiptSchema = Type.Object({
  reference: Type.String({ description: 'Numéro de dossier, par exemple 2026-000123.' }),
  trackingCode: Type.String({ description: 'Code de suivi confidentiel, à remettre à l’usager.' }),
  receivedAt: Type.String({ format: 'date-time' }),
  dueAt: Nullable(Type.String({ format: 'date-time' })),
  implicitDecisionAt: Nullable(Type.String({ format: 'date-time', description: 'Instant de naissance de la décision implicite (silence vaut accord ou rejet) : minuit, heure locale.' })),
  implicitDecisionOn: Nullable(
    Type.String({
      format: 'date',
      description: 'Jour où naît la décision implicite (le lendemain du dernier jour du délai), dans le fuseau de la collectivité : la date de l’accusé de réception et du portail.',
    }),
  ),
  procedure: Type.Object({ slug: Type.String(), title: Type.String() }),
  department: Type.Object({ id: Type.Integer(), name: Type.String(), email: Nullable(Type.String()), phone: Nullable(Type.String()), address: Nullable(Type.String()) }),
  routing: Type.Object({
    by: Type.Union([Type.Literal('rule'), Type.Literal('procedure_default'), Type.Literal('reception_fallback')]),
    rule: Type.String({ description: 'La règle qui a décidé du service.' }),
  }),
  citizen: Nullable(Type.Object({ id: Type.Integer(), matchedBy: Type.String(), possibleDuplicateOf: Nullable(Type.Integer()) })),
});

export const CaseSchema = Type.Object({
  reference: Type.String(),
  procedure: Nullable(Type.Object({ slug: Type.String(), title: Type.String() })),
  channel: ChannelSchema,
  status: Type.String(),
  department: Type.Object({ id: Type.Integer(), name: Type.String() }),
  assignedAgentId: Nullable(Type.Integer()),
  citizenId: Nullable(Type.Integer()),
  priority: PrioritySchema,
  subject: Type.String(),
  location: Nullable(Type.Object({ address: Nullable(Type.String()), lat: Nullable(Type.Number()), lon: Nullable(Type.Number()) })),
  data: JsonObject,
  receivedAt: Type.String({ format: 'date-time' }),
  dueAt: Nullable(Type.String({ format: 'date-time' })),
  implicitDecisionAt: Nullable(Type.String({ format: 'date-time' })),
  implicitDecisionOn: Nullable(
    Type.String({
      format: 'date',
      description: 'Jour où naît la décision implicite (le lendemain du dernier jour du délai), dans le fuseau de la collectivité : la date de l’accusé de réception et du portail.',
    }),
  ),
  closedAt: Nullable(Type.String({ format: 'date-time' })),
  outcome: Nullable(Type.String()),
  labels: Type.Array(Type.String()),
  deadline: Type.Optional(
    Nullable(
      Type.Object(
        {
          state: Type.Union([Type.Literal('on_time'), Type.Literal('at_risk'), Type.Literal('overdue'), Type.Literal('paused')]),
          elapsedRatio: Type.Number({ description: 'Part du délai ouvré déjà écoulée (à risque à partir de 0,8).' }),
        },
        { description: 'Position face à l’échéance de traitement ; null pour un dossier clos ou sans échéance. Seulement dans la lecture d’un dossier.' },
      ),
    ),
  ),
  version: Type.Integer({ description: 'Incrémentée à chaque changement ; à renvoyer en expectedVersion.' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const CaseListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ maxLength: 50 })),
    department: Type.Optional(Type.Integer({ minimum: 1, description: 'Identifiant du service.' })),
    procedure: Type.Optional(Type.String({ maxLength: 100, description: 'Slug de la démarche.' })),
    channel: Type.Optional(ChannelSchema),
    receivedFrom: Type.Optional(Type.String({ format: 'date-time' })),
    receivedTo: Type.Optional(Type.String({ format: 'date-time' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Numéro de dossier exact ou texte de l’objet.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Curseur nextCursor de la page précédente.' })),
  },
  { additionalProperties: false },
);
export type CaseListQuery = Static<typeof CaseListQuery>;

/** A case in a list: everything but its form data (read the case itself for that). */
export const CaseSummarySchema = Type.Omit(CaseSchema, ['data']);

export const CaseListSchema = Type.Object({
  items: Type.Array(CaseSummarySchema),
  nextCursor: Nullable(Type.String({ description: 'À passer en cursor pour la page suivante ; null en fin de liste.' })),
});

export const ReferenceParams = Type.Object({ reference: Type.String({ pattern: '^[0-9]{4}-[0-9]{6,}$', description: 'Numéro de dossier.' }) });

export const JournalSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      type: Type.String(),
      actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }),
      payload: JsonObject,
      createdAt: Type.String({ format: 'date-time' }),
      hash: Type.String({ description: 'SHA-256 chaîné à l’événement précédent.' }),
    }),
  ),
});
