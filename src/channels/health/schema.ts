import { Type, type Static } from 'typebox';
import { INBOUND_CHANNELS } from '../inbound-repository.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const State = Type.Union([Type.Literal('active'), Type.Literal('off'), Type.Literal('misconfigured')]);

export const HealthQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({
        pattern: '^(24h|7d|30d|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))$',
        description: 'Début de la période : « 24h » (par défaut), « 7d », « 30d », ou une date-heure ISO 8601 avec fuseau, par exemple 2026-11-01T00:00:00Z.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type HealthQuery = Static<typeof HealthQuery>;

const Setting = Type.Object({
  label: Type.String(),
  state: State,
  detail: Type.String(),
});

const ChannelHealthSchema = Type.Object({
  channel: Type.Enum(INBOUND_CHANNELS, { description: 'Le canal (social : réseaux sociaux et plateformes de participation, par webhooks).' }),
  label: Type.String({ description: 'Nom du canal en français.' }),
  received: Type.Integer({ description: 'Éléments reçus pendant la période, quel que soit leur sort.' }),
  created: Type.Integer({ description: 'Dont dossiers créés.' }),
  threaded: Type.Integer({ description: 'Dont messages ajoutés à un dossier existant.' }),
  ignored: Type.Integer({ description: 'Dont ignorés (réponses automatiques, non-distributions, boucles, STOP…).' }),
  ignoredByReason: Type.Array(Type.Object({ reason: Nullable(Type.String()), label: Type.String(), count: Type.Integer() })),
  quarantined: Type.Integer({ description: 'Dont mis en quarantaine (illisibles, trop volumineux, erreur de traitement).' }),
  pending: Type.Integer({ description: 'Dont pas encore traités.' }),
  stalePending: Nullable(
    Type.Object(
      { count: Type.Integer(), oldestReceivedAt: DateTime },
      { description: 'Éléments en attente de traitement depuis plus de cinq minutes, quelle que soit la période : un traitement arrêté.' },
    ),
  ),
  lastReceivedAt: Nullable(DateTime),
  lastError: Nullable(
    Type.Object({
      id: Type.Integer({ description: 'Numéro de l’élément en quarantaine.' }),
      receivedAt: DateTime,
      processedAt: Nullable(DateTime),
      reason: Nullable(Type.String()),
      reasonLabel: Type.String(),
      error: Nullable(Type.String()),
    }),
  ),
  settings: Type.Array(Setting, { description: 'État de chaque élément de configuration du canal.' }),
  configuration: State,
});

export const HealthReportSchema = Type.Object({
  since: DateTime,
  generatedAt: DateTime,
  channels: Type.Array(ChannelHealthSchema),
});
