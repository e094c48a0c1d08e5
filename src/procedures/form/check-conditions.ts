/**
 * Checks of `visibleWhen` conditions in a form definition: their shape, the field they
 * name, and whether the operator and compared value make sense for that field's type.
 */
import { ConditionSchemas } from './definition.js';
import type { ConditionOperator, Field, FieldType } from './definition.js';
import { isIsoDate } from './dates.js';
import { childPath } from './definition-paths.js';
import { quote, schemaErrors, strictShape } from './schema-errors.js';
import type { DefinitionError } from './schema-errors.js';

/** What a condition may refer to from where it stands: the field, or why it cannot be used. */
export type ConditionTarget = { field: Field } | { problem: string };
/** Resolves a field name used in a condition, applying the scoping and ordering rules. */
export type ResolveTarget = (name: string) => ConditionTarget;

const MAX_DEPTH = 20;
const SHAPES = {
  all: strictShape(ConditionSchemas.all, ['all']),
  any: strictShape(ConditionSchemas.any, ['any']),
  not: strictShape(ConditionSchemas.not, ['not']),
  field: strictShape(ConditionSchemas.field),
};

type ValueKind = 'string' | 'number' | 'date' | 'option' | 'boolean' | 'none';
const VALUE_KINDS: Record<FieldType, ValueKind> = {
  text: 'string', textarea: 'string', email: 'string', phone: 'string', number: 'number', date: 'date',
  select: 'option', radio: 'option', checkboxes: 'option', yesno: 'boolean', address: 'none',
  geolocation: 'none', file: 'none', householdMember: 'none', group: 'none',
};
const EMPTINESS: ConditionOperator[] = ['filled', 'empty'];
const ORDERING: ConditionOperator[] = ['gt', 'gte', 'lt', 'lte'];
const OPERATORS: Record<ValueKind, ConditionOperator[]> = {
  string: [...EMPTINESS, 'eq', 'neq', 'in', 'notIn', 'contains'],
  number: [...EMPTINESS, 'eq', 'neq', 'in', 'notIn', ...ORDERING],
  date: [...EMPTINESS, 'eq', 'neq', 'in', 'notIn', ...ORDERING],
  option: [...EMPTINESS, 'eq', 'neq', 'in', 'notIn'],
  boolean: [...EMPTINESS, 'eq', 'neq'],
  none: EMPTINESS,
};
const CHECKBOX_OPERATORS: ConditionOperator[] = [...EMPTINESS, 'in', 'notIn', 'contains'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function allowedOperators(field: Field): ConditionOperator[] {
  return field.type === 'checkboxes' ? CHECKBOX_OPERATORS : OPERATORS[VALUE_KINDS[field.type]];
}

function comparedValueProblem(field: Field, value: unknown): string | undefined {
  const kind = VALUE_KINDS[field.type];
  const shown = quote(value, true);
  if (kind === 'option' && 'options' in field && Array.isArray(field.options)) {
    const known = field.options.some((option: unknown) => isRecord(option) && option['value'] === value);
    return known ? undefined : `La valeur ${shown} ne fait pas partie des options du champ « ${field.name} ».`;
  }
  if (kind === 'boolean' && typeof value !== 'boolean') return `Le champ « ${field.name} » est une question oui/non : comparez-le à true ou false.`;
  if (kind === 'number' && (typeof value !== 'number' || !Number.isFinite(value))) return `Le champ « ${field.name} » est numérique : comparez-le à un nombre.`;
  if (kind === 'date' && !isIsoDate(value)) return `Le champ « ${field.name} » est une date : comparez-le à une date au format AAAA-MM-JJ.`;
  if (kind === 'string' && typeof value !== 'string') return `Le champ « ${field.name} » est textuel : comparez-le à une chaîne de caractères.`;
  return undefined;
}

function checkComparison(field: Field, op: ConditionOperator, node: Record<string, unknown>, path: string): DefinitionError[] {
  const allowed = allowedOperators(field);
  if (!allowed.includes(op)) {
    return [{ path: childPath(path, 'op'), message: `L’opérateur « ${op} » ne s’applique pas au champ « ${field.name} » (type ${field.type}) ; opérateurs possibles : ${allowed.join(', ')}.` }];
  }
  const valuePath = childPath(path, 'value');
  const hasValue = Object.hasOwn(node, 'value');
  if (EMPTINESS.includes(op)) {
    return hasValue ? [{ path: valuePath, message: `L’opérateur « ${op} » ne prend pas de valeur : retirez « value ».` }] : [];
  }
  if (!hasValue) return [{ path: valuePath, message: `L’opérateur « ${op} » a besoin d’une valeur à comparer (propriété « value »).` }];
  const value = node['value'];
  if (op === 'in' || op === 'notIn') {
    if (!Array.isArray(value) || value.length === 0) {
      return [{ path: valuePath, message: `L’opérateur « ${op} » attend une liste non vide de valeurs.` }];
    }
    return value.flatMap((item, index) => {
      const problem = comparedValueProblem(field, item);
      return problem === undefined ? [] : [{ path: childPath(valuePath, index), message: problem }];
    });
  }
  const problem = comparedValueProblem(field, value);
  return problem === undefined ? [] : [{ path: valuePath, message: problem }];
}

function checkFieldCondition(node: Record<string, unknown>, path: string, resolve: ResolveTarget): DefinitionError[] {
  const errors = schemaErrors(SHAPES.field, node, path);
  if (errors.length > 0 || typeof node['field'] !== 'string') return errors;
  const target = resolve(node['field']);
  if ('problem' in target) return [{ path: childPath(path, 'field'), message: target.problem }];
  return checkComparison(target.field, node['op'] as ConditionOperator, node, path);
}

function check(node: unknown, path: string, resolve: ResolveTarget, depth: number): DefinitionError[] {
  if (!isRecord(node)) {
    return [{ path, message: 'Une condition doit être un objet : { "all": […] }, { "any": […] }, { "not": … } ou { "field", "op", "value" }.' }];
  }
  if (depth > MAX_DEPTH) return [{ path, message: `Condition trop imbriquée : ${MAX_DEPTH} niveaux au plus.` }];
  if (Object.hasOwn(node, 'field') || Object.hasOwn(node, 'op')) return checkFieldCondition(node, path, resolve);
  for (const key of ['all', 'any'] as const) {
    if (!Object.hasOwn(node, key)) continue;
    const errors = schemaErrors(SHAPES[key], node, path);
    const items = node[key];
    if (!Array.isArray(items)) return errors;
    return [...errors, ...items.flatMap((item, index) => check(item, childPath(childPath(path, key), index), resolve, depth + 1))];
  }
  if (Object.hasOwn(node, 'not')) {
    return [...schemaErrors(SHAPES.not, node, path), ...check(node['not'], childPath(path, 'not'), resolve, depth + 1)];
  }
  return [{ path, message: 'Condition non reconnue : utilisez « all », « any », « not » ou « field » avec « op ».' }];
}

/** All errors of the condition `node` found at `path`, resolving field names with `resolve`. */
export function checkCondition(node: unknown, path: string, resolve: ResolveTarget): DefinitionError[] {
  return check(node, path, resolve, 0);
}
