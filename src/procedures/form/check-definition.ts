/**
 * Full check of a form definition before it is saved or published: structure (against
 * the TypeBox schema of `definition.ts`) and semantics (unique ids and names, condition
 * targets, bounds, regexes, prefill). An empty result means the definition is usable by
 * `validateSubmission` and the portal.
 */
import type { TSchema } from 'typebox';
import { FIELD_TYPES, FieldSchemas, FormDefinitionObjectSchema, PageSchema } from './definition.js';
import type { Field, FieldType } from './definition.js';
import { checkCondition } from './check-conditions.js';
import type { ConditionTarget, ResolveTarget } from './check-conditions.js';
import { checkFieldRules, checkPrefill } from './check-field-rules.js';
import { childPath } from './definition-paths.js';
import { quote, schemaErrors, strictShape } from './schema-errors.js';
import type { DefinitionError } from './schema-errors.js';

export type { DefinitionError } from './schema-errors.js';

type Node = Record<string, unknown>;
/** Where a field sits: `page`/`index` locate the top-level field (or the group holding it). */
interface Location { field: Field; path: string; page: number; index: number }
/** Sibling fields of a group, by name, with their position inside the group. */
interface GroupScope { name: string; siblings: Map<string, Location> }

const ROOT_SHAPE = strictShape(FormDefinitionObjectSchema, ['pages']);
const PAGE_SHAPE = strictShape(PageSchema, ['visibleWhen', 'fields']);
const FIELD_SHAPES = Object.fromEntries(
  FIELD_TYPES.map((type) => [type, strictShape(FieldSchemas[type], ['visibleWhen', 'prefill', 'fields'])]),
) as Record<FieldType, TSchema>;

function isRecord(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

function arrayAt(node: unknown, key: string): unknown[] {
  return isRecord(node) && Array.isArray(node[key]) ? node[key] : [];
}

/** Indexes fields by name (first occurrence wins) and reports later duplicates. */
function indexFields(fields: unknown[], basePath: string, page: number, index: Map<string, Location>, scope: string): DefinitionError[] {
  const errors: DefinitionError[] = [];
  fields.forEach((field, position) => {
    if (!isRecord(field) || typeof field['name'] !== 'string') return;
    const path = childPath(childPath(basePath, 'fields'), position);
    const first = index.get(field['name']);
    if (first === undefined) {
      index.set(field['name'], { field: field as unknown as Field, path, page, index: position });
    } else {
      errors.push({ path: childPath(path, 'name'), message: `Le nom « ${field['name']} » est déjà utilisé ${scope} par ${first.path}.` });
    }
  });
  return errors;
}

function targetProblem(name: string, target: Location): string | undefined {
  return isFieldType(target.field.type) ? undefined : `Le champ « ${name} » n’a pas un type valide.`;
}

class DefinitionChecker {
  readonly errors: DefinitionError[] = [];
  private readonly fields = new Map<string, Location>();
  private readonly groupChildren = new Map<string, string>();

  constructor(private readonly pages: unknown[]) {}

  run(): DefinitionError[] {
    this.checkPageIds();
    this.pages.forEach((page, index) => {
      this.errors.push(...indexFields(arrayAt(page, 'fields'), childPath('pages', index), index, this.fields, 'dans le formulaire'));
    });
    for (const location of this.fields.values()) {
      for (const child of arrayAt(location.field, 'fields')) {
        if (isRecord(child) && typeof child['name'] === 'string') this.groupChildren.set(child['name'], location.field.name);
      }
    }
    this.pages.forEach((page, index) => this.checkPage(page, index));
    return this.errors;
  }

  private checkPageIds(): void {
    const seen = new Map<string, number>();
    this.pages.forEach((page, index) => {
      if (!isRecord(page) || typeof page['id'] !== 'string') return;
      const first = seen.get(page['id']);
      if (first === undefined) seen.set(page['id'], index);
      else this.errors.push({ path: `pages[${index}].id`, message: `L’identifiant de page « ${page['id']} » est déjà utilisé par pages[${first}].` });
    });
  }

  private checkPage(page: unknown, pageIndex: number): void {
    const path = childPath('pages', pageIndex);
    if (!isRecord(page)) {
      this.errors.push({ path, message: 'Une page doit être un objet avec « id », « title » et « fields ».' });
      return;
    }
    this.errors.push(...schemaErrors(PAGE_SHAPE, page, path));
    if (Object.hasOwn(page, 'visibleWhen')) {
      this.errors.push(...checkCondition(page['visibleWhen'], childPath(path, 'visibleWhen'), this.resolveFromPage(pageIndex)));
    }
    arrayAt(page, 'fields').forEach((field, index) => {
      this.checkField(field, childPath(childPath(path, 'fields'), index), this.resolveFromField(pageIndex, index));
    });
  }

  private checkField(node: unknown, path: string, resolve: ResolveTarget, group?: GroupScope): void {
    if (!isRecord(node)) {
      this.errors.push({ path, message: 'Un champ doit être un objet avec au moins « type », « name » et « label ».' });
      return;
    }
    const type = node['type'];
    if (!isFieldType(type)) {
      const message = type === undefined
        ? 'La propriété « type » est obligatoire.'
        : `Type de champ inconnu « ${quote(type)} » ; types possibles : ${FIELD_TYPES.join(', ')}.`;
      this.errors.push({ path: childPath(path, 'type'), message });
      return;
    }
    if (group !== undefined && type === 'group') {
      this.errors.push({ path: childPath(path, 'type'), message: 'Un groupe ne peut pas contenir un autre groupe.' });
      return;
    }
    this.errors.push(...schemaErrors(FIELD_SHAPES[type], node, path));
    if (Object.hasOwn(node, 'visibleWhen')) {
      this.errors.push(...checkCondition(node['visibleWhen'], childPath(path, 'visibleWhen'), resolve));
    }
    if (Object.hasOwn(node, 'prefill')) this.errors.push(...checkPrefill(node['prefill'], type, node, childPath(path, 'prefill')));
    this.errors.push(...checkFieldRules(node, type, path));
    if (type === 'group') this.checkGroupChildren(node, path, resolve);
  }

  private checkGroupChildren(group: Node, path: string, resolveOutside: ResolveTarget): void {
    const children = arrayAt(group, 'fields');
    const siblings = new Map<string, Location>();
    this.errors.push(...indexFields(children, path, -1, siblings, 'dans ce groupe'));
    const scope: GroupScope = { name: typeof group['name'] === 'string' ? group['name'] : '', siblings };
    children.forEach((child, index) => {
      this.checkField(child, childPath(childPath(path, 'fields'), index), this.resolveFromGroupChild(scope, index, resolveOutside), scope);
    });
  }

  private unknown(name: string): ConditionTarget {
    const group = this.groupChildren.get(name);
    if (group !== undefined) {
      return { problem: `Le champ « ${name} » appartient au groupe « ${group} » : seule une condition à l’intérieur de ce groupe peut en dépendre.` };
    }
    return { problem: `Aucun champ ne s’appelle « ${name} » dans ce formulaire.` };
  }

  private resolveFromPage(pageIndex: number): ResolveTarget {
    return (name) => {
      const target = this.fields.get(name);
      if (target === undefined) return this.unknown(name);
      if (target.page > pageIndex) return { problem: `Le champ « ${name} » se trouve sur une page suivante (${target.path}) : une condition ne peut dépendre que des pages précédentes.` };
      if (target.page === pageIndex) return { problem: `Le champ « ${name} » est sur cette même page : l’affichage d’une page ne peut dépendre que des pages précédentes.` };
      const problem = targetProblem(name, target);
      return problem === undefined ? { field: target.field } : { problem };
    };
  }

  private resolveFromField(pageIndex: number, fieldIndex: number): ResolveTarget {
    return (name) => {
      const target = this.fields.get(name);
      if (target === undefined) return this.unknown(name);
      if (target.page > pageIndex) return { problem: `Le champ « ${name} » se trouve sur une page suivante (${target.path}) : une condition ne peut dépendre que des pages précédentes ou de champs placés avant sur la même page.` };
      if (target.page === pageIndex && target.index === fieldIndex) return { problem: 'Une condition ne peut pas dépendre du champ qu’elle affiche ou masque.' };
      if (target.page === pageIndex && target.index > fieldIndex) return { problem: `Le champ « ${name} » est placé après ce champ (${target.path}) : une condition ne peut dépendre que de champs placés avant.` };
      const problem = targetProblem(name, target);
      return problem === undefined ? { field: target.field } : { problem };
    };
  }

  private resolveFromGroupChild(group: GroupScope, childIndex: number, resolveOutside: ResolveTarget): ResolveTarget {
    return (name) => {
      const sibling = group.siblings.get(name);
      if (sibling === undefined) {
        if (name === group.name) return { problem: 'Une condition ne peut pas dépendre du groupe qui la contient.' };
        return resolveOutside(name);
      }
      if (sibling.index === childIndex) return { problem: 'Une condition ne peut pas dépendre du champ qu’elle affiche ou masque.' };
      if (sibling.index > childIndex) return { problem: `Le champ « ${name} » est placé après ce champ (${sibling.path}) : une condition ne peut dépendre que de champs placés avant.` };
      const problem = targetProblem(name, sibling);
      return problem === undefined ? { field: sibling.field } : { problem };
    };
  }
}

/**
 * Lists every problem of the form definition `def` (any JSON value), in document order
 * as far as possible, each with a path such as `pages[1].fields[2].visibleWhen.field`
 * and a French message. Returns an empty array when the definition is valid.
 */
export function checkFormDefinition(def: unknown): DefinitionError[] {
  if (!isRecord(def)) return [{ path: '', message: 'La définition du formulaire doit être un objet JSON.' }];
  const errors = schemaErrors(ROOT_SHAPE, def, '');
  return [...errors, ...new DefinitionChecker(arrayAt(def, 'pages')).run()];
}
