/**
 * Weekly opening hours of a town hall, used to count deadlines in business time.
 */

/** Day keys, in ISO order (index + 1 = luxon `weekday`, Monday = 1). */
export const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export type DayKey = (typeof DAY_KEYS)[number];

/**
 * Local wall-clock opening ranges per day, `[start, end]` in `HH:MM` (00:00–23:59),
 * non-overlapping. A missing or empty day is closed. Wall-clock (not UTC) so that
 * "08:30" stays 08:30 on both sides of a DST change.
 */
export type OpeningHours = Partial<Record<DayKey, [string, string][]>>;

/** Usual French town-hall hours: Monday to Friday, 08:30–12:00 and 13:30–17:30. */
export const DEFAULT_OPENING_HOURS: OpeningHours = Object.freeze({
  mon: [['08:30', '12:00'], ['13:30', '17:30']],
  tue: [['08:30', '12:00'], ['13:30', '17:30']],
  wed: [['08:30', '12:00'], ['13:30', '17:30']],
  thu: [['08:30', '12:00'], ['13:30', '17:30']],
  fri: [['08:30', '12:00'], ['13:30', '17:30']],
});

const DAY_LABELS: Record<DayKey, string> = {
  mon: 'lundi',
  tue: 'mardi',
  wed: 'mercredi',
  thu: 'jeudi',
  fri: 'vendredi',
  sat: 'samedi',
  sun: 'dimanche',
};

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight for a valid `HH:MM` string, `null` otherwise. */
export function parseTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = TIME_RE.exec(value);
  if (!match) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

function isDayKey(key: string): key is DayKey {
  return (DAY_KEYS as readonly string[]).includes(key);
}

/**
 * Validates untrusted opening hours (settings form, API payload) and returns French
 * error messages, empty when valid. Ranges may be given in any order: overlap is
 * detected after sorting, and touching ranges (12:00–12:00) are allowed.
 */
export function checkOpeningHours(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ["Les horaires d'ouverture doivent être un objet indexé par jour (mon, tue, …, sun)."];
  }
  const errors: string[] = [];
  for (const [key, ranges] of Object.entries(value)) {
    if (!isDayKey(key)) {
      errors.push(`Jour inconnu « ${key} » (attendu : ${DAY_KEYS.join(', ')}).`);
      continue;
    }
    const day = DAY_LABELS[key];
    if (!Array.isArray(ranges)) {
      errors.push(`${day} : les plages horaires doivent être une liste de couples [début, fin].`);
      continue;
    }
    const valid: { start: number; end: number; label: string }[] = [];
    ranges.forEach((range: unknown, index) => {
      const where = `${day}, plage n° ${index + 1}`;
      if (!Array.isArray(range) || range.length !== 2) {
        errors.push(`${where} : une plage doit être un couple [début, fin].`);
        return;
      }
      const [rawStart, rawEnd] = range as unknown[];
      const start = parseTime(rawStart);
      const end = parseTime(rawEnd);
      if (start === null) errors.push(`${where} : heure de début invalide « ${String(rawStart)} » (format HH:MM attendu).`);
      if (end === null) errors.push(`${where} : heure de fin invalide « ${String(rawEnd)} » (format HH:MM attendu).`);
      if (start === null || end === null) return;
      if (end <= start) {
        errors.push(`${where} : l'heure de fin (${String(rawEnd)}) doit être postérieure à l'heure de début (${String(rawStart)}).`);
        return;
      }
      valid.push({ start, end, label: `${String(rawStart)}–${String(rawEnd)}` });
    });
    valid.sort((a, b) => a.start - b.start);
    let latest = valid[0];
    for (const current of valid.slice(1)) {
      if (latest && current.start < latest.end) {
        errors.push(`${day} : les plages ${latest.label} et ${current.label} se chevauchent.`);
      }
      if (!latest || current.end > latest.end) latest = current;
    }
  }
  return errors;
}
