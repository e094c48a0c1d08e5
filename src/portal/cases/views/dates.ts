/**
 * Dates as the citizen reads them, in the town's time zone. The formatters are built once per
 * time zone: `toLocaleDateString` builds a new one on every call, which was the largest cost of a
 * « Mes demandes » page of 50 cases.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timezone}|${withTime}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat('fr-FR', {
      timeZone: timezone,
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
    });
    formatters.set(key, found);
  }
  return found;
}

export const formatDate = (iso: string, timezone: string) => formatter(timezone, false).format(new Date(iso));

export const formatDateTime = (iso: string, timezone: string) => formatter(timezone, true).format(new Date(iso));
