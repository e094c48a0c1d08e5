/**
 * The workflow language of Guichet: each procedure publishes versions of one `WorkflowDefinition`
 * (JSON). A case keeps the version it started with. This module holds the types and the TypeBox
 * schema that documents the language and checks it structurally; `check-definition.ts` adds the
 * checks a schema cannot express (unknown or unreachable statuses, template variables…).
 */
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import type { Condition } from '../procedures/form/definition.js';

/** What a status means, whatever its label: drives clocks, inbox filters and indicators. */
export const STATUS_CATEGORIES = [
  'new',
  'in_progress',
  'waiting_citizen',
  'waiting_third_party',
  'closed_accepted',
  'closed_refused',
  'closed_without_action',
] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

/**
 * Who may take a transition: an agent of the case's department, a manager of it, an admin, the
 * citizen who made the request, or an integration through an API token.
 */
export const WORKFLOW_ROLES = ['agent', 'manager', 'admin', 'citizen', 'integration'] as const;
export type WorkflowRole = (typeof WORKFLOW_ROLES)[number];

/** Status ids and transition names appear in URLs and journals: short identifiers. */
export const WORKFLOW_ID_PATTERN = '^[a-z][a-z0-9_]*$';

/** A length of time: business days and hours follow the department's calendar. */
export interface Duration {
  value: number;
  unit: 'business_days' | 'business_hours' | 'calendar_days';
}

/**
 * A message written in Liquid (variables: case, citizen, procedure, department, inputs, agent), or
 * the slug of one of the organisation's response templates, rendered when the action runs.
 */
export type MessageTemplate = { subject: string; body: string } | { template: string };

export type Action =
  /** Writes to the citizen on their preferred channel (email, else portal message, else a letter to print). */
  | { type: 'notify_citizen'; message: MessageTemplate }
  /**
   * Asks the citizen for missing information or pieces, with a reply deadline. The legal silence
   * delay is suspended until the reply, or restarts from it (`silence: 'restart'`; always for an
   * incomplete file).
   */
  | { type: 'request_information'; message: MessageTemplate; replyWithin: Duration; silence?: 'suspend' | 'restart'; incompleteFile?: boolean }
  /** Hands the case to a department (slug) and/or an agent (email). */
  | { type: 'assign'; department?: string; agent?: string }
  /** A PDF made from a Liquid template (a decision letter, an extract), attached to the case. */
  | { type: 'generate_document'; title: string; filename: string; body: string }
  /** POSTs the case event as JSON to another system; retried until it answers 2xx. */
  | { type: 'webhook'; url: string }
  /** Pushes the due date back. */
  | { type: 'set_due'; extendBy: Duration }
  | { type: 'set_label'; label: string };

export type ActionType = Action['type'];
export const ACTION_TYPES: readonly ActionType[] = ['notify_citizen', 'request_information', 'assign', 'generate_document', 'webhook', 'set_due', 'set_label'];

/** After some time in a status: take a transition, or alert the department's managers. */
export interface Timer {
  after: Duration;
  transition?: string;
  escalate?: 'managers';
}

export interface Status {
  id: string;
  /** What agents read. */
  label: string;
  /** What the citizen reads on the portal and in messages. */
  citizenLabel: string;
  category: StatusCategory;
  onEnter?: Action[];
  timers?: Timer[];
  /**
   * The transition taken (as the system) when the citizen replies while the case is in this
   * status, on any channel: typically « pieces received, resume » from a waiting status. It must
   * leave this status and need no input.
   */
  onCitizenReply?: string;
}

/** A value the person taking the transition must give (a reason, a date, a document). */
export interface TransitionInput {
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'date' | 'number' | 'select' | 'document';
  required?: boolean;
  options?: { value: string; label: string }[];
}

export interface Transition {
  name: string;
  /** The button agents see, e.g. « Délivrer l’acte ». */
  label: string;
  /** Statuses it leaves from; `*` means every status that is not closed. */
  from: string[];
  to: string;
  roles: WorkflowRole[];
  inputs?: TransitionInput[];
  /** Only offered when the case's data satisfies it (same language as form conditions). */
  condition?: Condition;
  actions?: Action[];
}

export interface WorkflowDefinition {
  version: 1;
  /** Status of a new case. */
  initial: string;
  statuses: Status[];
  transitions: Transition[];
}

// --- TypeBox schema: documentation (OpenAPI) and structural check -----------------------------

const text = (maxLength: number, description?: string): TSchema => Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });
const identifier = (description: string): TSchema => Type.String({ pattern: WORKFLOW_ID_PATTERN, maxLength: 64, description });

const DurationSchema = Type.Object(
  {
    value: Type.Number({ exclusiveMinimum: 0, maximum: 3_650 }),
    unit: Type.Enum(['business_days', 'business_hours', 'calendar_days']),
  },
  { additionalProperties: false },
);

// Either subject and body, or a template: the checker says which is missing (no unions here).
const MessageSchema = Type.Object(
  {
    subject: Type.Optional(text(300, 'Objet (Liquid).')),
    body: Type.Optional(text(20_000, 'Texte (Liquid).')),
    template: Type.Optional(text(60, 'Identifiant d’un modèle de réponse de la collectivité, à la place de l’objet et du texte.')),
  },
  { additionalProperties: false },
);

export const ACTION_SCHEMAS: Record<ActionType, TSchema> = {
  notify_citizen: Type.Object({ type: Type.Literal('notify_citizen'), message: MessageSchema }, { additionalProperties: false }),
  request_information: Type.Object(
    {
      type: Type.Literal('request_information'),
      message: MessageSchema,
      replyWithin: DurationSchema,
      silence: Type.Optional(Type.Enum(['suspend', 'restart'])),
      incompleteFile: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  assign: Type.Object(
    { type: Type.Literal('assign'), department: Type.Optional(text(64)), agent: Type.Optional(Type.String({ format: 'email', maxLength: 254 })) },
    { additionalProperties: false },
  ),
  generate_document: Type.Object(
    { type: Type.Literal('generate_document'), title: text(200), filename: Type.String({ pattern: '^[A-Za-z0-9._-]+\\.pdf$', maxLength: 100 }), body: text(50_000) },
    { additionalProperties: false },
  ),
  webhook: Type.Object({ type: Type.Literal('webhook'), url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2_000 }) }, { additionalProperties: false }),
  set_due: Type.Object({ type: Type.Literal('set_due'), extendBy: DurationSchema }, { additionalProperties: false }),
  set_label: Type.Object({ type: Type.Literal('set_label'), label: text(60) }, { additionalProperties: false }),
};

export const TIMER_SCHEMA = Type.Object(
  { after: DurationSchema, transition: Type.Optional(identifier('Transition prise à l’échéance.')), escalate: Type.Optional(Type.Literal('managers')) },
  { additionalProperties: false },
);

export const INPUT_SCHEMA = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-zA-Z0-9_]*$', maxLength: 64 }),
    label: text(200),
    type: Type.Enum(['text', 'textarea', 'date', 'number', 'select', 'document']),
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(Type.Array(Type.Object({ value: text(200), label: text(500) }, { additionalProperties: false }), { minItems: 1 })),
  },
  { additionalProperties: false },
);

/** Top level and statuses/transitions; actions, timers and inputs are checked one by one. */
export const WORKFLOW_SHAPE = Type.Object(
  {
    version: Type.Literal(1),
    initial: identifier('Statut d’un nouveau dossier.'),
    statuses: Type.Array(
      Type.Object(
        {
          id: identifier('Identifiant du statut.'),
          label: text(100),
          citizenLabel: text(100),
          category: Type.Enum(STATUS_CATEGORIES),
          onEnter: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
          timers: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 10 })),
          onCitizenReply: Type.Optional(identifier('Transition prise quand l’usager répond (par le portail, par courriel ou par SMS).')),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    transitions: Type.Array(
      Type.Object(
        {
          name: identifier('Nom de la transition, unique dans le circuit.'),
          label: text(100),
          from: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1 }),
          to: identifier('Statut d’arrivée.'),
          roles: Type.Array(Type.Enum(WORKFLOW_ROLES)),
          inputs: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
          condition: Type.Optional(Type.Unknown()),
          actions: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 300 },
    ),
  },
  { additionalProperties: false },
);
