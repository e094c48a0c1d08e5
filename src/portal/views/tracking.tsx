import { ErrorSummary } from '../../http/ui/layout.js';
import type { TrackedCase } from '../tracking.js';

const date = (iso: string, timezone: string) => new Date(iso).toLocaleDateString('fr-FR', { timeZone: timezone, day: 'numeric', month: 'long', year: 'numeric' });
const dateTime = (iso: string, timezone: string) =>
  new Date(iso).toLocaleString('fr-FR', { timeZone: timezone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** The form to follow a request with its tracking code; shows why a code was not found. */
export function TrackingFormPage({ code, notFound }: { code: string; notFound: boolean }) {
  const message = 'Ce code de suivi ne correspond à aucune demande. Vérifiez-le : il figure dans l’accusé de réception (par exemple K7QF-9M2X-PD4A).';
  return (
    <>
      <h1>Suivre une demande</h1>
      <ErrorSummary problems={notFound ? [{ target: 'code', message }] : []} />
      <form method="get" action="/suivi" novalidate>
        <label for="code">Code de suivi</label>
        <p class="hint" id="code-hint">
          12 caractères, donnés à l’envoi de votre demande, par exemple K7QF-9M2X-PD4A.
        </p>
        {notFound ? (
          <p class="field-error" id="code-error">
            <span class="sr-only">Erreur : </span>
            {message}
          </p>
        ) : null}
        <input
          type="text"
          id="code"
          name="code"
          value={code}
          maxLength={40}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={notFound ? 'code-hint code-error' : 'code-hint'}
          {...(notFound ? { 'aria-invalid': 'true' } : {})}
        />
        <button type="submit">Suivre</button>
      </form>
    </>
  );
}

export function TrackedCasePage({ tracked, timezone }: { tracked: TrackedCase; timezone: string }) {
  return (
    <>
      <p>
        <a href="/suivi">Suivre une autre demande</a>
      </p>
      <h1>
        {tracked.procedureTitle} — dossier {tracked.reference}
      </h1>
      <p class="notice" role="status">
        État : <strong>{tracked.status.label}</strong>
      </p>
      <dl>
        <dt>Reçue le</dt>
        <dd>{dateTime(tracked.receivedAt, timezone)}</dd>
        {tracked.dueAt && !tracked.status.closed ? (
          <>
            <dt>Réponse attendue au plus tard le</dt>
            <dd>{date(tracked.dueAt, timezone)}</dd>
          </>
        ) : null}
        {tracked.implicitDecisionAt && !tracked.status.closed ? (
          <>
            <dt>Sans réponse, décision implicite le</dt>
            <dd>{date(tracked.implicitDecisionAt, timezone)} (sous réserve que le dossier soit complet)</dd>
          </>
        ) : null}
      </dl>
      <h2>Étapes</h2>
      <ol>
        {tracked.steps.map((s) => (
          <li>
            {dateTime(s.at, timezone)} : {s.label}
          </li>
        ))}
      </ol>
      <h2>Messages de la mairie</h2>
      {tracked.messages.length === 0 ? <p>Aucun message pour l’instant.</p> : null}
      {tracked.messages.map((m, i) => (
        <article aria-labelledby={`message-${i}`}>
          <h3 id={`message-${i}`}>{m.subject}</h3>
          <p class="hint">{dateTime(m.at, timezone)}</p>
          <pre class="message">{m.body}</pre>
        </article>
      ))}
    </>
  );
}
