const UNITS: Record<string, [one: string, many: string]> = {
  business_days: ['jour ouvré', 'jours ouvrés'],
  business_hours: ['heure ouvrée', 'heures ouvrées'],
  calendar_days: ['jour', 'jours'],
  days: ['jour', 'jours'],
  weeks: ['semaine', 'semaines'],
  months: ['mois', 'mois'],
};

/**
 * A delay as citizens read it: « 10 jours ouvrés », « 2 mois », « 1,5 jour » (French puts the
 * singular below two). One wording for the procedure page and the acknowledgment of receipt.
 */
export function durationInWords(value: number, unit: string): string {
  const [one, many] = UNITS[unit] ?? [unit, unit];
  return `${String(value).replace('.', ',')} ${value >= 2 ? many : one}`;
}
