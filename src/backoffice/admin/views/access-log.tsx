import { ErrorSummary } from '../../../http/ui/layout.js';
import type { AccessLogRow } from '../../access-log.js';

const ACTION_LABEL: Record<string, string> = {
  view_case: 'Consultation d’un dossier',
  view_citizen: 'Consultation d’une fiche usager',
  search_citizens: 'Recherche d’usagers',
  export_case: 'Export d’un dossier',
  download_attachment: 'Téléchargement d’une pièce',
  print_case: 'Impression d’un dossier',
  view_call: 'Affichage d’un appel entrant',
  download_inbound: 'Téléchargement d’un message reçu (quarantaine)',
  list_cases: 'Liste de dossiers',
};

const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Paris' });

export interface AccessLogFilters {
  agentId: number | null;
  citizen: string;
}

/** Who displayed which personal data, newest first, with the filters and the « older » link. */
export function AccessLogPage({
  rows,
  agents,
  filters,
  olderHref,
  citizenProblem,
}: {
  rows: AccessLogRow[];
  agents: { id: number; name: string }[];
  filters: AccessLogFilters;
  olderHref: string | null;
  citizenProblem: string | null;
}) {
  return (
    <div class="admin-page">
      <ErrorSummary problems={citizenProblem ? [{ target: 'usager', message: citizenProblem }] : []} />
      <p>
        <a href="/backoffice/admin">Retour à l’administration</a>
      </p>
      <h1>Journal des accès aux données personnelles</h1>
      <form method="get" action="/backoffice/admin/journal-des-acces" class="admin-filters">
        <div>
          <label for="agent">Agent</label>
          <select id="agent" name="agent">
            <option value="">Tous les agents</option>
            {agents.map((a) => (
              <option value={String(a.id)} selected={filters.agentId === a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="usager">Numéro d’usager</label>
          {citizenProblem ? (
            <p class="auth-error" id="usager-error">
              <span class="visually-hidden">Erreur : </span>
              {citizenProblem}
            </p>
          ) : null}
          <input
            type="text"
            id="usager"
            name="usager"
            inputMode="numeric"
            value={filters.citizen}
            size={10}
            {...(citizenProblem ? { 'aria-invalid': 'true', 'aria-describedby': 'usager-error' } : {})}
          />
        </div>
        <button type="submit">Filtrer</button>
      </form>
      {rows.length === 0 ? (
        <p>Aucun accès enregistré pour ces critères.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Accès, du plus récent au plus ancien</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Agent ou jeton d’API</th>
              <th scope="col">Action</th>
              <th scope="col">Usager</th>
              <th scope="col">Dossier</th>
              <th scope="col">Adresse IP</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>
                  <time datetime={r.createdAt}>{dateTime.format(new Date(r.createdAt))}</time>
                </td>
                <td>{r.actorName}</td>
                <td>
                  {ACTION_LABEL[r.action] ?? r.action}
                  {r.detail ? ` (${r.detail})` : ''}
                </td>
                <td>{r.citizenId === null ? '—' : <a href={`/backoffice/usagers/${r.citizenId}`}>n° {r.citizenId}</a>}</td>
                <td>{r.caseReference ? <a href={`/backoffice/dossiers/${encodeURIComponent(r.caseReference)}`}>{r.caseReference}</a> : '—'}</td>
                <td>{r.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {olderHref ? (
        <p>
          <a href={olderHref} rel="next">
            Accès plus anciens
          </a>
        </p>
      ) : null}
    </div>
  );
}
