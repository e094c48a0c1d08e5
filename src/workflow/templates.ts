/**
 * The Liquid templates agents write in a workflow (messages to citizens, generated documents):
 * the variables they may use, a checker that catches mistakes before a workflow is published, and
 * the renderer the actions use. Templates come from agents, not developers: the engine cannot read
 * files, refuses unknown filters and stops a template that loops or allocates too much.
 */
import { Liquid, Variable } from 'liquidjs';
import type { Template } from 'liquidjs';
import { LRUCache } from 'lru-cache';
import { DateTime } from 'luxon';

/**
 * One node of the tree of template variables: a text (possibly empty), an object with known
 * properties, or a map whose keys are the transition's inputs or the form's fields.
 */
export type TemplateVariable =
  | { kind: 'text'; description: string; nullable?: boolean }
  | { kind: 'object'; description: string; nullable?: boolean; properties: Readonly<Record<string, TemplateVariable>> }
  | { kind: 'map'; description: string; keys: 'inputs' | 'formFields' };

const textVar = (description: string, nullable = false): TemplateVariable => ({ kind: 'text', description, ...(nullable ? { nullable } : {}) });

/**
 * Every variable a template may use, with a French description for the documentation and the
 * workflow editor. `TemplateVariables` is the type of the values given at rendering.
 */
export const TEMPLATE_VARIABLES: Readonly<Record<keyof TemplateVariables, TemplateVariable>> = {
  organisation: {
    kind: 'object',
    description: 'La collectivité.',
    properties: { name: textVar('Nom de la collectivité, par exemple « Mairie de Saint-Rémy ».') },
  },
  case: {
    kind: 'object',
    description: 'Le dossier.',
    properties: {
      reference: textVar('Numéro du dossier, par exemple « 2026-000123 ».'),
      trackingCode: textVar('Code de suivi donné à l’usager.'),
      subject: textVar('Objet de la demande.'),
      receivedAt: textVar('Date et heure de réception (ISO 8601) ; à écrire en toutes lettres avec le filtre date_fr : {{ case.receivedAt | date_fr }}.'),
      receivedOn: textVar('Date de réception en toutes lettres, par exemple « 12 mars 2026 ».'),
      dueOn: textVar('Date d’échéance du traitement en toutes lettres ; vide sans échéance.', true),
      implicitDecisionOn: textVar('Date à laquelle le silence de l’administration vaudra décision, en toutes lettres ; vide si la démarche n’en prévoit pas.', true),
      status: textVar('Statut du dossier, tel que l’usager le lit.'),
      trackingUrl: textVar('Adresse de la page de suivi du dossier sur le portail.'),
      data: { kind: 'map', keys: 'formFields', description: 'Réponses du formulaire, par nom de champ : {{ case.data.nomDuChamp }}.' },
    },
  },
  citizen: {
    kind: 'object',
    nullable: true,
    description: 'L’usager ; vide pour une demande anonyme.',
    properties: {
      civility: textVar('Civilité (« Madame », « Monsieur ») ; peut être vide.', true),
      firstNames: textVar('Prénoms ; peut être vide.', true),
      lastName: textVar('Nom ; peut être vide.', true),
      fullName: textVar('Prénoms et nom, ou ce qui en est connu.'),
      email: textVar('Adresse électronique ; peut être vide.', true),
      phone: textVar('Téléphone ; peut être vide.', true),
    },
  },
  procedure: {
    kind: 'object',
    description: 'La démarche.',
    properties: {
      title: textVar('Titre de la démarche.'),
      slug: textVar('Identifiant de la démarche dans les adresses.'),
      delay: textVar('Délai de traitement annoncé, par exemple « 10 jours ouvrés » ; vide sans démarche.', true),
    },
  },
  department: {
    kind: 'object',
    description: 'Le service qui traite le dossier.',
    properties: {
      name: textVar('Nom du service.'),
      email: textVar('Adresse électronique du service ; peut être vide.', true),
      phone: textVar('Téléphone du service ; peut être vide.', true),
      address: textVar('Adresse postale du service ; peut être vide.', true),
    },
  },
  inputs: { kind: 'map', keys: 'inputs', description: 'Ce que l’agent a saisi en faisant l’action, par nom de saisie : {{ inputs.motif }}.' },
  agent: {
    kind: 'object',
    nullable: true,
    description: 'L’agent qui fait l’action ; vide pour une action automatique.',
    properties: {
      name: textVar('Prénom et nom de l’agent.'),
      email: textVar('Adresse électronique de l’agent (modèles de réponse) ; vide ailleurs.', true),
      department: textVar('Service de l’agent (modèles de réponse) ; vide ailleurs.', true),
    },
  },
  replyBy: textVar('Date limite de réponse d’une demande de compléments, en toutes lettres ; vide ailleurs.', true),
};

/** The values a template is rendered with; see `TEMPLATE_VARIABLES` for their meaning. */
export interface TemplateVariables {
  organisation: { name: string };
  case: {
    reference: string;
    trackingCode: string;
    subject: string;
    receivedAt: string;
    receivedOn: string;
    dueOn: string | null;
    implicitDecisionOn: string | null;
    status: string;
    trackingUrl: string;
    data: Record<string, unknown>;
  };
  citizen: {
    civility: string | null;
    firstNames: string | null;
    lastName: string | null;
    fullName: string;
    email: string | null;
    phone: string | null;
  } | null;
  procedure: { title: string; slug: string; delay?: string | null };
  department: { name: string; email: string | null; phone: string | null; address: string | null };
  inputs: Record<string, unknown>;
  /** `email` and `department` are known in response templates, written by an agent at their desk. */
  agent: { name: string; email?: string | null; department?: string | null } | null;
  replyBy: string | null;
}

/** Raised when a template cannot be rendered (invalid, or over the time and memory limits). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const ZONE = 'Europe/Paris';

/** « 12 mars 2026 », « 1er avril 2026 »: how French letters write a date, in the town hall's zone. */
function dateFr(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  let date: DateTime;
  if (value instanceof Date) date = DateTime.fromJSDate(value, { zone: ZONE });
  else if (typeof value === 'string') date = DateTime.fromISO(value.trim(), { zone: ZONE });
  else return String(value);
  if (!date.isValid) return String(value);
  const day = date.day === 1 ? '1er' : String(date.day);
  return `${day} ${date.setLocale('fr').toFormat('MMMM yyyy')}`;
}

/** Tags that would read other templates (from disk or elsewhere): agents' templates stand alone. */
const FORBIDDEN_TAGS = ['include', 'render', 'layout'];

function createEngine(): Liquid {
  const engine = new Liquid({
    // An empty in-memory file system: nothing is ever read from disk.
    templates: {},
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    timezoneOffset: ZONE,
    locale: 'fr-FR',
    parseLimit: 200_000,
    renderLimit: 1_000,
    memoryLimit: 10_000_000,
  });
  for (const tag of FORBIDDEN_TAGS) Reflect.deleteProperty(engine.tags, tag);
  engine.registerFilter('date_fr', dateFr);
  return engine;
}

const engine = createEngine();
/** Parsed templates by source: the same few templates are rendered for many cases. */
const parsed = new LRUCache<string, Template[]>({ max: 500 });
/** Outputs, tags and text nodes rendered in one call at most (on top of time and memory limits). */
const TEMPLATE_LIMIT = 100_000;

function parse(source: string): Template[] {
  const cached = parsed.get(source);
  if (cached !== undefined) return cached;
  const templates = engine.parse(source);
  parsed.set(source, templates);
  return templates;
}

/**
 * Renders the agent-written Liquid `source` as plain text (nothing is HTML-escaped). Rejects with a
 * `TemplateError` whose message is French when the template is invalid or exceeds its limits;
 * `checkTemplate` finds the former before a workflow is published.
 */
export async function renderTemplate(source: string, variables: TemplateVariables): Promise<string> {
  try {
    // A copy: {% increment %} and {% decrement %} write into the top-level scope they are given.
    const output: unknown = await engine.render(parse(source), { ...variables }, { templateLimit: TEMPLATE_LIMIT });
    return String(output);
  } catch (error) {
    throw new TemplateError(describeLiquidError(error, 'Le modèle n’a pas pu être produit'), { cause: error });
  }
}

// --- Checking -----------------------------------------------------------------------------

/** Liquid's messages, translated; the first capture group is the culprit when there is one. */
const LIQUID_MESSAGES: [RegExp, (culprit: string) => string][] = [
  [/^undefined filter: (.+)$/, (name) => `filtre inconnu « ${name} »`],
  [/^tag "(include|render|layout)" not found$/, (name) => `la balise « ${name} » n’est pas disponible : un modèle ne peut pas inclure d’autre modèle`],
  [/^tag "(end[a-z]+)" not found$/, (name) => `balise de fin « ${name} » sans balise d’ouverture correspondante`],
  [/^tag "(else|elsif|when|break|continue)" not found$/, (name) => `balise « ${name} » hors du bloc qui l’autorise (if, case ou for)`],
  [/^tag "(.+)" not found$/, (name) => `balise inconnue « ${name} »`],
  [/^tag (.+) not closed$/, (tag) => `la balise ${tag} n’est pas fermée (il manque sa balise de fin, par exemple {% endif %})`],
  [/^output (.+) not closed$/, (output) => `« ${unquote(output)} » n’est pas fermé : ajoutez « }} »`],
  [/^raw (.+) not closed$/, () => 'le bloc raw n’est pas fermé : ajoutez {% endraw %}'],
  [/^illegal tag: (.+)$/, (tag) => `balise inattendue ${tag}`],
  [/^invalid value expression: (.+)$/, (text) => (unquote(text).trim() === '' ? 'expression manquante' : `expression invalide « ${unquote(text)} »`)],
  [/^unexpected token (.+), value expected$/, (text) => `valeur attendue à la place de « ${unquote(text)} »`],
  [/^unexpected character (.+)$/, (text) => `caractère inattendu dans « ${unquote(text)} »`],
  [/^expected ":" after filter name$/, () => 'il manque « : » après le nom du filtre'],
  [/^expected filter name$/, () => 'il manque le nom du filtre après « | »'],
  [/^\[ not closed$/, () => 'un crochet « [ » n’est pas fermé'],
  [/^unbalanced parentheses$/, () => 'les parenthèses ne sont pas équilibrées'],
  [/^invalid range syntax$/, () => 'intervalle invalide : écrivez par exemple (1..5)'],
  [/^unexpected elsif after else$/, () => '« elsif » ne peut pas suivre « else »'],
  [/^duplicated else$/, () => '« else » apparaît deux fois'],
  [/^memory alloc limit exceeded$/, () => 'le modèle produit un texte trop long'],
  [/^template render limit exceeded$/, () => 'le modèle est trop long à produire (boucle trop longue ?)'],
];

/** Liquid quotes some culprits as JSON strings: shows them as written. */
function unquote(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return text;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : text;
  } catch {
    return text;
  }
}

function positionOf(error: unknown): { line: number; column: number } | undefined {
  try {
    const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
    const position = token?.getPosition?.();
    return position === undefined ? undefined : { line: position[0], column: position[1] };
  } catch {
    return undefined;
  }
}

/** Liquid's own message without the position it appends (« , line:2, col:1 »). */
function rawMessage(error: unknown): string {
  const original = (error as { originalError?: unknown }).originalError;
  const message = original instanceof Error ? original.message : error instanceof Error ? error.message : String(error);
  return message.replace(/(, file:.*)?, line:\d+, col:\d+$/, '');
}

function describeLiquidError(error: unknown, heading: string): string {
  const raw = rawMessage(error);
  const position = positionOf(error);
  const where = position === undefined ? '' : ` (ligne ${position.line}, colonne ${position.column})`;
  for (const [pattern, translate] of LIQUID_MESSAGES) {
    const match = pattern.exec(raw);
    if (match) return `${heading}${where} : ${translate(match[1] ?? '')}.`;
  }
  return `${heading}${where} : ${raw}.`;
}

/** Names known for the two maps of the tree; `undefined` accepts any name. */
interface MapKeys { inputs?: readonly string[]; formFields?: readonly string[] }

const MAX_SUGGESTIONS = 20;

function listOf(paths: string[]): string {
  if (paths.length <= MAX_SUGGESTIONS) return paths.join(', ');
  return `${paths.slice(0, MAX_SUGGESTIONS).join(', ')}, …`;
}

function unknownVariable(shown: string, prefix: string, candidates: readonly string[], where: string): string {
  if (candidates.length === 0) {
    const none = prefix === 'inputs' ? 'aucune saisie n’est demandée ici' : 'aucun champ n’est connu';
    return `Variable inconnue « ${shown} »${where} : ${none}.`;
  }
  return `Variable inconnue « ${shown} »${where} : variables possibles : ${listOf(candidates.map((key) => `${prefix}.${key}`))}.`;
}

function segmentText(segment: string | number | Variable): string {
  if (typeof segment === 'number') return `[${segment}]`;
  if (typeof segment === 'string') return /^[A-Za-z_][\w-]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  return `[${String(segment)}]`;
}

/** Why the variable made of `segments` is not in the tree, or `undefined` when it is. */
function variableProblem(segments: readonly (string | number | Variable)[], keys: MapKeys, where: string): string | undefined {
  const [root, ...rest] = segments;
  if (typeof root !== 'string') return undefined;
  const shown = root + rest.map(segmentText).join('');
  if (!Object.hasOwn(TEMPLATE_VARIABLES, root)) {
    return `Variable inconnue « ${shown} »${where} : variables possibles : ${Object.keys(TEMPLATE_VARIABLES).join(', ')}.`;
  }
  let node: TemplateVariable = TEMPLATE_VARIABLES[root as keyof TemplateVariables];
  let prefix = root;
  for (const [index, segment] of rest.entries()) {
    // A computed segment (case.data[inputs.field]) cannot be checked statically.
    if (segment instanceof Variable) return undefined;
    const key = String(segment);
    if (node.kind === 'map') {
      const known = keys[node.keys];
      if (known === undefined || known.includes(key)) return undefined;
      return unknownVariable(shown, prefix, known, where);
    }
    if (node.kind === 'text') {
      if (key === 'size' && index === rest.length - 1) return undefined;
      return `Variable inconnue « ${shown} »${where} : « ${prefix} » est un texte, sans propriété « ${key} ».`;
    }
    const child: TemplateVariable | undefined = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
    if (child === undefined) return unknownVariable(shown, prefix, Object.keys(node.properties), where);
    node = child;
    prefix = `${prefix}.${key}`;
  }
  return undefined;
}

/**
 * Lists the problems of the agent-written Liquid `source`, as French messages: syntax errors
 * (with line and column), unknown filters and tags, and variables outside `TEMPLATE_VARIABLES`.
 * `inputs.X` is known when X is one of `inputNames`, `case.data.X` when X is one of
 * `formFieldNames`; either list left out accepts any name. Never throws.
 */
export function checkTemplate(source: string, options: { inputNames?: readonly string[]; formFieldNames?: readonly string[] } = {}): string[] {
  if (typeof source !== 'string') return ['Le modèle doit être un texte.'];
  let templates: Template[];
  try {
    templates = engine.parse(source);
  } catch (error) {
    return [describeLiquidError(error, 'Erreur de syntaxe')];
  }
  const keys: MapKeys = { inputs: options.inputNames, formFields: options.formFieldNames };
  try {
    const analysis = engine.analyzeSync(templates, { partials: false });
    const variables = Object.values(analysis.globals).flat()
      .sort((a, b) => a.location.row - b.location.row || a.location.col - b.location.col);
    const problems = new Set<string>();
    const seen = new Set<string>();
    for (const variable of variables) {
      const text = String(variable);
      if (seen.has(text)) continue;
      seen.add(text);
      const where = ` (ligne ${variable.location.row}, colonne ${variable.location.col})`;
      const problem = variableProblem(variable.segments, keys, where);
      if (problem !== undefined) problems.add(problem);
    }
    return [...problems];
  } catch (error) {
    return [describeLiquidError(error, 'Modèle impossible à analyser')];
  }
}
