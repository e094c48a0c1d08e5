import { describeTypes, formatSize } from '../../../attachments/service.js';
import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { AnswerList } from '../../forms/fields/index.js';
import { MAX_REPLY_FILES, RATINGS, type CasePage, type FileLink } from '../service.js';
import { formatDate, formatDateTime } from './dates.js';

/** Which form of the page a submission came from, to show its errors at the right place. */
export type CaseForm = 'request' | 'message' | 'satisfaction';

export interface CaseFormState {
  form: CaseForm;
  problems: FieldProblem[];
  values: Record<string, string>;
}

interface CaseViewProps {
  page: CasePage;
  timezone: string;
  csrf: string;
  maxFileBytes: number;
  /** A form sent back with its errors. */
  failed?: CaseFormState;
  /** What was just done (after a redirect), announced at the top. */
  done?: 'message' | 'satisfaction';
}

const DONE = {
  message: 'Votre message a bien été envoyé au service.',
  satisfaction: 'Merci : votre avis a bien été enregistré.',
} as const;

/** The case page of « Mes demandes »: status, dates, timeline, answers, files, and what to do. */
export function MyCasePage({ page, timezone, csrf, maxFileBytes, failed, done }: CaseViewProps) {
  const base = `/demandes/${page.reference}`;
  return (
    <div class="my-case">
      <ErrorSummary problems={failed?.problems ?? []} />
      <p>
        <a href="/mes-demandes">Retour à mes demandes</a>
      </p>
      <h1>
        {page.title} — dossier {page.reference}
      </h1>
      {done ? (
        <p class="notice" role="status">
          {DONE[done]}
        </p>
      ) : null}
      {page.ownerName ? <p>Demande faite pour {page.ownerName}, membre de votre foyer.</p> : null}
      <p class="notice">
        État : <strong>{page.status.label}</strong>
        {page.status.awaitingCitizen ? (
          <>
            {' '}
            — <strong class="my-cases-badge">Action attendue de votre part</strong>
          </>
        ) : null}
      </p>
      <dl class="my-cases-facts">
        <div>
          <dt>Reçue le</dt>
          <dd>{formatDateTime(page.receivedAt, timezone)}</dd>
        </div>
        <div>
          <dt>Canal</dt>
          <dd>{page.channel}</dd>
        </div>
        {page.subject !== page.title ? (
          <div>
            <dt>Objet</dt>
            <dd>{page.subject}</dd>
          </div>
        ) : null}
        {page.dueAt ? (
          <div>
            <dt>Réponse attendue au plus tard le</dt>
            <dd>{formatDate(page.dueAt, timezone)}</dd>
          </div>
        ) : null}
        {page.implicitDecisionAt ? (
          <div>
            <dt>Sans réponse, décision implicite le</dt>
            <dd>{formatDate(page.implicitDecisionAt, timezone)} (sous réserve que le dossier soit complet)</dd>
          </div>
        ) : null}
      </dl>

      {page.openRequest ? (
        <section aria-labelledby="request-title" class="my-case-request">
          <h2 id="request-title">Informations demandées par le service</h2>
          {page.openRequest.replyBy ? (
            <p>
              <strong>À fournir avant le {formatDate(page.openRequest.replyBy, timezone)}.</strong>
            </p>
          ) : null}
          <h3>{page.openRequest.subject}</h3>
          <pre class="message">{page.openRequest.body}</pre>
          <ReplyForm
            action={`${base}/messages`}
            prefix="request"
            legend="Répondre à cette demande"
            submit="Envoyer ma réponse"
            csrf={csrf}
            maxFileBytes={maxFileBytes}
            failed={failed?.form === 'request' ? failed : undefined}
          />
        </section>
      ) : null}

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Suivi de la demande</h2>
        <ol class="my-case-timeline">
          {page.timeline.map((entry) =>
            entry.kind === 'step' ? (
              <li>
                <span class="hint">{formatDateTime(entry.at, timezone)}</span> : {entry.label}
              </li>
            ) : (
              <li class={entry.direction === 'in' ? 'my-case-message my-case-message--in' : 'my-case-message'}>
                <p class="hint">
                  {formatDateTime(entry.at, timezone)} — {entry.direction === 'in' ? 'Votre message' : 'Message du service'}
                </p>
                <p class="my-case-message-subject">{entry.subject}</p>
                {entry.body ? <pre class="message">{entry.body}</pre> : null}
                {entry.files.length > 0 ? <FileList base={base} files={entry.files} /> : null}
              </li>
            ),
          )}
        </ol>
      </section>

      {page.documents.length > 0 ? (
        <section aria-labelledby="documents-title">
          <h2 id="documents-title">Documents délivrés</h2>
          <FileList base={base} files={page.documents.map((d) => ({ ...d, filename: `${d.title} (${d.filename})` }))} />
        </section>
      ) : null}

      {page.answers ? (
        <section aria-labelledby="answers-title">
          <h2 id="answers-title">Votre demande</h2>
          <AnswerList fields={page.answers.fields} values={page.answers.values} context={{ householdMembers: page.answers.householdMembers, uploads: page.answers.uploads }} />
        </section>
      ) : null}

      {page.files.length > 0 ? (
        <section aria-labelledby="files-title">
          <h2 id="files-title">Vos pièces jointes</h2>
          <FileList base={base} files={page.files} />
        </section>
      ) : null}

      <section aria-labelledby="message-title">
        <h2 id="message-title">Écrire au service</h2>
        {page.status.closed ? <p>Cette demande est terminée : votre message sera lu, mais il ne rouvre pas la demande.</p> : null}
        <ReplyForm
          action={`${base}/messages`}
          prefix="message"
          legend="Votre message"
          submit="Envoyer le message"
          csrf={csrf}
          maxFileBytes={maxFileBytes}
          failed={failed?.form === 'message' ? failed : undefined}
        />
      </section>

      {page.satisfaction === 'ask' ? (
        <SatisfactionForm action={`${base}/satisfaction`} csrf={csrf} failed={failed?.form === 'satisfaction' ? failed : undefined} />
      ) : page.satisfaction ? (
        <section aria-labelledby="satisfaction-title">
          <h2 id="satisfaction-title">Votre avis</h2>
          <p>
            Merci pour votre avis : {page.satisfaction.rating} sur 5 ({ratingLabel(page.satisfaction.rating)}).
          </p>
        </section>
      ) : null}
    </div>
  );
}

const ratingLabel = (rating: number) => RATINGS.find((r) => r.value === rating)?.label.toLowerCase() ?? '';

function FileList({ base, files }: { base: string; files: FileLink[] }) {
  return (
    <ul class="my-case-files">
      {files.map((f) => (
        <li>
          <a href={`${base}/pieces/${f.id}`} download>
            {f.filename}
          </a>{' '}
          <span class="hint">
            ({typeName(f.mimeType)}, {formatSize(f.size)})
          </span>
        </li>
      ))}
    </ul>
  );
}

function typeName(mimeType: string): string {
  return describeTypes([mimeType]) || mimeType;
}

function problemFor(failed: CaseFormState | undefined, id: string): string | undefined {
  return failed?.problems.find((p) => p.target === id)?.message;
}

function ReplyForm(props: { action: string; prefix: string; legend: string; submit: string; csrf: string; maxFileBytes: number; failed?: CaseFormState | undefined }) {
  const { action, prefix, legend, submit, csrf, maxFileBytes, failed } = props;
  const bodyId = `${prefix}-body`;
  const filesId = `${prefix}-files`;
  const bodyError = problemFor(failed, bodyId);
  const filesError = problemFor(failed, filesId);
  return (
    <form method="post" action={action} enctype="multipart/form-data" class="my-case-form">
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="form" value={prefix} />
      <label for={bodyId}>{legend}</label>
      {bodyError ? (
        <p class="field-error" id={`${bodyId}-error`}>
          <span class="sr-only">Erreur : </span>
          {bodyError}
        </p>
      ) : null}
      <textarea id={bodyId} name="body" rows={6} maxLength={10_000} {...(bodyError ? { 'aria-invalid': 'true', 'aria-describedby': `${bodyId}-error` } : {})}>
        {failed?.values['body'] ?? ''}
      </textarea>
      <label for={filesId}>Pièces jointes (facultatif)</label>
      <p class="hint" id={`${filesId}-hint`}>
        {MAX_REPLY_FILES} fichiers au plus, {formatSize(maxFileBytes)} chacun au plus. Formats acceptés : {describeTypes()}.
      </p>
      {filesError ? (
        <p class="field-error" id={`${filesId}-error`}>
          <span class="sr-only">Erreur : </span>
          {filesError}
        </p>
      ) : null}
      <input
        type="file"
        id={filesId}
        name="files"
        multiple
        accept="application/pdf,image/jpeg,image/png,image/webp,image/heic"
        aria-describedby={filesError ? `${filesId}-hint ${filesId}-error` : `${filesId}-hint`}
        {...(filesError ? { 'aria-invalid': 'true' } : {})}
      />
      <div>
        <button type="submit">{submit}</button>
      </div>
    </form>
  );
}

function SatisfactionForm({ action, csrf, failed }: { action: string; csrf: string; failed?: CaseFormState | undefined }) {
  const ratingError = problemFor(failed, 'rating-1');
  const commentError = problemFor(failed, 'comment');
  return (
    <section aria-labelledby="satisfaction-title">
      <h2 id="satisfaction-title">Votre avis</h2>
      <form method="post" action={action} class="my-case-form">
        <input type="hidden" name="_csrf" value={csrf} />
        <fieldset class="my-case-rating" {...(ratingError ? { 'aria-describedby': 'rating-error' } : {})}>
          <legend>Êtes-vous satisfait du traitement de votre demande ?</legend>
          {ratingError ? (
            <p class="field-error" id="rating-error">
              <span class="sr-only">Erreur : </span>
              {ratingError}
            </p>
          ) : null}
          {RATINGS.map((r) => (
            <div class="my-case-choice">
              <input
                type="radio"
                id={`rating-${r.value}`}
                name="rating"
                value={String(r.value)}
                checked={failed?.values['rating'] === String(r.value)}
                {...(ratingError ? { 'aria-invalid': 'true' } : {})}
              />
              <label for={`rating-${r.value}`}>
                {r.value} — {r.label}
              </label>
            </div>
          ))}
        </fieldset>
        <label for="comment">Commentaire (facultatif)</label>
        {commentError ? (
          <p class="field-error" id="comment-error">
            <span class="sr-only">Erreur : </span>
            {commentError}
          </p>
        ) : null}
        <textarea id="comment" name="comment" rows={4} maxLength={2_000} {...(commentError ? { 'aria-invalid': 'true', 'aria-describedby': 'comment-error' } : {})}>
          {failed?.values['comment'] ?? ''}
        </textarea>
        <div>
          <button type="submit">Envoyer mon avis</button>
        </div>
      </form>
    </section>
  );
}
