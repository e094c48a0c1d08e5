/**
 * Legal silence delays of the CRPA ("le silence gardé pendant deux mois par
 * l'administration vaut accord" — or rejection, depending on the procedure).
 * Unlike processing targets, these run in calendar time, weekends and holidays
 * included, on local dates of the town hall's zone.
 */
import { DateTime } from 'luxon';

/** Legal delay as written in the texts ("deux mois", "quinze jours", …). */
export type Delay = { value: number; unit: 'days' | 'weeks' | 'months' };

/**
 * Interruption of a silence delay, in chronological order:
 * - `suspend`: missing pieces requested, the clock stops from `from` to `to` and
 *   the remaining delay resumes at `to`;
 * - `restart`: the file was incomplete (or the procedure says so), the full delay
 *   starts again on the local day of `to` (arrival of the pieces).
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
 * Local date on which the delay expires. Months are calendar months clamped to
 * the month end when the day does not exist (luxon's behaviour): 31 January + 1
 * month → 28/29 February, 29 February 2028 + 12 months → 28 February 2029.
 */
function expiry(start: DateTime, { value, unit }: Delay): DateTime {
  return start.plus(unit === 'months' ? { months: value } : { days: unit === 'weeks' ? value * 7 : value });
}

/**
 * Date on which the implicit decision is born: the delay counted from the local
 * day of receipt (receipt 15 January + 2 months → 15 March), at the end of that
 * local day (23:59:59.999 in `zone`) since the decision is acquired "à
 * l'expiration du délai", i.e. once the last day has fully run.
 *
 * Suspensions are applied in chronological order of `from`; one starting after the
 * decision is born is ignored (the decision is already acquired). A `suspend`
 * pushes the date by the number of local days between `from` and `to` (days
 * already covered by an earlier suspension are not counted twice); a `restart`
 * counts the full delay again from the local day of `to`. An open suspension
 * (`to: null`) that starts before the birth returns `null`: no date while waiting.
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
  let birthDay = expiry(receiptDay, delay);
  let stoppedUntil: DateTime = receiptDay;
  const ordered = [...suspensions].sort((a, b) => a.from.getTime() - b.from.getTime());
  for (const { from, to, mode } of ordered) {
    const fromDay = DateTime.max(localDay(from), receiptDay);
    if (fromDay.toMillis() > birthDay.toMillis()) break;
    if (to === null) return null;
    const toDay = localDay(to);
    if (mode === 'restart') {
      birthDay = expiry(DateTime.max(toDay, receiptDay), delay);
    } else {
      const start = DateTime.max(fromDay, stoppedUntil);
      birthDay = birthDay.plus({ days: Math.max(0, Math.round(toDay.diff(start, 'days').days)) });
    }
    stoppedUntil = DateTime.max(stoppedUntil, toDay);
  }
  return birthDay.endOf('day').toJSDate();
}
