/** Dates as the citizen reads them, in the town's time zone. */
export const formatDate = (iso: string, timezone: string) =>
  new Date(iso).toLocaleDateString('fr-FR', { timeZone: timezone, day: 'numeric', month: 'long', year: 'numeric' });

export const formatDateTime = (iso: string, timezone: string) =>
  new Date(iso).toLocaleString('fr-FR', { timeZone: timezone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
