import type { Config } from '../../config.js';
import type { Executor } from '../../db/transaction.js';
import { emailStatus } from '../email/status.js';
import { inboundRepository, type Inbound, type InboundChannel } from '../inbound-repository.js';
import { open311Status } from '../open311/status.js';
import { phoneStatus } from '../phone/status.js';
import { smsStatus } from '../sms/status.js';
import type { ChannelSetting, ChannelStatusCheck } from '../status.js';
import { webhooksStatus } from '../webhooks/status.js';

/** The channels in the order the health page shows them, with their French names. */
export const HEALTH_CHANNELS: readonly { channel: InboundChannel; label: string }[] = [
  { channel: 'email', label: 'Courriel' },
  { channel: 'sms', label: 'SMS' },
  { channel: 'phone', label: 'Téléphone' },
  { channel: 'open311', label: 'Open311' },
  { channel: 'social', label: 'Réseaux sociaux et plateformes' },
];

/**
 * Each channel's configuration check. An object (not a switch) so the page and the API read one
 * list, and a test can make one check fail to see that the page survives it.
 */
export const STATUS_CHECKS: Record<InboundChannel, ChannelStatusCheck> = {
  email: emailStatus,
  sms: smsStatus,
  phone: phoneStatus,
  open311: open311Status,
  social: webhooksStatus,
};

/** French labels of the reasons channels give for ignoring or quarantining an item; unknown codes are shown as they are. */
export const REASON_LABELS: Record<string, string> = {
  auto_reply: 'Réponse automatique',
  bounce: 'Non-distribution',
  loop: 'Boucle de messagerie',
  opt_out: 'Désinscription (STOP)',
  call_event: 'Événement d’appel',
  duplicate: 'Doublon',
  opt_in: 'Réinscription (START)',
  empty: 'Message vide',
  invalid_sender: 'Expéditeur invalide',
  // Quarantine reasons.
  parse_error: 'Message illisible',
  too_large: 'Taille excessive',
  missing_raw: 'Contenu non conservé',
  storage_error: 'Échec de l’enregistrement',
  processing_error: 'Erreur de traitement',
  no_triage_procedure: 'Aucune démarche d’accueil',
  intake_refused: 'Refusé par l’accueil unique',
  invalid_json: 'JSON invalide',
  mapping_failed: 'Correspondance impossible',
  invalid: 'Contenu invalide',
  refused: 'Refusé (données invalides)',
  internal_error: 'Erreur interne',
};

export const reasonLabel = (code: string | null): string => (code === null ? 'Sans motif' : (REASON_LABELS[code] ?? code));

/** The periods the page and the API offer: the code used in addresses, its length, its French name. */
export const PERIODS = {
  '24h': { ms: 24 * 3_600_000, label: 'Dernières 24 heures' },
  '7d': { ms: 7 * 24 * 3_600_000, label: '7 derniers jours' },
  '30d': { ms: 30 * 24 * 3_600_000, label: '30 derniers jours' },
} as const;
export type PeriodCode = keyof typeof PERIODS;
export const isPeriod = (value: unknown): value is PeriodCode => typeof value === 'string' && Object.hasOwn(PERIODS, value);

/** An item received and not processed for longer than this is stuck: the page warns. */
export const STALE_PENDING_MS = 5 * 60_000;

export interface ReasonCount {
  reason: string | null;
  label: string;
  count: number;
}

export interface ChannelHealth {
  channel: InboundChannel;
  label: string;
  received: number;
  created: number;
  threaded: number;
  ignored: number;
  ignoredByReason: ReasonCount[];
  quarantined: number;
  pending: number;
  /** Items pending for more than STALE_PENDING_MS, whenever received: a processing that stopped. */
  stalePending: { count: number; oldestReceivedAt: string } | null;
  lastReceivedAt: string | null;
  lastError: { id: number; receivedAt: string; processedAt: string | null; reason: string | null; reasonLabel: string; error: string | null } | null;
  settings: ChannelSetting[];
  /** The worst state among the settings, 'off' when there are none. */
  configuration: ChannelSetting['state'];
}

export interface HealthReport {
  since: string;
  generatedAt: string;
  channels: ChannelHealth[];
}

/**
 * Every channel's figures since a time — received, cases created, threaded onto a case, ignored by
 * reason, quarantined, still pending — its latest receipt and error, and its configuration status.
 * A configuration check that throws is reported as misconfigured with its message: one broken
 * channel never hides the others.
 */
export async function channelHealth(db: Executor, config: Config, organisationId: number, options: { since: string; now?: Date }): Promise<HealthReport> {
  const now = options.now ?? new Date();
  const [counts, lastReceived, stale, lastErrors, settings] = await Promise.all([
    inboundRepository.counts(db, organisationId, options.since),
    inboundRepository.lastReceived(db, organisationId),
    inboundRepository.stalePending(db, organisationId, new Date(now.getTime() - STALE_PENDING_MS).toISOString()),
    inboundRepository.lastErrors(db, organisationId),
    Promise.all(HEALTH_CHANNELS.map(({ channel }) => settingsOf(STATUS_CHECKS[channel], { db, config, organisationId }))),
  ]);
  return {
    since: options.since,
    generatedAt: now.toISOString(),
    channels: HEALTH_CHANNELS.map(({ channel, label }, i) => {
      const mine = counts.filter((c) => c.channel === channel);
      const sum = (status: string) => mine.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
      const ignoredByReason = mine
        .filter((c) => c.status === 'ignored')
        .map((c) => ({ reason: c.reason, label: reasonLabel(c.reason), count: c.count }))
        .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'fr'));
      const staleOne = stale.find((s) => s.channel === channel);
      const error = lastErrors.find((e) => e.channel === channel);
      const channelSettings = settings[i]!;
      return {
        channel,
        label,
        received: mine.reduce((n, c) => n + c.count, 0),
        created: sum('created'),
        threaded: sum('threaded'),
        ignored: sum('ignored'),
        ignoredByReason,
        quarantined: sum('quarantined'),
        pending: sum('pending'),
        stalePending: staleOne ? { count: staleOne.count, oldestReceivedAt: staleOne.oldestReceivedAt } : null,
        lastReceivedAt: lastReceived.find((r) => r.channel === channel)?.lastReceivedAt ?? null,
        lastError: error ? lastErrorOf(error) : null,
        settings: channelSettings,
        configuration: worstState(channelSettings),
      };
    }),
  };
}

/** The start of a period ending now. */
export function sinceOf(period: PeriodCode, now = new Date()): string {
  return new Date(now.getTime() - PERIODS[period].ms).toISOString();
}

async function settingsOf(check: ChannelStatusCheck, ctx: Parameters<ChannelStatusCheck>[0]): Promise<ChannelSetting[]> {
  try {
    return await check(ctx);
  } catch (err) {
    return [{ label: 'Vérification de la configuration', state: 'misconfigured', detail: `La vérification a échoué : ${err instanceof Error ? err.message : String(err)}` }];
  }
}

function worstState(settings: ChannelSetting[]): ChannelSetting['state'] {
  if (settings.some((s) => s.state === 'misconfigured')) return 'misconfigured';
  if (settings.some((s) => s.state === 'active')) return 'active';
  return 'off';
}

function lastErrorOf(item: Inbound): NonNullable<ChannelHealth['lastError']> {
  return { id: item.id, receivedAt: item.receivedAt, processedAt: item.processedAt, reason: item.reason, reasonLabel: reasonLabel(item.reason), error: item.error };
}
