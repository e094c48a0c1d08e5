import type { Citizen360 } from '../../../citizens/view-360.js';
import { formatDate } from '../../../portal/cases/views/dates.js';
import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { citizenUrl, frenchPhone, splitUrl } from './common.js';

/**
 * « Séparer »: what goes back to the absorbed record, and the confirmation — or, when the merge
 * cannot be split (already split, too old, kept record merged since), why, without a form.
 */
export function SplitPage({
  c,
  merge,
  csrf,
  problems,
  refusal,
  timezone,
}: {
  c: Citizen360;
  merge: Citizen360['merges'][number];
  csrf: string;
  problems: FieldProblem[];
  refusal: string | null;
  timezone: string;
}) {
  const s = merge.snapshot;
  const confirmationError = problems.find((p) => p.target === 'confirmation');
  const list = (items: string[], none: string) => (items.length ? items.join(', ') : none);
  return (
    <>
      <p>
        <a href={citizenUrl(c.id)}>Retour à la fiche de {c.displayName}</a>
      </p>
      <h1>Séparer la fiche de {s.citizen.displayName}</h1>
      <ErrorSummary problems={problems.filter((p) => p.target !== 'split-refused')} />
      {problems
        .filter((p) => p.target === 'split-refused')
        .map((p) => (
          <div class="error-summary" role="alert" id="split-refused" tabIndex={-1}>
            <p>{p.message}</p>
          </div>
        ))}
      <p>
        La fiche n° {merge.mergedCitizenId} ({s.citizen.displayName}) a été fusionnée dans celle de {c.displayName} le{' '}
        <time datetime={merge.createdAt}>{formatDate(merge.createdAt, timezone)}</time> par {merge.agentName}.
        {merge.identityCheck ? ` Vérification de l’identité indiquée : ${merge.identityCheck}.` : ''}
      </p>
      {refusal ? (
        <p class="citizen-banner" role="status">
          {refusal}
        </p>
      ) : (
        <>
          <h2>Ce qui retourne sur la fiche n° {merge.mergedCitizenId}</h2>
          <ul>
            <li>Demandes : {list(s.cases.map((k) => k.reference), 'aucune')} (celles enregistrées depuis sur cette fiche y restent)</li>
            <li>Courriels : {list(s.emails.map((e) => e.email), 'aucun')}</li>
            <li>Téléphones : {list(s.phones.map(frenchPhone), 'aucun')}</li>
            <li>Adresses : {list(s.addresses, 'aucune')}</li>
            <li>Compte en ligne : {s.account ? `${s.account.email} (${s.account.outcome === 'moved' ? 'il quitte cette fiche ; ses sessions ouvertes prennent fin' : 'rouvert'})` : 'aucun'}</li>
            <li>Identités vérifiées, coffre-fort, pièces déposées, brouillons, réponses de satisfaction et foyer qui venaient de cette fiche</li>
          </ul>
          <form method="post" action={splitUrl(c.id, merge.id)} class="citizen-merge-form" novalidate>
            <input type="hidden" name="_csrf" value={csrf} />
            <div class="field">
              {confirmationError ? (
                <p class="field-error" id="confirmation-error">
                  <span class="visually-hidden">Erreur : </span>
                  {confirmationError.message}
                </p>
              ) : null}
              <div class="choice">
                <input type="checkbox" name="confirmation" id="confirmation" value="oui" aria-describedby={confirmationError ? 'confirmation-error' : undefined} />
                <label for="confirmation">Je confirme que ces deux fiches concernent deux personnes différentes : la fusion doit être séparée.</label>
              </div>
            </div>
            <button type="submit">Séparer les deux fiches</button>
          </form>
        </>
      )}
    </>
  );
}
