import type { DuplicatePair } from '../../../citizens/merge.js';
import { formatDate } from '../../../portal/cases/views/dates.js';
import { birthDate, citizenUrl, frenchPhone, mergeUrl } from './common.js';
import type { CitizenHit } from '../../../citizens/search.js';

function Who({ hit }: { hit: CitizenHit }) {
  return (
    <>
      <a href={citizenUrl(hit.id)}>{hit.displayName}</a>
      <br />
      <span class="citizen-meta">
        {[hit.birthDate ? `né(e) le ${birthDate(hit.birthDate)}` : null, hit.email, hit.phone ? frenchPhone(hit.phone) : null].filter(Boolean).join(' — ') || 'sans coordonnées'}
      </span>
    </>
  );
}

/** The pairs the intake flagged, each to compare and merge, or to set apart for good. */
export function DuplicatesPage({
  pairs,
  csrf,
  timezone,
  dismissed,
  mayMerge,
}: {
  pairs: DuplicatePair[];
  csrf: string;
  timezone: string;
  dismissed: boolean;
  /** Whether the agent may merge these two records (else the link is not offered). */
  mayMerge: (a: number, b: number) => boolean;
}) {
  return (
    <>
      <h1>Doublons possibles</h1>
      {dismissed ? (
        <p class="flash" role="status">
          C’est noté : ces deux fiches ne seront plus présentées comme un doublon possible.
        </p>
      ) : null}
      <p>
        À l’enregistrement d’une demande, une fiche dont le courriel ou le téléphone est déjà connu sous un autre nom est créée à part et signalée ici : à vous de dire
        s’il s’agit de la même personne.
      </p>
      {pairs.length === 0 ? (
        <p>Aucun doublon possible à examiner.</p>
      ) : (
        <div class="citizen-table-wrap">
          <table class="citizen-table">
            <caption>{pairs.length === 1 ? '1 paire de fiches à examiner' : `${pairs.length} paires de fiches à examiner`}</caption>
            <thead>
              <tr>
                <th scope="col">Fiche signalée</th>
                <th scope="col">Doublon possible de</th>
                <th scope="col">Signalée le</th>
                <th scope="col">Décision</th>
              </tr>
            </thead>
            <tbody>
              {pairs.map((p) => (
                <tr>
                  <td>
                    <Who hit={p.citizen} />
                  </td>
                  <td>
                    <Who hit={p.other} />
                  </td>
                  <td>{formatDate(p.flaggedAt, timezone)}</td>
                  <td>
                    <ul class="actions-list">
                      <li>
                        {mayMerge(p.other.id, p.citizen.id) ? (
                          <a href={mergeUrl(p.other.id, p.citizen.id)}>
                            Comparer et fusionner<span class="visually-hidden"> : {p.citizen.displayName} et {p.other.displayName}</span>
                          </a>
                        ) : (
                          <span class="hint">Fusion réservée à un responsable (demandes dans d’autres services)</span>
                        )}
                      </li>
                      <li>
                        <form method="post" action={`/backoffice/usagers/${p.citizen.id}/pas-un-doublon`} class="inline-form">
                          <input type="hidden" name="_csrf" value={csrf} />
                          <input type="hidden" name="retour" value="doublons" />
                          <button type="submit" class="secondary">
                            Ce ne sont pas les mêmes personnes<span class="visually-hidden"> : {p.citizen.displayName} et {p.other.displayName}</span>
                          </button>
                        </form>
                      </li>
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
