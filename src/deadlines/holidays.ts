/**
 * French public holidays ("jours fériés"), which never count as business time.
 */
import Holidays from 'date-holidays';

export interface HolidayOptions {
  /**
   * Local law of Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle): Good Friday and
   * 26 December are also public holidays there.
   */
  alsaceMoselle?: boolean;
}

const LOCAL_DATE_RE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

let national: Holidays | undefined;
let alsaceMoselle: Holidays | undefined;
const cache = new Map<string, ReadonlySet<string>>();

/**
 * Public holiday dates of one year. Only type 'public' is kept: date-holidays also
 * lists observances (Pentecost Sunday, Mother's Day) which are not days off.
 * Department 57 (Moselle) carries the Alsace-Moselle rules, identical in 67 and 68.
 */
function holidaysOf(year: number, opts: HolidayOptions): ReadonlySet<string> {
  const key = `${year}:${opts.alsaceMoselle ? 'am' : 'fr'}`;
  let dates = cache.get(key);
  if (!dates) {
    const source = opts.alsaceMoselle
      ? (alsaceMoselle ??= new Holidays('FR', '57', { types: ['public'] }))
      : (national ??= new Holidays('FR', { types: ['public'] }));
    dates = new Set(
      source
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    cache.set(key, dates);
  }
  return dates;
}

/**
 * Whether a local calendar date (`YYYY-MM-DD`, already converted to the town
 * hall's zone) is a French public holiday. Results are cached per year because
 * deadline computations call this once per day they walk through.
 */
export function isPublicHoliday(localDate: string, opts: HolidayOptions = {}): boolean {
  const match = LOCAL_DATE_RE.exec(localDate);
  if (!match) throw new RangeError(`Date locale invalide « ${localDate} » (format AAAA-MM-JJ attendu).`);
  return holidaysOf(Number(match[1]), opts).has(localDate);
}
