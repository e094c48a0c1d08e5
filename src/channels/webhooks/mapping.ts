/**
 * The declarative mapping of a webhook source: for each intake field, a JSONata expression over
 * the delivery's JSON. A town describes a new platform in a file, without code; the mapping is
 * compiled and checked when the source is added, and evaluated under a time, depth and sequence
 * budget because a JSONata expression can loop.
 */
import jsonata from 'jsonata';
import type { FieldError } from '../../http/errors.js';

/** Every key a mapping may set (nested `author` and `location` objects or dotted keys alike). */
export const MAPPING_KEYS = [
  'author.name',
  'author.email',
  'author.phone',
  'author.externalId',
  'text',
  'subject',
  'location.lat',
  'location.lon',
  'location.address',
  'attachments',
  'sourceUrl',
  'procedure',
  'receivedAt',
  'deliveryId',
  'data',
] as const;
export type MappingKey = (typeof MAPPING_KEYS)[number];

/** A mapping as stored: dotted key → JSONata expression text. */
export type MappingDefinition = Partial<Record<MappingKey, string>>;

/** What a delivery says once mapped, typed and checked: the channel's view of the request. */
export interface MappedDelivery {
  author: { name: string | null; email: string | null; phone: string | null; externalId: string | null };
  text: string | null;
  subject: string | null;
  location: { lat?: number; lon?: number; address?: string } | null;
  attachments: { url: string; filename: string | null; mimeType: string | null }[];
  sourceUrl: string | null;
  procedure: string | null;
  receivedAt: string | null;
  deliveryId: string | null;
  data: Record<string, unknown>;
}

/** Budget of one expression's evaluation: beyond it the delivery is quarantined, the server is not stalled. */
const LIMITS = { timeout: 250, stack: 200, sequence: 10_000 };

/** JSONata's guardrail errors, said in French (other errors keep JSONata's own message and position). */
const BUDGET_MESSAGES: Record<string, string> = {
  D1012: 'l’évaluation a dépassé le temps permis',
  D1011: 'l’évaluation est trop profonde (boucle ?)',
  D2014: 'l’intervalle demandé est trop grand',
  D2015: 'l’expression produit une liste trop longue',
};

type Compiled = Map<MappingKey, jsonata.Expression>;

/** The outcome of reading a mapping file: the normalised definition, or every problem found (in French). */
export type MappingCheck = { ok: true; definition: MappingDefinition } | { ok: false; errors: FieldError[] };

/**
 * Checks a mapping as a town wrote it: an object whose keys are known intake fields (nested
 * `author`/`location` objects or dotted keys) and whose values are JSONata expressions that compile.
 */
export function checkMapping(raw: unknown): MappingCheck {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: 'mapping', code: 'invalid', message: 'La correspondance doit être un objet JSON : { "text": "…", "author": { "name": "…" } }.' }] };
  }
  const errors: FieldError[] = [];
  const definition: MappingDefinition = {};
  const known = new Set<string>(MAPPING_KEYS);
  const visit = (object: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(object)) {
      const path = `${prefix}${key}`;
      if (!prefix && (key === 'author' || key === 'location') && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        visit(value as Record<string, unknown>, `${key}.`);
        continue;
      }
      if (!known.has(path)) {
        errors.push({ field: `mapping.${path}`, code: 'unknown_key', message: `Clé inconnue « ${path} » : les clés possibles sont ${MAPPING_KEYS.join(', ')}.` });
        continue;
      }
      if (typeof value !== 'string' || value.trim() === '') {
        errors.push({ field: `mapping.${path}`, code: 'invalid', message: `« ${path} » doit être une expression JSONata (une chaîne non vide).` });
        continue;
      }
      try {
        jsonata(value);
        definition[path as MappingKey] = value;
      } catch (error) {
        errors.push({ field: `mapping.${path}`, code: 'invalid_expression', message: `L’expression de « ${path} » ne se compile pas : ${jsonataMessage(error)}.` });
      }
    }
  };
  visit(raw as Record<string, unknown>, '');
  if (errors.length === 0 && !definition.text && !definition.data) {
    errors.push({ field: 'mapping.text', code: 'required', message: 'La correspondance doit au moins donner « text » ou « data » : sinon la demande serait vide.' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, definition };
}

/** Compiled mappings by their text: a source's mapping is read from the database on each delivery, compiled once. */
const compiledCache = new Map<string, Compiled>();
const CACHE_SIZE = 200;

function compile(definition: MappingDefinition): Compiled {
  const cacheKey = JSON.stringify(definition);
  let compiled = compiledCache.get(cacheKey);
  if (!compiled) {
    compiled = new Map();
    for (const key of MAPPING_KEYS) {
      const text = definition[key];
      if (text) compiled.set(key, jsonata(text, LIMITS));
    }
    if (compiledCache.size >= CACHE_SIZE) compiledCache.delete(compiledCache.keys().next().value as string);
    compiledCache.set(cacheKey, compiled);
  }
  return compiled;
}

/** The outcome of mapping one delivery. */
export type MappingResult = { ok: true; value: MappedDelivery } | { ok: false; errors: FieldError[] };

/**
 * Evaluates every expression of the mapping over the delivery, then types and checks what came
 * out, collecting every problem as a French field message (the relay's operator reads them).
 */
export async function applyMapping(definition: MappingDefinition, delivery: unknown): Promise<MappingResult> {
  const errors: FieldError[] = [];
  const values = new Map<MappingKey, unknown>();
  for (const [key, expression] of compile(definition)) {
    try {
      values.set(key, plain(await expression.evaluate(delivery)));
    } catch (error) {
      const code = (error as { code?: string }).code;
      const message = BUDGET_MESSAGES[code ?? ''] ?? jsonataMessage(error);
      errors.push({ field: `mapping.${key}`, code: 'evaluation_failed', message: `L’expression de « ${key} » a échoué : ${message}.` });
    }
  }
  const text = (key: MappingKey, max: number): string | null => {
    const value = values.get(key);
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const s = String(value).trim();
      if (s.length > max) {
        errors.push({ field: key, code: 'too_long', message: `« ${key} » dépasse ${max} caractères.` });
        return null;
      }
      return s || null;
    }
    errors.push({ field: key, code: 'invalid', message: `« ${key} » doit être un texte, l’expression a donné ${describe(value)}.` });
    return null;
  };
  const number = (key: MappingKey, min: number, max: number): number | undefined => {
    const value = values.get(key);
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      errors.push({ field: key, code: 'invalid', message: `« ${key} » doit être un nombre entre ${min} et ${max}.` });
      return undefined;
    }
    return n;
  };

  const url = (key: MappingKey, value: string | null): string | null => {
    if (value === null) return null;
    if (!isHttpUrl(value)) {
      errors.push({ field: key, code: 'invalid', message: `« ${key} » doit être une adresse http(s).` });
      return null;
    }
    return value;
  };

  const lat = number('location.lat', -90, 90);
  const lon = number('location.lon', -180, 180);
  const address = text('location.address', 500);
  const location = lat !== undefined || lon !== undefined || address ? { ...(lat !== undefined ? { lat } : {}), ...(lon !== undefined ? { lon } : {}), ...(address ? { address } : {}) } : null;

  let receivedAt = text('receivedAt', 100);
  if (receivedAt !== null) {
    const raw = values.get('receivedAt');
    // Unix seconds are common in platforms' payloads (Facebook's `created_time`): accepted as such.
    const date = typeof raw === 'number' ? new Date(raw * 1000) : new Date(receivedAt);
    if (Number.isNaN(date.getTime())) {
      errors.push({ field: 'receivedAt', code: 'invalid', message: '« receivedAt » doit être une date ISO 8601 ou un nombre de secondes Unix.' });
      receivedAt = null;
    } else receivedAt = date.toISOString();
  }

  const data = values.get('data');
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    errors.push({ field: 'data', code: 'invalid', message: `« data » doit donner un objet (les champs du formulaire de la démarche), l’expression a donné ${describe(data)}.` });
  }

  const value: MappedDelivery = {
    author: { name: text('author.name', 200), email: text('author.email', 254), phone: text('author.phone', 40), externalId: text('author.externalId', 200) },
    text: text('text', 20_000),
    subject: text('subject', 200),
    location,
    attachments: attachmentsOf(values.get('attachments'), errors),
    sourceUrl: url('sourceUrl', text('sourceUrl', 2000)),
    procedure: text('procedure', 100),
    receivedAt,
    deliveryId: text('deliveryId', 200),
    data: data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** At most this many files are fetched per delivery: a relay cannot make us download a gallery. */
export const MAX_ATTACHMENTS = 5;

function attachmentsOf(value: unknown, errors: FieldError[]): MappedDelivery['attachments'] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: MappedDelivery['attachments'] = [];
  items.forEach((item, index) => {
    const entry = typeof item === 'string' ? { url: item } : item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const url = typeof entry.url === 'string' ? entry.url.trim() : '';
    if (!isHttpUrl(url)) {
      errors.push({ field: `attachments[${index}].url`, code: 'invalid', message: 'Chaque pièce jointe doit avoir une adresse http(s) (« url »).' });
      return;
    }
    out.push({
      url,
      filename: typeof entry.filename === 'string' && entry.filename.trim() ? entry.filename.trim() : null,
      mimeType: typeof entry.mimeType === 'string' && entry.mimeType.trim() ? entry.mimeType.trim() : null,
    });
  });
  if (out.length > MAX_ATTACHMENTS) {
    errors.push({ field: 'attachments', code: 'too_many', message: `Au plus ${MAX_ATTACHMENTS} pièces jointes par envoi.` });
  }
  return out;
}

/** Only http(s) URLs are fetched or shown as links: no file:, data: or javascript: from a relay. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** JSONata sequences are arrays with extra flags: turned into plain JSON values. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'une liste';
  if (value !== null && typeof value === 'object') return 'un objet';
  return `une valeur de type ${typeof value}`;
}

function jsonataMessage(error: unknown): string {
  const e = error as { message?: string; position?: number };
  const message = e.message ?? String(error);
  return e.position !== undefined ? `${message} (position ${e.position})` : message;
}
