import type { FastifyRequest } from 'fastify';
import type { CaseView } from '../../../cases/repository.js';
import { ErrorSummary } from '../../../http/ui/layout.js';
import type { CitizenChannel } from '../../../workflow/effects.js';
import { TemplateError } from '../../../workflow/templates.js';
import type { AgentScope } from '../../policy.js';
import type { AgentSession } from '../../session.js';
import { renderResponseTemplate, templatesFor, type RenderedTemplate, type TemplateChoice } from '../../templates/render.js';
import { blankState, problemsOf, TextArea, TextField, type FormState } from '../../templates/views/fields.js';
import { citizenReach, letterUrlOf, MAX_SUBJECT, type CitizenReach } from './service.js';

/**
 * The reply box of the case page (reply on the citizen's channel with a template, request
 * missing information). The case page calls `loadReplyPanel` then renders `<ReplyPanel data={…} />`;
 * its container has id `reponse` (the "r" shortcut). It works as plain forms: applying a template
 * is a GET that fills the fields, sending a POST answered by a redirect; htmx swaps the box only.
 */
export type ReplyPanelData = {
  reference: string;
  version: number;
  csrf: string;
  templates: TemplateChoice[];
  reach: CitizenReach;
  /** Fields: modele, subject, body, channel, ask ('1'), dueOn; and their errors. */
  state: FormState;
  /** Shown once after sending. */
  sent: { channel: CitizenChannel; letterUrl: string | null } | null;
  /** A preview asked before sending. */
  preview: RenderedTemplate | null;
};

const CHANNELS: readonly CitizenChannel[] = ['email', 'portal', 'sms', 'letter'];

function query(request: FastifyRequest, name: string): string | null {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : null;
}

/**
 * The reply box's data for a case the agent may see. `?modele=ID` fills the fields with that
 * template rendered for the case; `?reponse=<channel>&courrier=<id>` says a reply was just sent.
 * `state` overrides the fields (a form sent back with errors).
 */
export async function loadReplyPanel(request: FastifyRequest, session: AgentSession, scope: AgentScope, view: CaseView, state?: FormState): Promise<ReplyPanelData> {
  const db = request.server.ctx.db.kysely;
  const config = request.server.ctx.config;
  const [templates, reach] = await Promise.all([
    templatesFor(db, scope.organisationId, { departmentId: view.department.id, procedureId: view.procedureId }),
    citizenReach(db, view),
  ]);
  let current = state ?? blankState({ channel: reach.channel, modele: '' });
  const chosen = query(request, 'modele');
  if (!state && chosen && /^\d{1,10}$/.test(chosen) && templates.some((t) => t.id === Number(chosen))) {
    try {
      const rendered = await renderResponseTemplate(db, Number(chosen), {
        organisationId: scope.organisationId,
        caseId: view.id,
        agent: { id: session.agentId, name: session.name, email: session.email },
        publicUrl: config.publicUrl,
        timezone: config.TIMEZONE,
      });
      current = blankState({ ...current.values, modele: chosen, subject: rendered.subject, body: rendered.body });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      current = { values: { ...current.values, modele: chosen }, errors: { modele: error.message } };
    }
  }
  const sentChannel = query(request, 'reponse');
  const letter = query(request, 'courrier');
  const sent =
    sentChannel && (CHANNELS as readonly string[]).includes(sentChannel)
      ? { channel: sentChannel as CitizenChannel, letterUrl: sentChannel === 'letter' && letter && /^\d{1,10}$/.test(letter) ? letterUrlOf(view.reference, Number(letter)) : null }
      : null;
  return { reference: view.reference, version: view.version, csrf: session.csrf, templates, reach, state: current, sent, preview: null };
}

const SENT: Record<CitizenChannel, string> = {
  email: 'La réponse est partie par courriel.',
  portal: 'La réponse est déposée dans l’espace « Mes demandes » de l’usager.',
  sms: 'La réponse est partie par SMS.',
  letter: 'La réponse est enregistrée : imprimez le courrier et envoyez-le par la poste.',
};

function channelLabel(channel: CitizenChannel, reach: CitizenReach): string {
  switch (channel) {
    case 'email':
      return `Courriel (${reach.email ?? ''})`;
    case 'portal':
      return 'Message dans l’espace « Mes demandes » de l’usager';
    case 'sms':
      return `SMS (${reach.mobile ?? ''})`;
    case 'letter':
      return 'Courrier papier à imprimer';
  }
}

/** The reply box: template, subject, text, channel, files, information request. */
export function ReplyPanel({ data }: { data: ReplyPanelData }) {
  const { reference, state, reach } = data;
  const base = `/backoffice/dossiers/${encodeURIComponent(reference)}`;
  const values = state.values;
  return (
    <section id="reponse" class="reply-panel" aria-labelledby="reponse-title">
      <h2 id="reponse-title">Répondre à l’usager</h2>
      {data.sent ? (
        <div class="flash" role="status">
          <p>{SENT[data.sent.channel]}</p>
          {data.sent.letterUrl ? (
            <p>
              <a href={data.sent.letterUrl}>Télécharger le courrier à imprimer (PDF)</a>
            </p>
          ) : null}
        </div>
      ) : null}
      <ErrorSummary problems={problemsOf(state, 'reply')} />
      {data.templates.length > 0 ? (
        <form method="get" action={`${base}/repondre`} class="reply-template" data-hx-get={`${base}/repondre`} data-hx-target="#reponse" data-hx-swap="outerHTML">
          <label for="reply-modele">Modèle de réponse</label>
          <select id="reply-modele" name="modele" {...(state.errors['modele'] ? { 'aria-invalid': 'true', 'aria-describedby': 'reply-modele-error' } : {})}>
            <option value="">— Choisir un modèle —</option>
            {data.templates.map((t) => (
              <option value={String(t.id)} selected={values['modele'] === String(t.id)}>
                {t.name} ({t.scopeLabel})
              </option>
            ))}
          </select>
          {state.errors['modele'] ? (
            <p class="field-error" id="reply-modele-error">
              {state.errors['modele']}
            </p>
          ) : null}
          <button type="submit" class="secondary">
            Appliquer le modèle
          </button>
        </form>
      ) : null}
      {data.preview ? (
        <section class="reply-preview" aria-labelledby="reply-preview-title">
          <h3 id="reply-preview-title">Aperçu avant envoi</h3>
          <p>
            <strong>Objet :</strong> {data.preview.subject}
          </p>
          <pre>{data.preview.body}</pre>
        </section>
      ) : null}
      <form method="post" action={`${base}/repondre`} enctype="multipart/form-data" class="reply-form" novalidate>
        <input type="hidden" name="_csrf" value={data.csrf} />
        <input type="hidden" name="version" value={String(data.version)} />
        <input type="hidden" name="modele" value={values['modele'] ?? ''} />
        <TextField prefix="reply" name="subject" label="Objet" state={state} required maxLength={MAX_SUBJECT} />
        <TextArea prefix="reply" name="body" label="Texte de la réponse" state={state} required rows={12} />
        <fieldset class="reply-channels" {...(state.errors['channel'] ? { 'aria-describedby': 'reply-channel-error' } : {})}>
          <legend>Envoyer par</legend>
          {state.errors['channel'] ? (
            <p class="field-error" id="reply-channel-error">
              {state.errors['channel']}
            </p>
          ) : null}
          {reach.available.map((channel, index) => (
            <div class="reply-choice">
              <input
                type="radio"
                name="channel"
                value={channel}
                id={index === 0 ? 'reply-channel' : `reply-channel-${channel}`}
                checked={(values['channel'] ?? reach.channel) === channel}
              />
              <label for={index === 0 ? 'reply-channel' : `reply-channel-${channel}`}>
                {channelLabel(channel, reach)}
                {channel === reach.channel ? ' — moyen habituel de l’usager' : ''}
              </label>
            </div>
          ))}
        </fieldset>
        <div class="bo-field">
          <label for="reply-attachments">
            Joindre des fichiers <span class="bo-optional">(facultatif)</span>
          </label>
          {state.errors['attachments'] ? (
            <p class="field-error" id="reply-attachments-error">
              {state.errors['attachments']}
            </p>
          ) : null}
          <input type="file" id="reply-attachments" name="attachments" multiple {...(state.errors['attachments'] ? { 'aria-describedby': 'reply-attachments-error', 'aria-invalid': 'true' } : {})} />
        </div>
        <fieldset class="reply-request">
          <legend>Demande de compléments</legend>
          <div class="reply-choice">
            <input type="checkbox" id="reply-ask" name="ask" value="1" checked={values['ask'] === '1'} aria-describedby="reply-ask-hint" />
            <label for="reply-ask">Demande de compléments : l’usager doit répondre</label>
          </div>
          <p class="hint" id="reply-ask-hint">
            La demande apparaît dans son espace « Mes demandes » ; le dossier passe en attente de l’usager quand son circuit le prévoit.
          </p>
          <TextField prefix="reply" name="dueOn" label="À fournir avant le" state={state} type="date" />
        </fieldset>
        <div class="reply-actions">
          <button type="submit" name="intent" value="apercu" formaction={`${base}/apercu-reponse`} class="secondary">
            Aperçu
          </button>
          <button type="submit" name="intent" value="envoyer">
            Envoyer la réponse
          </button>
        </div>
      </form>
    </section>
  );
}
