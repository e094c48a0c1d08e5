/**
 * Structural checking of one node of a form definition against its TypeBox schema, with
 * the errors rewritten as French messages a procedure editor can act on.
 */
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import type { TLocalizedValidationError } from 'typebox/error';
import { childPath, lastKey, pointerToPath } from './definition-paths.js';

/** An error found in a form definition; `path` looks like `pages[1].fields[2].visibleWhen.field`. */
export interface DefinitionError { path: string; message: string }

const TYPE_NAMES: Record<string, string> = {
  string: 'une chaîne de caractères',
  number: 'un nombre',
  integer: 'un nombre entier',
  boolean: 'un booléen (true ou false)',
  array: 'une liste',
  object: 'un objet',
};

const PATTERN_MESSAGES: Record<string, (value: string) => string> = {
  name: (v) => `Nom de champ invalide « ${v} » : il doit commencer par une lettre minuscule et ne contenir que des lettres, des chiffres et « _ » (par exemple « dateNaissance »).`,
  id: (v) => `Identifiant de page invalide « ${v} » : utilisez uniquement des lettres, des chiffres, « - » et « _ ».`,
  min: (v) => `Borne de date invalide « ${v} » : écrivez une date au format AAAA-MM-JJ ou « today ».`,
  max: (v) => `Borne de date invalide « ${v} » : écrivez une date au format AAAA-MM-JJ ou « today ».`,
  accept: (v) => `Type MIME invalide « ${v} » : écrivez par exemple « application/pdf » ou « image/* ».`,
};

const MIN_ITEMS_MESSAGES: Record<string, string> = {
  options: 'La liste des options ne peut pas être vide.',
  pages: 'Le formulaire doit contenir au moins une page.',
  fields: 'Un groupe doit contenir au moins un champ.',
  accept: 'La liste des types acceptés ne peut pas être vide : omettez « accept » pour tout accepter.',
};

/**
 * Shows a value of the definition in a message, shortened, without ever throwing (even for
 * objects without prototype). Strings appear raw, or as JSON when `json` is set.
 */
export function quote(value: unknown, json = false): string {
  let text: string;
  try {
    text = typeof value === 'string' && !json ? value : JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count > 1 ? 's' : ''}`;
}

function translate(error: TLocalizedValidationError, path: string, value: unknown): DefinitionError[] {
  const key = lastKey(path);
  switch (error.keyword) {
    case 'required':
      return error.params.requiredProperties.map((name) => ({
        path: childPath(path, name), message: `La propriété « ${name} » est obligatoire.`,
      }));
    case 'additionalProperties':
      return error.params.additionalProperties.map((name) => ({
        path: childPath(path, name), message: `Propriété inconnue « ${quote(name)} » : elle n’est pas prévue à cet endroit.`,
      }));
    case 'boolean':
      return [];
    case 'type':
      return [{ path, message: `Doit être ${TYPE_NAMES[String(error.params.type)] ?? String(error.params.type)}.` }];
    case 'const':
      return [{ path, message: `Doit valoir ${quote(error.params.allowedValue, true)}.` }];
    case 'enum':
      return [{ path, message: `Valeur « ${quote(value)} » non reconnue ; valeurs possibles : ${error.params.allowedValues.join(', ')}.` }];
    case 'minLength':
      return [{ path, message: error.params.limit === 1 ? 'Ne doit pas être vide.' : `Doit contenir au moins ${plural(error.params.limit, 'caractère')}.` }];
    case 'maxLength':
      return [{ path, message: `Doit contenir au plus ${plural(error.params.limit, 'caractère')}.` }];
    case 'minimum':
      return [{ path, message: `Doit être supérieur ou égal à ${String(error.params.limit)}.` }];
    case 'maximum':
      return [{ path, message: `Doit être inférieur ou égal à ${String(error.params.limit)}.` }];
    case 'minItems':
      return [{ path, message: MIN_ITEMS_MESSAGES[key] ?? `Doit contenir au moins ${plural(error.params.limit, 'élément')}.` }];
    case 'maxItems':
      return [{ path, message: `Doit contenir au plus ${plural(error.params.limit, 'élément')}.` }];
    case 'pattern':
      return [{ path, message: PATTERN_MESSAGES[key]?.(quote(value)) ?? `Format invalide : « ${quote(value)} ».` }];
    default:
      return [{ path, message: 'Valeur invalide.' }];
  }
}

function valueAt(node: unknown, pointer: string): unknown {
  let current = node;
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

type JsonSchema = Record<string, unknown>;

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strictCopy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictCopy);
  if (!isRecord(node)) return node;
  const copy: JsonSchema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, strictCopy(value)]));
  if (copy['type'] === 'object' && isRecord(copy['properties']) && !Object.hasOwn(copy, 'additionalProperties')) {
    copy['additionalProperties'] = false;
  }
  return copy;
}

/**
 * A plain JSON copy of the object schema `schema` that refuses unknown properties at every
 * level, where the `children` properties accept any value (arrays keep only their size
 * bounds) because the checker walks them one by one for precise errors.
 */
export function strictShape(schema: TSchema, children: string[] = []): TSchema {
  const copy = strictCopy(schema) as JsonSchema & { properties: Record<string, JsonSchema> };
  for (const key of children) {
    const child = copy.properties[key];
    if (child === undefined) continue;
    copy.properties[key] = child['type'] === 'array'
      ? Object.fromEntries(Object.entries(child).filter(([name]) => ['type', 'minItems', 'maxItems'].includes(name)))
      : {};
  }
  return copy as TSchema;
}

/** Checks `node` (found at `path`) against `schema`, typically a `strictShape`. */
export function schemaErrors(schema: TSchema, node: unknown, path: string): DefinitionError[] {
  return Value.Errors(schema, node).flatMap((error) =>
    translate(error, pointerToPath(path, error.instancePath), valueAt(node, error.instancePath)));
}
