import { PERIODS, type PeriodCode } from '../../../../channels/health/service.js';
import type { ChannelSetting } from '../../../../channels/status.js';

export const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Paris' });
export const integer = new Intl.NumberFormat('fr-FR');
const oneDecimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** The page's periods, by their French code in the address (`?periode=7j`). */
export const PAGE_PERIODS = {
  '24h': { period: '24h', label: PERIODS['24h'].label },
  '7j': { period: '7d', label: PERIODS['7d'].label },
  '30j': { period: '30d', label: PERIODS['30d'].label },
} as const satisfies Record<string, { period: PeriodCode; label: string }>;
export type PagePeriod = keyof typeof PAGE_PERIODS;

/** A configuration state in words: the page never tells it by colour alone. */
export const STATE_LABEL: Record<ChannelSetting['state'], string> = {
  active: 'actif',
  off: 'désactivé',
  misconfigured: 'mal configuré',
};

/** A size in bytes as people read it: « 12,5 Ko », « 30 Mo ». */
export function sizeLabel(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${integer.format(bytes)} octets`;
  if (bytes < 1024 * 1024) return `${oneDecimal.format(bytes / 1024)} Ko`;
  return `${oneDecimal.format(bytes / (1024 * 1024))} Mo`;
}
