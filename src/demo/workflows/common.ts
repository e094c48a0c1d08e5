/**
 * Pieces the demo workflows share: who may take a transition, the shape of the letters sent to
 * citizens (greeting, signature, tracking link), and the transitions every circuit has in the same
 * form — a refusal with its reason, a manager reopening a closed request.
 *
 * Templates only use the variables the workflow checker knows (organisation, case, citizen,
 * procedure, department, inputs, agent, replyBy); `citizen` is null for anonymous requests and
 * `agent` for changes made by the town's own software, so both are always guarded.
 */
import type { Action, Duration, MessageTemplate, Transition, TransitionInput, WorkflowRole } from '../../workflow/definition.js';

/** Everyday handling: the department's agents and managers, and the town's software through its API token. */
export const STAFF: WorkflowRole[] = ['agent', 'manager', 'integration'];
/** Decisions that undo a closing: managers only. */
export const MANAGERS: WorkflowRole[] = ['manager'];

const GREETING = '{% if citizen %}Bonjour {{ citizen.fullName }},{% else %}Madame, Monsieur,{% endif %}';

const SIGNATURE = [
  'Cordialement,',
  '',
  '{% if agent %}{{ agent.name }}\n{% endif %}Service {{ department.name }} – {{ organisation.name }}',
  '{% if department.phone %}Téléphone : {{ department.phone }}\n{% endif %}{% if department.email %}Courriel : {{ department.email }}{% endif %}',
].join('\n');

const TRACKING = 'Vous pouvez suivre votre demande à tout moment, avec le code {{ case.trackingCode }} : {{ case.trackingUrl }}';

/** A message to the citizen: greeting, paragraphs, tracking link and signature; the subject names the request. */
export function message(subject: string, ...paragraphs: string[]): MessageTemplate {
  return {
    subject: `${subject} – demande n° {{ case.reference }}`,
    body: [GREETING, ...paragraphs, TRACKING, SIGNATURE].join('\n\n'),
  };
}

/** Writes to the citizen. */
export function notify(subject: string, ...paragraphs: string[]): Action {
  return { type: 'notify_citizen', message: message(subject, ...paragraphs) };
}

/** A YYYY-MM-DD value (form answer or transition input) written in full, « 15 juin 2030 ». */
export function frenchDate(path: string): string {
  return `{{ ${path} | date_fr }}`;
}

/** A required free-text reason, shown to the citizen when the transition writes to them. */
export function reasonInput(label = 'Motif, tel qu’il sera communiqué au demandeur', name = 'motif'): TransitionInput {
  return { name, label, type: 'textarea', required: true };
}

/** The appeal routes a refusal must mention (CRPA L. 211-2 and R. 421-1 CJA). */
export const APPEAL =
  'Si vous contestez cette décision, vous pouvez former un recours gracieux auprès du maire ou un recours devant le tribunal administratif dans un délai de deux mois à compter de la réception de ce courrier.';

/** A refusal: a required reason, told to the citizen with the appeal routes. */
export function refusal(name: string, label: string, from: string[], to: string, subject: string, lead: string): Transition {
  return {
    name,
    label,
    from,
    to,
    roles: STAFF,
    inputs: [reasonInput()],
    actions: [notify(subject, lead, 'Motif : {{ inputs.motif }}', APPEAL)],
  };
}

/** Reopens a closed request when it was closed by mistake or the citizen comes back with new elements. */
export function reopen(from: string[], to: string): Transition {
  return {
    name: 'rouvrir',
    label: 'Rouvrir la demande',
    from,
    to,
    roles: MANAGERS,
    inputs: [{ name: 'motifReouverture', label: 'Pourquoi rouvrez-vous cette demande ? (note interne)', type: 'textarea', required: true }],
  };
}

/** How a request for missing pieces is written and how it acts on the legal silence delay. */
export interface PiecesRequest {
  label: string;
  from: string[];
  to: string;
  /** Subject of the message, without the request number (added). */
  subject: string;
  /** The sentence introducing the list of what is missing. */
  lead: string;
  /** What happens without a reply by the deadline. */
  consequence: string;
  replyWithin: Duration;
  silence?: 'suspend' | 'restart';
  incompleteFile?: boolean;
}

/**
 * Asks the citizen for what is missing: the agent types the list (`piecesDemandees`), the message
 * gives the reply date and where to send the pieces.
 */
export function askForPieces(name: string, request: PiecesRequest): Transition {
  const { label, from, to, subject, lead, consequence, replyWithin, silence, incompleteFile } = request;
  return {
    name,
    label,
    from,
    to,
    roles: STAFF,
    inputs: [{ name: 'piecesDemandees', label: 'Pièces ou informations demandées', type: 'textarea', required: true }],
    actions: [
      {
        type: 'request_information',
        replyWithin,
        ...(silence ? { silence } : {}),
        ...(incompleteFile ? { incompleteFile } : {}),
        message: message(
          subject,
          lead,
          '{{ inputs.piecesDemandees }}',
          `Merci de nous les faire parvenir avant le {{ replyBy }}, en répondant à ce message, par courrier ou au guichet du service {{ department.name }}. ${consequence}`,
        ),
      },
    ],
  };
}

/** The label of a select value in a template (`{% case %}`), for values stored as identifiers. */
export function labelOf(path: string, options: readonly { value: string; label: string }[]): string {
  return `{% case ${path} %}${options.map((o) => `{% when '${o.value}' %}${o.label}`).join('')}{% endcase %}`;
}
