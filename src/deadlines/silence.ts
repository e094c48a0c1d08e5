/**
 * Legal silence delays of the CRPA ("le silence gardé pendant deux mois par
 * l'administration vaut accord" — or rejection, depending on the procedure).
 * Unlike processing targets, these run in calendar time, weekends and holidays
 * included, on local dates of the town hall's zone.
 */
import { DateTime } from 'luxon';
import { localDate } from './local-date.js';

/** Legal delay as written in the texts ("deux mois", "quinze jours", …). */
export type Delay = { value: number; unit: 'days' | 'weeks' | 'months' };

/**
 * Interruption of a silence delay, in chronological order:
 * - `suspend`: missing pieces requested; every local day from the day the request is sent (`from`)
 *   to the day the pieces arrive (`to`), both included, is added to the delay: the clock stops on
 *   the day of the request and starts again the day after the arrival;
 * - `restart`: the file was incomplete (CRPA L114-5: the delay only runs from the receipt of the
 *   missing pieces), the full delay is counted again from the day after `to`.
 * `to: null` means the administration is still waiting.
 */
export type Suspension = { from: Date; to: Date | null; mode: 'suspend' | 'restart' };

/** Default CRPA delay (article L. 231-1). */
export const DEFAULT_SILENCE_DELAY: Delay = Object.freeze({ value: 2, unit: 'months' });

function assertDelay({ value, unit }: Delay): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`Délai invalide (${value} ${unit}) : un nombre entier strictement positif est attendu.`);
  }
}

/**
 * The day after the delay's last day. The delay starts the day after its starting event (CRPA
 * L231-1, and the démarches-simplifiées computation: « dépôt + 1 jour + durée »); months are
 * calendar months added to that day and clamped to the month end when the day does not exist
 * (luxon's behaviour, Rails' too): received 30 January, the delay starts 31 January, + 1 month →
 * 28/29 February, the decision is born that day.
 */
function birthAfter(eventDay: DateTime, { value, unit }: Delay): DateTime {
  const start = eventDay.plus({ days: 1 });
  return start.plus(unit === 'months' ? { months: value } : { days: unit === 'weeks' ? value * 7 : value });
}

/**
 * The instant the implicit decision is born: the start of its local day in `zone`, the day after
 * the delay's last day. Received 15 May with two months: the delay runs from 16 May to 15 July, the
 * decision is born on 16 July (00:00 local) — the date every page, message and API answer gives.
 *
 * Suspensions are applied in chronological order of `from`; one starting on or after the birth
 * day is ignored (the decision is already acquired). A `suspend` pushes the birth by its days,
 * `from` and `to` included (days already covered by an earlier suspension are not counted twice);
 * a `restart` counts the full delay again from the day after `to`. An open suspension
 * (`to: null`) that starts before the birth returns `null`: no date while waiting.
 * docs/workflows.md « Délais de silence » gives the legal references and worked examples.
 */
export function implicitDecisionDate(
  receivedAt: Date,
  delay: Delay,
  zone = 'Europe/Paris',
  suspensions: Suspension[] = [],
): Date | null {
  assertDelay(delay);
  const received = DateTime.fromJSDate(receivedAt, { zone });
  if (!received.isValid) throw new RangeError(`Date de réception ou fuseau horaire « ${zone} » invalide.`);
  const receiptDay = received.startOf('day');
  const localDay = (date: Date): DateTime => DateTime.fromJSDate(date, { zone }).startOf('day');
  let birthDay = birthAfter(receiptDay, delay);
  // The last day already counted as suspended (none yet): a day is never counted twice.
  let suspendedThrough: DateTime = receiptDay.minus({ days: 1 });
  const ordered = [...suspensions].sort((a, b) => a.from.getTime() - b.from.getTime());
  for (const { from, to, mode } of ordered) {
    const fromDay = DateTime.max(localDay(from), receiptDay);
    if (fromDay.toMillis() >= birthDay.toMillis()) break;
    if (to === null) return null;
    const toDay = DateTime.max(localDay(to), fromDay);
    if (mode === 'restart') {
      birthDay = birthAfter(toDay, delay);
    } else {
      const first = DateTime.max(fromDay, suspendedThrough.plus({ days: 1 }));
      birthDay = birthDay.plus({ days: Math.max(0, Math.round(toDay.diff(first, 'days').days) + 1) });
    }
    suspendedThrough = DateTime.max(suspendedThrough, toDay);
  }
  return birthDay.startOf('day').toJSDate();
}

/**
 * The local day (YYYY-MM-DD) an implicit decision is born, as pages and messages write it: API
 * clients get it beside the instant, whose UTC date is the day before in France.
 */
export function implicitDecisionDay(implicitDecisionAt: string | null, zone: string): string | null {
  return implicitDecisionAt === null ? null : localDate(new Date(implicitDecisionAt), zone);
}
