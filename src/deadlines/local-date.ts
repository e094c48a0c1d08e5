/**
 * The local calendar date (YYYY-MM-DD) of an instant in an IANA zone. Called on every intake:
 * one cached Intl formatter per zone is several times cheaper than building a luxon DateTime.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localDate(instant: Date, zone: string): string {
  let formatter = formatters.get(zone);
  if (!formatter) {
    // en-CA formats dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, formatter);
  }
  return formatter.format(instant);
}
