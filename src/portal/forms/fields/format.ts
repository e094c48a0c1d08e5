/** How answers read in French. */
import { isIsoDate } from '../../../procedures/form/dates.js';

const DAY = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "12 avril 2026" for an ISO date; other text is returned as it is. */
export function frenchDate(iso: string): string {
  if (!isIsoDate(iso)) return iso;
  const text = DAY.format(new Date(`${iso}T00:00:00Z`));
  // "1 mai" is written "1er mai".
  return text.replace(/^1 /, '1er ');
}

/** A number the French way: "12,5", "10 000". */
export function frenchNumber(value: number): string {
  return value.toLocaleString('fr-FR', { maximumFractionDigits: 10 });
}
