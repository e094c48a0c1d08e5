import { formatSize } from '../../../attachments/service.js';
import { ErrorSummary } from '../../../http/ui/layout.js';
import type { VaultDocument } from '../vault-repository.js';
import { DOCUMENT_KINDS, documentKindLabel, validityOf, type FormState } from '../service.js';
import { BackToSpace, Csrf, fieldId, frenchDay, frenchMoment, Input, problemsOf, Saved, Select } from './fields.js';

/** Validity in words (never colour alone): expired, expiring soon, valid until, or no end date. */
export function ValidityText({ expiresOn, today }: { expiresOn: string | null; today: string }) {
  const validity = validityOf(expiresOn, today);
  if (validity.state === 'none') return <span class="space-validity">Sans date de fin de validité</span>;
  if (validity.state === 'expired') {
    return (
      <span class="space-validity space-validity--expired">
        <strong>Expiré</strong> depuis le {frenchDay(validity.on)}
      </span>
    );
  }
  if (validity.state === 'soon') {
    return (
      <span class="space-validity space-validity--soon">
        <strong>Expire bientôt</strong> : le {frenchDay(validity.on)}
      </span>
    );
  }
  return <span class="space-validity">Valable jusqu’au {frenchDay(validity.on)}</span>;
}

interface DocumentsPageProps {
  documents: VaultDocument[];
  today: string;
  timezone: string;
  state: FormState;
  csrf: string;
  saved: string | null;
  /** "PDF, JPEG, PNG…" and "10 Mo": announced before the upload. */
  limits: { types: string; maxSize: string; accept: string };
}

/** « Mon porte-documents »: proofs uploaded once, reused by every procedure. */
export function DocumentsPage({ documents, today, timezone, state, csrf, saved, limits }: DocumentsPageProps) {
  return (
    <div class="space">
      <BackToSpace />
      <h1>Mon porte-documents</h1>
      <ErrorSummary problems={problemsOf(state)} />
      <Saved text={saved} />
      <p>
        Déposez ici une fois pour toutes vos justificatifs (domicile, identité, livret de famille…). Lors d’une démarche, vous pourrez les joindre sans les téléverser de
        nouveau : la mairie reçoit alors une copie du document, que vous pouvez ensuite supprimer d’ici sans effet sur la démarche.
      </p>
      <h2>Mes documents ({documents.length})</h2>
      {documents.length === 0 ? (
        <p>Votre porte-documents est vide.</p>
      ) : (
        <ul class="space-list">
          {documents.map((d) => (
            <li>
              <p class="space-list-title">{d.label}</p>
              <p class="hint">
                {documentKindLabel(d.kind)} — {d.filename} ({formatSize(d.size)}) — déposé le {frenchMoment(d.createdAt, timezone)}
              </p>
              <p>
                <ValidityText expiresOn={d.expiresOn} today={today} />
              </p>
              <p class="space-actions">
                <a href={`/mon-espace/documents/${d.id}/fichier`} download={d.filename}>
                  Télécharger<span class="sr-only"> {d.label}</span>
                </a>
                <a href={`/mon-espace/documents/${d.id}/supprimer`}>
                  Supprimer<span class="sr-only"> {d.label}</span>
                </a>
              </p>
            </li>
          ))}
        </ul>
      )}
      <h2>Ajouter un document</h2>
      <form method="post" action="/mon-espace/documents" enctype="multipart/form-data" class="space-form" novalidate>
        <Csrf value={csrf} />
        <Select name="kind" label="Type de document" state={state} options={DOCUMENT_KINDS} required />
        <Input name="label" label="Nom du document" state={state} required maxLength={200} hint="Pour le reconnaître, par exemple « Facture d’électricité mars 2025 »." />
        <Input name="expiresOn" label="Date de fin de validité" type="date" state={state} hint="Si le document en a une, par exemple 31/12/2030. Un justificatif de domicile est en général accepté 3 mois." />
        <div class={`space-field${state.errors['file'] ? ' space-field--error' : ''}`}>
          <label for="file">Fichier</label>
          <p class="hint" id="file-hint">
            Formats acceptés : {limits.types}. Taille maximale : {limits.maxSize}.
          </p>
          {state.errors['file'] ? (
            <p class="field-error" id="file-error">
              <span class="sr-only">Erreur : </span>
              {state.errors['file']}
            </p>
          ) : null}
          <input
            type="file"
            id={fieldId('file')}
            name="file"
            accept={limits.accept}
            required
            aria-describedby={state.errors['file'] ? 'file-hint file-error' : 'file-hint'}
            {...(state.errors['file'] ? { 'aria-invalid': 'true' } : {})}
          />
        </div>
        <button type="submit">Ajouter au porte-documents</button>
      </form>
    </div>
  );
}

/** Confirmation before a document leaves the safe. */
export function DeleteDocumentPage({ document, csrf }: { document: VaultDocument; csrf: string }) {
  return (
    <div class="space">
      <BackToSpace />
      <h1>Supprimer « {document.label} » ?</h1>
      <p>Le document ne sera plus proposé dans vos démarches. Les démarches auxquelles vous l’avez déjà joint en gardent leur copie.</p>
      <form method="post" action={`/mon-espace/documents/${document.id}/supprimer`} class="space-form">
        <Csrf value={csrf} />
        <button type="submit" class="space-danger">
          Oui, supprimer ce document
        </button>
      </form>
      <p>
        <a href="/mon-espace/documents">Non, revenir à mon porte-documents</a>
      </p>
    </div>
  );
}
