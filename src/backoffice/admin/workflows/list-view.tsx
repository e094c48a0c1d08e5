import { WORKFLOWS_PATH } from './paths.js';

export interface WorkflowRow {
  slug: string;
  title: string;
  version: number | null;
  statuses: number;
}

/** Every procedure of the organisation with the version of its workflow in force. */
export function WorkflowListPage({ rows }: { rows: WorkflowRow[] }) {
  return (
    <div class="admin-page">
      <p>
        <a href="/backoffice/admin">Administration</a>
      </p>
      <h1>Circuits de traitement</h1>
      <p>Chaque démarche suit un circuit : ses statuts, les actions possibles et ce qu’elles déclenchent.</p>
      <table>
        <caption class="sr-only">Démarches et version de leur circuit</caption>
        <thead>
          <tr>
            <th scope="col">Démarche</th>
            <th scope="col">Version en vigueur</th>
            <th scope="col">Statuts</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              <td>
                <a href={`${WORKFLOWS_PATH}/${row.slug}`}>{row.title}</a>
              </td>
              <td>{row.version === null ? 'aucun circuit' : `version ${row.version}`}</td>
              <td>{row.version === null ? '—' : row.statuses}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
