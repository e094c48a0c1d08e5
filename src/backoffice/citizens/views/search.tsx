import type { CitizenHit } from '../../../citizens/search.js';
import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { HitsTable } from './common.js';

/** The search box of citizens: a plain GET form, so a search can be bookmarked and works without JS. */
export function CitizenSearchForm({ action, query, problems, label = 'Rechercher un usager', hidden = {} }: { action: string; query: string; problems: FieldProblem[]; label?: string; hidden?: Record<string, string> }) {
  const error = problems.find((p) => p.target === 'q');
  return (
    <form method="get" action={action} role="search" class="citizen-search" aria-label={label}>
      {Object.entries(hidden).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <div class="field">
        <label for="q">{label}</label>
        <p class="hint" id="q-hint">
          Nom, prénom, date de naissance (JJ/MM/AAAA), courriel ou numéro de téléphone
        </p>
        {error ? (
          <p class="field-error" id="q-error">
            <span class="visually-hidden">Erreur : </span>
            {error.message}
          </p>
        ) : null}
        <div class="citizen-search-row">
          <input type="search" id="q" name="q" value={query} maxLength={200} autocomplete="off" aria-describedby={error ? 'q-hint q-error' : 'q-hint'} aria-invalid={error ? 'true' : undefined} />
          <button type="submit">Rechercher</button>
        </div>
      </div>
    </form>
  );
}

export function CitizenSearchPage({ query, hits, problems, duplicateCount }: { query: string; hits: CitizenHit[] | null; problems: FieldProblem[]; duplicateCount: number }) {
  return (
    <>
      <h1>Usagers</h1>
      <ErrorSummary problems={problems} />
      <CitizenSearchForm action="/backoffice/usagers" query={query} problems={problems} />
      <p>
        <a href="/backoffice/usagers/doublons">
          Doublons possibles à examiner : {duplicateCount}
        </a>
      </p>
      {hits === null ? null : hits.length === 0 ? (
        <p role="status">Aucun usager ne correspond à cette recherche.</p>
      ) : (
        <>
          <p role="status" class="visually-hidden">
            {hits.length === 1 ? '1 usager trouvé.' : `${hits.length} usagers trouvés.`}
          </p>
          <HitsTable hits={hits} caption={hits.length === 1 ? '1 usager trouvé' : `${hits.length} usagers trouvés`} />
        </>
      )}
    </>
  );
}
