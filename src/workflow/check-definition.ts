/**
 * Full check of a workflow definition before it is published: structure (against the TypeBox
 * schemas of `definition.ts`) and what a schema cannot say — statuses and transitions that refer to
 * each other, statuses no case can reach or leave, timers, assignments to departments and agents
 * that exist, transition conditions on the procedure's form, and Liquid templates. An empty result
 * means the engine can run the definition.
 */
import type { TSchema } from 'typebox';
import { checkCondition } from '../procedures/form/check-conditions.js';
import type { ResolveTarget } from '../procedures/form/check-conditions.js';
import type { Field } from '../procedures/form/definition.js';
import { childPath } from '../procedures/form/definition-paths.js';
import { quote, schemaErrors, strictShape } from '../procedures/form/schema-errors.js';
import { ACTION_SCHEMAS, ACTION_TYPES, INPUT_SCHEMA, STATUS_CATEGORIES, TIMER_SCHEMA, WORKFLOW_ID_PATTERN, WORKFLOW_SHAPE } from './definition.js';
import type { ActionType, StatusCategory } from './definition.js';
import { checkTemplate } from './templates.js';

/** A problem of a workflow definition; `path` looks like `transitions[3].actions[1].message.body`. */
export interface WorkflowDefinitionError { path: string; message: string }

/** What the definition may refer to in the organisation and the procedure. */
export interface WorkflowCheckContext {
  /** Departments an `assign` action may name. */
  departmentSlugs: readonly string[];
  /** Agents an `assign` action may name; left out, any well-formed address is accepted. */
  agentEmails?: readonly string[];
  /** Fields of the procedure's form, for conditions and `case.data.X`; left out, any name is accepted. */
  formFieldNames?: readonly string[];
  /**
   * The form's fields themselves: with them, a condition's operator and compared value are also
   * checked against the field's type (as in form conditions). Takes precedence over `formFieldNames`.
   */
  formFields?: readonly Field[];
  /** Active response templates a message may name (`{ "template": slug }`); left out, any slug is accepted. */
  templateSlugs?: readonly string[];
}

type Node = Record<string, unknown>;

const ID = new RegExp(WORKFLOW_ID_PATTERN);
const INPUT_NAME = /^[a-z][a-zA-Z0-9_]*$/;
const FILENAME = /^[A-Za-z0-9._-]+\.pdf$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const STAR = '*';

/**
 * A strict copy of `schema` without the `pattern`/`format` keywords of the properties named in
 * `own`: this module checks those itself, with messages that name what the value should look like.
 */
function shapeWithout(schema: TSchema, own: readonly string[], children: string[] = []): TSchema {
  const copy = strictShape(schema, children);
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(strip);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Node;
    const properties = record['properties'];
    if (typeof properties === 'object' && properties !== null) {
      for (const [key, property] of Object.entries(properties as Node)) {
        if (own.includes(key) && typeof property === 'object' && property !== null) {
          delete (property as Node)['pattern'];
          delete (property as Node)['format'];
        }
      }
    }
    Object.values(record).forEach(strip);
  };
  strip(copy);
  return copy;
}

const ROOT_SHAPE = shapeWithout(WORKFLOW_SHAPE, ['initial', 'id', 'name', 'to', 'onCitizenReply']);
const TIMER_SHAPE = shapeWithout(TIMER_SCHEMA, ['transition']);
const INPUT_SHAPE = shapeWithout(INPUT_SCHEMA, ['name']);
const ACTION_SHAPES = Object.fromEntries(
  ACTION_TYPES.map((type) => [type, shapeWithout(ACTION_SCHEMAS[type], ['agent', 'filename', 'url'])]),
) as Record<ActionType, TSchema>;

function isRecord(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayAt(node: unknown, key: string): unknown[] {
  return isRecord(node) && Object.hasOwn(node, key) && Array.isArray(node[key]) ? node[key] : [];
}

function stringAt(node: unknown, key: string): string | undefined {
  return isRecord(node) && Object.hasOwn(node, key) && typeof node[key] === 'string' ? node[key] : undefined;
}

function isActionType(value: unknown): value is ActionType {
  return typeof value === 'string' && (ACTION_TYPES as readonly string[]).includes(value);
}

function isCategory(value: unknown): value is StatusCategory {
  return typeof value === 'string' && (STATUS_CATEGORIES as readonly string[]).includes(value);
}

function isClosed(category: unknown): boolean {
  return typeof category === 'string' && category.startsWith('closed_');
}

const MAX_LISTED = 20;

/** « a », « b », … for a message; long lists are cut. */
function names(values: Iterable<string>): string {
  const list = [...values];
  if (list.length === 0) return 'aucun';
  const shown = list.slice(0, MAX_LISTED).map((value) => `« ${value} »`).join(', ');
  return list.length > MAX_LISTED ? `${shown}, …` : shown;
}

/** A status as the checker sees it: where it is and what is known of it. */
interface StatusInfo { id: string; index: number; closed: boolean; category: StatusCategory | undefined }
/** A transition whose name, origins and destination are usable for the graph. */
interface TransitionInfo { name: string | undefined; index: number; from: string[]; to: string | undefined; inputNames: string[]; requiredInputs: string[] }

class WorkflowChecker {
  readonly errors: WorkflowDefinitionError[] = [];
  private readonly statuses = new Map<string, StatusInfo>();
  private readonly transitions = new Map<string, TransitionInfo>();
  private readonly transitionList: TransitionInfo[] = [];
  private readonly statusNodes: unknown[];
  private readonly transitionNodes: unknown[];
  private readonly formFieldNames: readonly string[] | undefined;
  /** Names of transitions some timer or citizen reply takes: they may have no role (nobody takes them by hand). */
  private readonly timerTransitions = new Set<string>();

  constructor(private readonly def: Node, private readonly context: WorkflowCheckContext) {
    this.statusNodes = arrayAt(def, 'statuses');
    this.transitionNodes = arrayAt(def, 'transitions');
    this.formFieldNames = context.formFields?.map((field) => field.name) ?? context.formFieldNames;
  }

  run(): WorkflowDefinitionError[] {
    this.indexStatuses();
    this.indexTransitions();
    this.checkInitial();
    this.statusNodes.forEach((status, index) => this.checkStatus(status, index));
    this.transitionNodes.forEach((transition, index) => this.checkTransition(transition, index));
    this.checkGraph();
    return this.errors;
  }

  private error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** Reports an identifier that does not match `pattern`; true when it is well-formed. */
  private checkIdentifier(value: unknown, path: string, what: string, pattern = ID): boolean {
    if (typeof value !== 'string') return false;
    if (pattern.test(value)) return true;
    const rule = pattern === ID
      ? 'il doit commencer par une lettre minuscule et ne contenir que des lettres minuscules, des chiffres et « _ » (par exemple « en_instruction »)'
      : 'il doit commencer par une lettre minuscule et ne contenir que des lettres, des chiffres et « _ » (par exemple « dateRendezVous »)';
    this.error(path, `${what} invalide « ${quote(value)} » : ${rule}.`);
    return false;
  }

  private indexStatuses(): void {
    this.statusNodes.forEach((status, index) => {
      const path = childPath(childPath('statuses', index), 'id');
      const id = stringAt(status, 'id');
      if (id === undefined || !this.checkIdentifier(id, path, 'Identifiant de statut')) return;
      const first = this.statuses.get(id);
      if (first !== undefined) {
        this.error(path, `L’identifiant de statut « ${id} » est déjà utilisé par statuses[${first.index}].`);
        return;
      }
      const category = isRecord(status) ? status['category'] : undefined;
      this.statuses.set(id, { id, index, closed: isClosed(category), category: isCategory(category) ? category : undefined });
    });
  }

  private indexTransitions(): void {
    this.transitionNodes.forEach((transition, index) => {
      const path = childPath('transitions', index);
      const name = stringAt(transition, 'name');
      const valid = name !== undefined && this.checkIdentifier(name, childPath(path, 'name'), 'Nom de transition');
      const info: TransitionInfo = {
        name: valid ? name : undefined,
        index,
        from: arrayAt(transition, 'from').filter((from): from is string => typeof from === 'string'),
        to: stringAt(transition, 'to'),
        inputNames: arrayAt(transition, 'inputs').map((input) => stringAt(input, 'name')).filter((n): n is string => n !== undefined),
        requiredInputs: arrayAt(transition, 'inputs')
          .filter((input) => isRecord(input) && input['required'] === true)
          .map((input) => stringAt(input, 'name'))
          .filter((n): n is string => n !== undefined),
      };
      this.transitionList.push(info);
      if (!valid) return;
      const first = this.transitions.get(name);
      if (first !== undefined) this.error(childPath(path, 'name'), `Le nom de transition « ${name} » est déjà utilisé par transitions[${first.index}].`);
      else this.transitions.set(name, info);
    });
    for (const status of this.statusNodes) {
      for (const timer of arrayAt(status, 'timers')) {
        const name = stringAt(timer, 'transition');
        if (name !== undefined) this.timerTransitions.add(name);
      }
      const onReply = stringAt(status, 'onCitizenReply');
      if (onReply !== undefined) this.timerTransitions.add(onReply);
    }
  }

  private checkInitial(): void {
    const initial = stringAt(this.def, 'initial');
    if (initial === undefined || !this.checkIdentifier(initial, 'initial', 'Statut initial')) return;
    if (!this.statuses.has(initial)) {
      this.error('initial', `Le statut initial « ${initial} » n’existe pas ; statuts définis : ${names(this.statuses.keys())}.`);
    }
  }

  private checkStatus(status: unknown, index: number): void {
    const path = childPath('statuses', index);
    if (!isRecord(status)) return; // reported by the schema
    const id = stringAt(status, 'id');
    const label = id === undefined ? path : `« ${id} »`;
    const timers = arrayAt(status, 'timers');
    if (isClosed(status['category']) && timers.length > 0) {
      this.error(childPath(path, 'timers'), `Le statut ${label} est un statut de clôture (${String(status['category'])}) : il ne peut pas avoir de minuteur.`);
    }
    timers.forEach((timer, position) => this.checkTimer(timer, childPath(childPath(path, 'timers'), position), id));
    if (Object.hasOwn(status, 'onCitizenReply')) this.checkCitizenReply(status['onCitizenReply'], childPath(path, 'onCitizenReply'), id);
    const inputNames = id === undefined ? [] : this.inputNamesEntering(id);
    arrayAt(status, 'onEnter').forEach((action, position) => {
      this.checkAction(action, childPath(childPath(path, 'onEnter'), position), inputNames);
    });
  }

  /** Inputs an action on entering `statusId` may use: those of every transition leading there. */
  private inputNamesEntering(statusId: string): string[] {
    const inputs = new Set<string>();
    for (const transition of this.transitionList) {
      if (transition.to === statusId) transition.inputNames.forEach((name) => inputs.add(name));
    }
    return [...inputs];
  }

  private checkTimer(timer: unknown, path: string, statusId: string | undefined): void {
    if (!isRecord(timer)) {
      this.error(path, 'Un minuteur doit être un objet avec « after » et « transition » ou « escalate ».');
      return;
    }
    this.errors.push(...schemaErrors(TIMER_SHAPE, timer, path));
    const hasTransition = Object.hasOwn(timer, 'transition');
    const hasEscalate = Object.hasOwn(timer, 'escalate');
    if (hasTransition === hasEscalate) {
      this.error(path, hasTransition
        ? 'Un minuteur fait une seule chose : prendre une transition (« transition ») ou alerter les responsables (« escalate »), pas les deux.'
        : 'Un minuteur doit prendre une transition (« transition ») ou alerter les responsables (« escalate »).');
    }
    const name = stringAt(timer, 'transition');
    if (name === undefined || !this.checkIdentifier(name, childPath(path, 'transition'), 'Nom de transition')) return;
    const transition = this.transitions.get(name);
    if (transition === undefined) {
      this.error(childPath(path, 'transition'), `Aucune transition ne s’appelle « ${name} » ; transitions définies : ${names(this.transitions.keys())}.`);
      return;
    }
    if (transition.requiredInputs.length > 0) {
      this.error(
        childPath(path, 'transition'),
        `La transition « ${name} » exige des champs (${transition.requiredInputs.join(', ')}) qu’un minuteur ne peut pas remplir : rendez-les facultatifs ou choisissez une autre transition.`,
      );
    }
    if (statusId === undefined) return;
    const closed = this.statuses.get(statusId)?.closed ?? false;
    const leaves = transition.from.includes(statusId) || (transition.from.includes(STAR) && !closed);
    if (!leaves) {
      this.error(childPath(path, 'transition'), `La transition « ${name} » ne part pas du statut « ${statusId} » : un minuteur ne peut prendre qu’une transition qui quitte son statut.`);
    }
  }

  /**
   * The transition a citizen's reply takes must exist, leave the status by name (a closed case is
   * never reopened by a reply, and `*` does not cover closed statuses) and need no input, since the
   * system takes it without anyone to fill one in.
   */
  private checkCitizenReply(value: unknown, path: string, statusId: string | undefined): void {
    if (typeof value !== 'string' || !this.checkIdentifier(value, path, 'Nom de transition')) return;
    const transition = this.transitions.get(value);
    if (transition === undefined) {
      this.error(path, `Aucune transition ne s’appelle « ${value} » ; transitions définies : ${names(this.transitions.keys())}.`);
      return;
    }
    if (statusId === undefined) return;
    const status = this.statuses.get(statusId);
    if (status?.closed) {
      this.error(path, `Le statut « ${statusId} » est un statut de clôture : une réponse de l’usager est enregistrée sans rouvrir le dossier, retirez « onCitizenReply ».`);
      return;
    }
    if (!transition.from.includes(statusId) && !transition.from.includes(STAR)) {
      this.error(path, `La transition « ${value} » ne part pas du statut « ${statusId} » : la réponse de l’usager ne peut prendre qu’une transition qui quitte ce statut.`);
    }
    if (transition.requiredInputs.length > 0) {
      this.error(path, `La transition « ${value} » exige des champs (${transition.requiredInputs.join(', ')}) que la réponse de l’usager ne remplit pas : rendez-les facultatifs ou choisissez une autre transition.`);
    }
  }

  private checkTransition(transition: unknown, index: number): void {
    const path = childPath('transitions', index);
    if (!isRecord(transition)) return; // reported by the schema
    const name = stringAt(transition, 'name');
    const label = name === undefined ? path : `« ${name} »`;
    const roles = transition['roles'];
    if (Array.isArray(roles) && roles.length === 0 && !(name !== undefined && this.timerTransitions.has(name))) {
      this.error(childPath(path, 'roles'), `La transition ${label} n’a aucun rôle et aucun minuteur ne la prend : personne ne pourra la déclencher.`);
    }
    arrayAt(transition, 'from').forEach((from, position) => {
      if (typeof from !== 'string' || from === STAR || this.statuses.has(from)) return;
      this.error(childPath(childPath(path, 'from'), position), `La transition ${label} part d’un statut inconnu « ${quote(from)} » ; statuts définis : ${names(this.statuses.keys())} (ou « * » pour tout statut ouvert).`);
    });
    const to = stringAt(transition, 'to');
    if (to !== undefined && this.checkIdentifier(to, childPath(path, 'to'), 'Statut d’arrivée') && !this.statuses.has(to)) {
      this.error(childPath(path, 'to'), `La transition ${label} mène à un statut inconnu « ${to} » ; statuts définis : ${names(this.statuses.keys())}.`);
    }
    this.checkInputs(arrayAt(transition, 'inputs'), childPath(path, 'inputs'));
    if (Object.hasOwn(transition, 'condition')) {
      this.errors.push(...checkCondition(transition['condition'], childPath(path, 'condition'), this.resolveField()));
    }
    const inputNames = arrayAt(transition, 'inputs').map((input) => stringAt(input, 'name')).filter((n): n is string => n !== undefined);
    arrayAt(transition, 'actions').forEach((action, position) => {
      this.checkAction(action, childPath(childPath(path, 'actions'), position), inputNames);
    });
  }

  private checkInputs(inputs: unknown[], basePath: string): void {
    const seen = new Map<string, number>();
    inputs.forEach((input, index) => {
      const path = childPath(basePath, index);
      if (!isRecord(input)) {
        this.error(path, 'Une saisie doit être un objet avec « name », « label » et « type ».');
        return;
      }
      this.errors.push(...schemaErrors(INPUT_SHAPE, input, path));
      const name = stringAt(input, 'name');
      if (name !== undefined && this.checkIdentifier(name, childPath(path, 'name'), 'Nom de saisie', INPUT_NAME)) {
        const first = seen.get(name);
        if (first === undefined) seen.set(name, index);
        else this.error(childPath(path, 'name'), `Le nom de saisie « ${name} » est déjà utilisé par ${childPath(basePath, first)}.`);
      }
      const shown = name === undefined ? 'Cette saisie' : `La saisie « ${name} »`;
      const hasOptions = Object.hasOwn(input, 'options');
      if (input['type'] === 'select' && !hasOptions) {
        this.error(childPath(path, 'options'), `${shown} est une liste de choix (select) : donnez ses options (« options »).`);
      } else if (hasOptions && typeof input['type'] === 'string' && input['type'] !== 'select') {
        this.error(childPath(path, 'options'), `${shown} est de type « ${quote(input['type'])} » : seules les listes de choix (select) ont des options.`);
      }
    });
  }

  /**
   * How a transition condition resolves a field name: with the form's fields, the field itself
   * (its type then constrains the operator and value); with names only, any known name, whose
   * operator and value stay unchecked.
   */
  private resolveField(): ResolveTarget {
    const fields = this.context.formFields;
    const known = this.formFieldNames;
    return (name) => {
      const unknown = { problem: `Aucun champ du formulaire de la démarche ne s’appelle « ${name} » ; champs : ${names(known ?? [])}.` };
      if (fields !== undefined) {
        const field = fields.find((candidate) => candidate.name === name);
        return field === undefined ? unknown : { field };
      }
      if (known !== undefined && !known.includes(name)) return unknown;
      return { problem: UNCHECKED_FIELD };
    };
  }

  private checkAction(action: unknown, path: string, inputNames: readonly string[]): void {
    if (!isRecord(action)) {
      this.error(path, `Une action doit être un objet avec une propriété « type » (${ACTION_TYPES.join(', ')}).`);
      return;
    }
    const type = action['type'];
    if (!isActionType(type)) {
      const message = Object.hasOwn(action, 'type')
        ? `Type d’action inconnu « ${quote(type)} » ; types possibles : ${ACTION_TYPES.join(', ')}.`
        : 'La propriété « type » est obligatoire.';
      this.error(childPath(path, 'type'), message);
      return;
    }
    this.errors.push(...schemaErrors(ACTION_SHAPES[type], action, path));
    const templates = { inputNames, formFieldNames: this.formFieldNames };
    switch (type) {
      case 'notify_citizen':
      case 'request_information': {
        const message = action['message'];
        const messagePath = childPath(path, 'message');
        if (!isRecord(message)) return;
        if (Object.hasOwn(message, 'template')) {
          this.checkTemplateSlug(message, messagePath);
          return;
        }
        for (const key of ['subject', 'body']) {
          if (!Object.hasOwn(message, key)) this.error(childPath(messagePath, key), `La propriété « ${key} » est obligatoire (ou bien « template » pour un modèle de réponse).`);
        }
        this.checkTemplateAt(stringAt(message, 'subject'), childPath(messagePath, 'subject'), templates);
        this.checkTemplateAt(stringAt(message, 'body'), childPath(messagePath, 'body'), templates);
        return;
      }
      case 'generate_document': {
        this.checkTemplateAt(stringAt(action, 'body'), childPath(path, 'body'), templates);
        const filename = stringAt(action, 'filename');
        if (filename !== undefined && !FILENAME.test(filename)) {
          this.error(childPath(path, 'filename'), `Nom de fichier invalide « ${quote(filename)} » : lettres sans accent, chiffres, « . », « _ » ou « - », terminé par « .pdf » (par exemple « decision.pdf »).`);
        }
        return;
      }
      case 'assign':
        this.checkAssign(action, path);
        return;
      case 'webhook': {
        const url = stringAt(action, 'url');
        if (url !== undefined && !isHttpUrl(url)) {
          this.error(childPath(path, 'url'), `Adresse invalide « ${quote(url)} » : écrivez une adresse complète commençant par https:// (ou http://).`);
        }
        return;
      }
      default:
        return;
    }
  }

  private checkAssign(action: Node, path: string): void {
    const department = stringAt(action, 'department');
    const agent = stringAt(action, 'agent');
    if (!Object.hasOwn(action, 'department') && !Object.hasOwn(action, 'agent')) {
      this.error(path, 'Une affectation doit désigner un service (« department ») ou un agent (« agent »).');
    }
    if (department !== undefined && department !== '' && !this.context.departmentSlugs.includes(department)) {
      this.error(childPath(path, 'department'), `Aucun service n’a l’identifiant « ${quote(department)} » ; services : ${names(this.context.departmentSlugs)}.`);
    }
    if (agent === undefined) return;
    const known = this.context.agentEmails;
    if (!EMAIL.test(agent)) {
      this.error(childPath(path, 'agent'), `Adresse électronique invalide « ${quote(agent)} » pour l’agent.`);
    } else if (known !== undefined && !known.some((email) => email.toLowerCase() === agent.toLowerCase())) {
      this.error(childPath(path, 'agent'), `Aucun agent de la collectivité n’a l’adresse « ${quote(agent)} ».`);
    }
  }

  /** A message naming a response template: alone, and one the organisation has (active). */
  private checkTemplateSlug(message: Node, path: string): void {
    if (Object.hasOwn(message, 'subject') || Object.hasOwn(message, 'body')) {
      this.error(path, 'Un message désigne soit un modèle de réponse (« template »), soit un objet et un texte (« subject », « body ») : pas les deux.');
      return;
    }
    const slug = stringAt(message, 'template');
    const known = this.context.templateSlugs;
    if (slug === undefined || known === undefined || known.includes(slug)) return;
    const listed = known.length === 0 ? 'la collectivité n’a aucun modèle de réponse actif' : `modèles actifs : ${names(known)}`;
    this.error(childPath(path, 'template'), `Modèle de réponse inconnu ou désactivé « ${quote(slug)} » : ${listed}.`);
  }

  private checkTemplateAt(source: string | undefined, path: string, options: { inputNames: readonly string[]; formFieldNames?: readonly string[] }): void {
    if (source === undefined) return;
    for (const message of checkTemplate(source, options)) this.error(path, message);
  }

  /** Statuses no case can reach from `initial`, and open statuses no case can leave. */
  private checkGraph(): void {
    const initial = stringAt(this.def, 'initial');
    const usable = this.transitionList.filter((transition) => transition.to !== undefined && this.statuses.has(transition.to));
    if (initial !== undefined && this.statuses.has(initial)) {
      const reached = new Set<string>([initial]);
      const queue = [initial];
      for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
        const closed = this.statuses.get(current)?.closed ?? false;
        for (const transition of usable) {
          const leaves = transition.from.includes(current) || (transition.from.includes(STAR) && !closed);
          if (leaves && !reached.has(transition.to!)) {
            reached.add(transition.to!);
            queue.push(transition.to!);
          }
        }
      }
      for (const status of this.statuses.values()) {
        if (!reached.has(status.id)) {
          this.error(childPath('statuses', status.index), `Le statut « ${status.id} » est inaccessible : aucune suite de transitions n’y mène depuis le statut initial « ${initial} ».`);
        }
      }
    }
    for (const status of this.statuses.values()) {
      if (status.closed || status.category === undefined) continue;
      const way = usable.some((transition) => transition.to !== status.id && (transition.from.includes(status.id) || transition.from.includes(STAR)));
      if (!way) {
        this.error(childPath('statuses', status.index), `Impasse : le statut « ${status.id} » n’est pas un statut de clôture mais aucune transition n’en sort vers un autre statut ; un dossier y resterait bloqué.`);
      }
    }
  }
}

/** Marker for a field known by name only: its condition is checked for shape, not for type. */
const UNCHECKED_FIELD = '\u0000unchecked-field';

function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//.test(value)) return false;
  try {
    const url = new URL(value);
    return url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Lists every problem of the workflow definition `def` (any JSON value) against `context` (the
 * organisation's departments and agents, the procedure's form), each with a path such as
 * `statuses[2].timers[0].transition` and a French message naming the culprit. Returns an empty
 * array when the definition is valid; never throws.
 */
export function checkWorkflowDefinition(def: unknown, context: WorkflowCheckContext): WorkflowDefinitionError[] {
  if (!isRecord(def)) return [{ path: '', message: 'La définition du circuit doit être un objet JSON.' }];
  try {
    const errors = schemaErrors(ROOT_SHAPE, def, '');
    const semantic = new WorkflowChecker(def, context).run().filter((error) => error.message !== UNCHECKED_FIELD);
    return [...errors, ...semantic];
  } catch {
    // A checker bug must not let a definition through, nor crash the request that publishes it.
    return [{ path: '', message: 'La définition du circuit n’a pas pu être vérifiée entièrement : corrigez les erreurs de structure et réessayez.' }];
  }
}
