/**
 * Semantic rules of a single field that JSON Schema cannot express: bounds that
 * contradict each other, duplicate options, uncompilable regexes and prefill sources
 * that do not fit the field type.
 */
import { DEFAULTS, PrefillSchemas } from './definition.js';
import type { CitizenPath, FieldType } from './definition.js';
import { isIsoDate } from './dates.js';
import { childPath } from './definition-paths.js';
import { quote, schemaErrors, strictShape } from './schema-errors.js';
import type { DefinitionError } from './schema-errors.js';
import { compilePattern } from './text-pattern.js';

type Node = Record<string, unknown>;

/** Field types that can receive each citizen-profile attribute. */
const CITIZEN_PREFILL_TYPES: Record<CitizenPath, FieldType[]> = {
  civility: ['select', 'radio', 'text'],
  firstNames: ['text'],
  birthName: ['text'],
  usageName: ['text'],
  birthDate: ['date'],
  email: ['email'],
  phone: ['phone'],
  address: ['address'],
};

const PREFILL_SHAPES = { citizen: strictShape(PrefillSchemas.citizen), household: strictShape(PrefillSchemas.household) };

const DEFAULT_MAX: Partial<Record<FieldType, { key: string; value: number }>> = {
  text: { key: 'maxLength', value: DEFAULTS.textMaxLength },
  textarea: { key: 'maxLength', value: DEFAULTS.textareaMaxLength },
  group: { key: 'maxItems', value: DEFAULTS.groupMaxItems },
};

function isRecord(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberAt(node: Node, key: string): number | undefined {
  const value = node[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function checkBounds(node: Node, type: FieldType, path: string, minKey: string, maxKey: string): DefinitionError[] {
  const min = numberAt(node, minKey);
  const fallback = DEFAULT_MAX[type]?.key === maxKey ? DEFAULT_MAX[type]?.value : undefined;
  const max = Object.hasOwn(node, maxKey) ? numberAt(node, maxKey) : fallback;
  if (min === undefined || max === undefined || min <= max) return [];
  const origin = Object.hasOwn(node, maxKey) ? '' : ', valeur par défaut pour ce type';
  return [{ path: childPath(path, minKey), message: `${minKey} (${min}) ne peut pas dépasser ${maxKey} (${max}${origin}).` }];
}

function checkDateBounds(node: Node, path: string): DefinitionError[] {
  const errors: DefinitionError[] = [];
  for (const key of ['min', 'max']) {
    const bound = node[key];
    if (typeof bound === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(bound) && !isIsoDate(bound)) {
      errors.push({ path: childPath(path, key), message: `La date « ${bound} » n’existe pas.` });
    }
  }
  const { min, max } = node;
  if (errors.length === 0 && isIsoDate(min) && isIsoDate(max) && min > max) {
    errors.push({ path: childPath(path, 'min'), message: `min (${min}) ne peut pas être postérieure à max (${max}).` });
  }
  return errors;
}

function checkOptions(node: Node, path: string): DefinitionError[] {
  const options = node['options'];
  if (!Array.isArray(options)) return [];
  const seen = new Map<unknown, number>();
  const errors: DefinitionError[] = [];
  options.forEach((option: unknown, index) => {
    if (!isRecord(option) || typeof option['value'] !== 'string') return;
    const first = seen.get(option['value']);
    if (first === undefined) seen.set(option['value'], index);
    else {
      errors.push({
        path: childPath(childPath(childPath(path, 'options'), index), 'value'),
        message: `La valeur « ${option['value']} » est déjà utilisée par ${childPath(childPath(path, 'options'), first)}.`,
      });
    }
  });
  const minItems = numberAt(node, 'minItems');
  if (minItems !== undefined && minItems > options.length) {
    errors.push({ path: childPath(path, 'minItems'), message: `minItems (${minItems}) dépasse le nombre d’options (${options.length}).` });
  }
  return errors;
}

function checkPattern(node: Node, path: string): DefinitionError[] {
  const pattern = node['pattern'];
  if (typeof pattern === 'string' && compilePattern(pattern) === undefined) {
    return [{ path: childPath(path, 'pattern'), message: `Expression régulière invalide « ${pattern} » : elle ne peut pas être compilée.` }];
  }
  if (pattern === undefined && Object.hasOwn(node, 'patternMessage')) {
    return [{ path: childPath(path, 'patternMessage'), message: '« patternMessage » n’a de sens qu’avec « pattern ».' }];
  }
  return [];
}

/** Type-specific consistency rules of the field `node` of type `type`. */
export function checkFieldRules(node: Node, type: FieldType, path: string): DefinitionError[] {
  switch (type) {
    case 'text':
      return [...checkBounds(node, type, path, 'minLength', 'maxLength'), ...checkPattern(node, path)];
    case 'textarea':
      return checkBounds(node, type, path, 'minLength', 'maxLength');
    case 'number':
      return checkBounds(node, type, path, 'min', 'max');
    case 'date':
      return checkDateBounds(node, path);
    case 'select':
    case 'radio':
      return checkOptions(node, path);
    case 'checkboxes':
      return [...checkOptions(node, path), ...checkBounds(node, type, path, 'minItems', 'maxItems')];
    case 'group':
      return checkBounds(node, type, path, 'minItems', 'maxItems');
    default:
      return [];
  }
}

/** Checks the `prefill` source `source` (at `path`) of a field of type `type`. */
export function checkPrefill(source: unknown, type: FieldType, field: Node, path: string): DefinitionError[] {
  if (!isRecord(source)) return [{ path, message: 'La source de préremplissage doit être un objet, par exemple { "from": "citizen", "path": "email" }.' }];
  const from = source['from'];
  if (from !== 'citizen' && from !== 'household') {
    return [{ path: childPath(path, 'from'), message: `Valeur « ${quote(from)} » non reconnue ; valeurs possibles : citizen, household.` }];
  }
  const errors = schemaErrors(PREFILL_SHAPES[from], source, path);
  if (errors.length > 0) return errors;
  if (from === 'household') {
    if (type !== 'householdMember') {
      return [{ path, message: `Un champ de type « ${type} » ne peut pas être prérempli depuis le foyer : seul un champ householdMember le peut.` }];
    }
    const role = source['role'];
    const memberRole = field['memberRole'];
    if (role !== 'any' && typeof memberRole === 'string' && memberRole !== 'any' && memberRole !== role) {
      return [{ path: childPath(path, 'role'), message: `Le rôle « ${String(role)} » contredit memberRole (« ${memberRole} ») du champ.` }];
    }
    return [];
  }
  const citizenPath = source['path'] as CitizenPath;
  const compatible = CITIZEN_PREFILL_TYPES[citizenPath];
  if (compatible.includes(type)) return [];
  return [{ path, message: `Un champ de type « ${type} » ne peut pas être prérempli avec « ${citizenPath} » du profil usager (types compatibles : ${compatible.join(', ')}).` }];
}
