import type { FastifyRequest } from 'fastify';
import type { CaseView } from '../../../cases/repository.js';
import { configurationLookups } from '../../../configuration/lookups.js';
import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { describeTypes, formatSize } from '../../../attachments/service.js';
import type { TransitionInput } from '../../../workflow/definition.js';
import { listTransitionsOfCase } from '../../../workflow/service.js';
import { AppError } from '../../../http/errors.js';
import { mentionRepository } from '../../mentions/repository.js';
import { workflowCallerOf, type AgentScope } from '../../policy.js';
import type { AgentSession } from '../../session.js';
import { caseActionsRepository, type AgentChoice } from './repository.js';
import { handleOf, MAX_NOTE_LENGTH, MAX_REASON_LENGTH } from './service.js';

/** The forms of the panel, to say which one a refusal is about. */
export type ActionForm = 'take' | 'assign' | 'transfer' | 'transition' | 'note' | 'attach' | 'merge';

/** What an action that failed hands back to the panel: the problems and what the agent typed. */
export interface ActionsFeedback {
  form: ActionForm;
  /** The transition whose form failed. */
  transition?: string;
  problems: FieldProblem[];
  values: Record<string, string | string[]>;
  /** A version conflict: who changed the case, when and what (shown as an alert). */
  conflict?: string;
  /** The page shows the conflict or the error summary above the case already (`ActionRefusal`). */
  shownAbove?: boolean;
}

/** What the case page shows of the actions on a case. */
export interface CaseActionsData {
  reference: string;
  version: number;
  csrf: string;
  closed: boolean;
  me: number;
  assignedAgentId: number | null;
  departmentName: string;
  departmentAgents: AgentChoice[];
  /** The organisation's other departments, for a transfer. */
  departments: { id: number; name: string }[];
  /** Colleagues a note may mention, with their `@handle`. */
  mentionable: (AgentChoice & { handle: string })[];
  transitions: { name: string; label: string; inputs: TransitionInput[] }[];
  /** References of duplicates merged into this case. */
  mergedFrom: string[];
  notice: string | null;
  feedback: ActionsFeedback | null;
  maxUploadBytes: number;
}

const feedbacks = new WeakMap<FastifyRequest, ActionsFeedback>();

/** Hands a failed action's problems to the panel rendered for the same request. */
export function setActionsFeedback(request: FastifyRequest, feedback: ActionsFeedback): void {
  feedbacks.set(request, feedback);
}

/** Query parameter of the case page naming the action just done (redirect-after-post). */
export const DONE_PARAM = 'action';

const NOTICES: Record<string, string> = {
  prise: 'Vous avez pris le dossier en charge.',
  attribution: 'L’attribution du dossier est enregistrée.',
  transition: 'L’action est enregistrée.',
  note: 'La note interne est ajoutée au dossier.',
  piece: 'Le document est joint au dossier.',
};

/**
 * Loads what the actions panel needs. Opening a case also reads the agent's mentions on it
 * (« Mes mentions » counts only what they have not seen).
 */
export async function loadCaseActions(request: FastifyRequest, session: AgentSession, scope: AgentScope, view: CaseView): Promise<CaseActionsData> {
  const db = request.server.ctx.db.kysely;
  const [departmentAgents, departments, agents, transitions, mergedFrom] = await Promise.all([
    caseActionsRepository.departmentAgents(db, view.department.id),
    configurationLookups.departments(db, view.organisationId),
    caseActionsRepository.organisationAgents(db, view.organisationId),
    availableTransitions(request, session, scope, view),
    caseActionsRepository.mergedInto(db, view.id),
  ]);
  await mentionRepository.markReadOnCase(db, session.agentId, view.id, new Date().toISOString());
  const query = request.query as Record<string, unknown>;
  const done = typeof query[DONE_PARAM] === 'string' ? query[DONE_PARAM] : '';
  const from = typeof query['depuis'] === 'string' ? query['depuis'] : '';
  const notice =
    done === 'transfert'
      ? `Dossier transféré au service ${view.department.name}.`
      : done === 'fusion' && mergedFrom.includes(from)
        ? `Le dossier ${from} a été fusionné dans ce dossier.`
        : (NOTICES[done] ?? null);
  return {
    reference: view.reference,
    version: view.version,
    csrf: session.csrf,
    closed: view.closedAt !== null,
    me: session.agentId,
    assignedAgentId: view.assignedAgentId,
    departmentName: view.department.name,
    departmentAgents,
    departments: departments.filter((d) => d.id !== view.department.id).map((d) => ({ id: d.id, name: d.name })),
    mentionable: agents.filter((a) => a.id !== session.agentId).map((a) => ({ ...a, handle: handleOf(a.name) })),
    transitions,
    mergedFrom,
    notice,
    feedback: feedbacks.get(request) ?? null,
    maxUploadBytes: request.server.ctx.config.ATTACHMENT_MAX_BYTES,
  };
}

async function availableTransitions(request: FastifyRequest, session: AgentSession, scope: AgentScope, view: CaseView): Promise<CaseActionsData['transitions']> {
  if (view.workflowId === null) return [];
  try {
    const listed = await listTransitionsOfCase(request.server.ctx.db.kysely, workflowCallerOf(scope, session, view.department.id), view);
    return listed.transitions.map((t) => ({ name: t.name, label: t.label, inputs: t.inputs }));
  } catch (error) {
    if (error instanceof AppError && error.code === 'no_workflow') return [];
    throw error;
  }
}

const id = (form: string, field: string) => `ca-${form}-${field}`;
const transitionId = (name: string, input: string) => `ca-tr-${name}-${input}`.replace(/[^A-Za-z0-9_-]/g, '-');

/** The fields' ids a problem of an action links to. */
export function problemTarget(form: ActionForm, field: string, transition?: string): string {
  if (form === 'transition' && transition) return transitionId(transition, field.replace(/^inputs\.?/, '') || 'submit');
  const fields: Partial<Record<ActionForm, string[]>> = {
    assign: ['agent'],
    transfer: ['department', 'reason'],
    note: ['text', 'mentions'],
    attach: ['document'],
    merge: ['reference'],
  };
  const known = fields[form] ?? [];
  return id(form, known.includes(field) ? field : (known[0] ?? 'submit'));
}

/** Why an action was not recorded: a conflict with who changed the case, or the fields to correct. */
export function ActionRefusal({ feedback }: { feedback: ActionsFeedback }) {
  if (feedback.conflict) {
    return (
      <div class="case-actions-conflict" role="alert" id="conflit" tabIndex={-1}>
        <h2>Modification concurrente</h2>
        <p>{feedback.conflict}</p>
      </div>
    );
  }
  return feedback.problems.length > 0 ? <ErrorSummary problems={feedback.problems} title="L’action n’a pas été enregistrée" /> : null;
}

/** The side column of the case page: every action an agent may take on the case. */
export function CaseActionsPanel({ data }: { data: CaseActionsData }) {
  const fb = data.feedback;
  const problemsOf = (form: ActionForm, transition?: string) => (fb && fb.form === form && (form !== 'transition' || fb.transition === transition) ? fb.problems : []);
  const valueOf = (form: ActionForm, field: string) => {
    const v = fb && fb.form === form ? fb.values[field] : undefined;
    return typeof v === 'string' ? v : '';
  };
  const listOf = (form: ActionForm, field: string) => {
    const v = fb && fb.form === form ? fb.values[field] : undefined;
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  };
  const Hidden = () => (
    <>
      <input type="hidden" name="_csrf" value={data.csrf} />
      <input type="hidden" name="version" value={String(data.version)} />
    </>
  );
  const action = (path: string) => `/backoffice/dossiers/${encodeURIComponent(data.reference)}/${path}`;
  const assignedToMe = data.assignedAgentId === data.me;
  return (
    <section class="case-actions" id="actions" aria-labelledby="case-actions-title">
      <h2 id="case-actions-title">Actions</h2>
      {data.notice ? (
        <p class="flash" role="status">
          {data.notice}
        </p>
      ) : null}
      {fb && !fb.shownAbove ? <ActionRefusal feedback={fb} /> : null}

      {!data.closed ? (
        <div class="case-actions-group">
          <h3>Attribution</h3>
          {assignedToMe ? (
            <p>Ce dossier vous est attribué.</p>
          ) : (
            <form method="post" action={action('prendre')} data-shortcut="a" class="case-action">
              <Hidden />
              <button type="submit" id={id('take', 'submit')}>
                Prendre le dossier
              </button>{' '}
              <span class="hint">
                (raccourci <kbd>a</kbd>)
              </span>
            </form>
          )}
          <form method="post" action={action('attribuer')} class="case-action">
            <Hidden />
            <SelectField
              id={id('assign', 'agent')}
              name="agent"
              label="Attribuer à"
              problems={problemsOf('assign')}
              selected={fb?.form === 'assign' ? [valueOf('assign', 'agent')] : [data.assignedAgentId === null ? '' : String(data.assignedAgentId)]}
              options={[{ value: '', label: 'Personne (non attribué)' }, ...data.departmentAgents.map((a) => ({ value: String(a.id), label: a.id === data.me ? `${a.name} (moi)` : a.name }))]}
            />
            <button type="submit" class="secondary">
              Attribuer
            </button>
          </form>
        </div>
      ) : null}

      {data.transitions.length > 0 ? (
        <div class="case-actions-group">
          <h3>Traitement</h3>
          {data.transitions.map((t) => {
            const problems = problemsOf('transition', t.name);
            const multipart = t.inputs.some((i) => i.type === 'document');
            return (
              <form method="post" action={action('transition')} class="case-action" {...(multipart ? { enctype: 'multipart/form-data' } : {})}>
                <Hidden />
                <input type="hidden" name="transition" value={t.name} />
                {t.inputs.length > 0 ? (
                  <fieldset>
                    <legend>{t.label}</legend>
                    {t.inputs.map((input) => (
                      <TransitionField transition={t.name} input={input} problems={problems} value={fb?.form === 'transition' && fb.transition === t.name ? valueOf('transition', `inputs.${input.name}`) : ''} />
                    ))}
                    <button type="submit" id={transitionId(t.name, 'submit')}>
                      {t.label}
                    </button>
                  </fieldset>
                ) : (
                  <>
                    {problems.length > 0 ? <FieldErrors id={transitionId(t.name, 'submit-error')} problems={problems} /> : null}
                    <button type="submit" id={transitionId(t.name, 'submit')} {...(problems.length > 0 ? { 'aria-describedby': transitionId(t.name, 'submit-error') } : {})}>
                      {t.label}
                    </button>
                  </>
                )}
              </form>
            );
          })}
        </div>
      ) : null}

      <div class="case-actions-group">
        <h3>Note interne</h3>
        <form method="post" action={action('notes')} class="case-action">
          <Hidden />
          <TextArea
            id={id('note', 'text')}
            name="text"
            label="Note (visible des seuls agents)"
            hint="Pour prévenir un collègue, écrivez @prenom.nom ou choisissez-le dans la liste."
            value={valueOf('note', 'text')}
            problems={problemsOf('note')}
            maxLength={MAX_NOTE_LENGTH}
          />
          {data.mentionable.length > 0 ? (
            <SelectField
              id={id('note', 'mentions')}
              name="mentions"
              label="Mentionner (facultatif)"
              hint="Plusieurs choix possibles (Ctrl ou Maj + clic, ou flèches et espace)."
              multiple
              problems={problemsOf('note')}
              selected={listOf('note', 'mentions')}
              options={data.mentionable.map((a) => ({ value: String(a.id), label: `${a.name} (@${a.handle})` }))}
            />
          ) : null}
          <button type="submit">Ajouter la note</button>
        </form>
      </div>

      <div class="case-actions-group">
        <h3>Document</h3>
        <form method="post" action={action('pieces')} enctype="multipart/form-data" class="case-action">
          <Hidden />
          <FileField id={id('attach', 'document')} name="document" label="Joindre un document" hint={`${describeTypes()} ; ${formatSize(data.maxUploadBytes)} au plus.`} problems={problemsOf('attach')} />
          <button type="submit" class="secondary">
            Joindre
          </button>
        </form>
      </div>

      {!data.closed ? (
        <details class="case-actions-group" open={fb?.form === 'transfer' || undefined}>
          <summary>Transférer à un autre service</summary>
          <form method="post" action={action('transferer')} class="case-action">
            <Hidden />
            <SelectField
              id={id('transfer', 'department')}
              name="department"
              label="Service qui reprend le dossier"
              problems={problemsOf('transfer')}
              selected={[valueOf('transfer', 'department')]}
              options={[{ value: '', label: 'Choisir un service' }, ...data.departments.map((d) => ({ value: String(d.id), label: d.name }))]}
            />
            <TextArea
              id={id('transfer', 'reason')}
              name="reason"
              label="Motif du transfert"
              hint="Le service qui reçoit le dossier le lira dans l’historique."
              value={valueOf('transfer', 'reason')}
              problems={problemsOf('transfer')}
              maxLength={MAX_REASON_LENGTH}
              rows={3}
            />
            <button type="submit" class="secondary">
              Transférer
            </button>
          </form>
        </details>
      ) : null}

      {!data.closed ? (
        <details class="case-actions-group" open={fb?.form === 'merge' || undefined}>
          <summary>Fusionner ce dossier (doublon)</summary>
          <form method="post" action={action('fusionner')} class="case-action">
            <Hidden />
            <TextInput
              id={id('merge', 'reference')}
              name="reference"
              label="Référence du dossier à conserver"
              hint="Ce dossier-ci sera clos comme doublon ; ses pièces et messages resteront consultables depuis l’autre dossier. L’usager n’est pas prévenu."
              value={valueOf('merge', 'reference')}
              problems={problemsOf('merge')}
            />
            <button type="submit" class="secondary">
              Fusionner dans ce dossier
            </button>
          </form>
        </details>
      ) : null}

      {data.mergedFrom.length > 0 ? (
        <div class="case-actions-group">
          <h3>Dossiers fusionnés ici</h3>
          <ul>
            {data.mergedFrom.map((ref) => (
              <li>
                <a href={`/backoffice/dossiers/${encodeURIComponent(ref)}`}>Dossier {ref}</a> (pièces et messages)
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

interface FieldProps {
  id: string;
  name: string;
  label: string;
  hint?: string;
  problems: FieldProblem[];
}

function FieldErrors({ id: errorId, problems }: { id: string; problems: FieldProblem[] }) {
  return (
    <p class="field-error" id={errorId}>
      {problems.map((p) => p.message).join(' ')}
    </p>
  );
}

/** The `aria-describedby` of a field: its hint and its error, when present. */
function described(props: FieldProps, own: FieldProblem[]) {
  const ids = [props.hint ? `${props.id}-hint` : null, own.length > 0 ? `${props.id}-error` : null].filter(Boolean);
  return { ...(ids.length > 0 ? { 'aria-describedby': ids.join(' ') } : {}), ...(own.length > 0 ? { 'aria-invalid': 'true' as const } : {}) };
}

function Label(props: FieldProps & { own: FieldProblem[] }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.own.length > 0 ? <FieldErrors id={`${props.id}-error`} problems={props.own} /> : null}
    </>
  );
}

function TextInput(props: FieldProps & { value: string; type?: 'text' | 'date' | 'number' }) {
  const own = props.problems.filter((p) => p.target === props.id);
  return (
    <div class="field">
      <Label {...props} own={own} />
      {/* The type is one of three the markup accepts alike; Preact's types want it literal. */}
      <input {...({ type: props.type ?? 'text' } as { type: 'text' })} id={props.id} name={props.name} value={props.value} {...described(props, own)} />
    </div>
  );
}

function TextArea(props: FieldProps & { value: string; maxLength?: number; rows?: number }) {
  const own = props.problems.filter((p) => p.target === props.id);
  return (
    <div class="field">
      <Label {...props} own={own} />
      <textarea id={props.id} name={props.name} rows={props.rows ?? 4} {...(props.maxLength ? { maxLength: props.maxLength } : {})} {...described(props, own)}>
        {props.value}
      </textarea>
    </div>
  );
}

function SelectField(props: FieldProps & { options: { value: string; label: string }[]; selected: string[]; multiple?: boolean }) {
  const own = props.problems.filter((p) => p.target === props.id);
  return (
    <div class="field">
      <Label {...props} own={own} />
      <select id={props.id} name={props.name} {...(props.multiple ? { multiple: true, size: Math.min(6, props.options.length) } : {})} {...described(props, own)}>
        {props.options.map((o) => (
          <option value={o.value} selected={props.selected.includes(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function FileField(props: FieldProps) {
  const own = props.problems.filter((p) => p.target === props.id);
  return (
    <div class="field">
      <Label {...props} own={own} />
      <input type="file" id={props.id} name={props.name} accept="application/pdf,image/jpeg,image/png,image/webp,image/heic" {...described(props, own)} />
    </div>
  );
}

function TransitionField({ transition, input, problems, value }: { transition: string; input: TransitionInput; problems: FieldProblem[]; value: string }) {
  const props: FieldProps = { id: transitionId(transition, input.name), name: `inputs.${input.name}`, label: input.required ? input.label : `${input.label} (facultatif)`, problems };
  switch (input.type) {
    case 'textarea':
      return <TextArea {...props} value={value} rows={3} />;
    case 'select':
      return <SelectField {...props} selected={[value]} options={[{ value: '', label: 'Choisir' }, ...(input.options ?? [])]} />;
    case 'document':
      return <FileField {...props} />;
    default:
      return <TextInput {...props} value={value} type={input.type === 'date' || input.type === 'number' ? input.type : 'text'} />;
  }
}
