export interface WorkflowRow {
  slug: string;
  title: string;
  version: number | null;
  statuses: number;
}

export function WorkflowListPage({ rows }: { rows: WorkflowRow[] }) {
  return (
    <>
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
                <a href={`/admin/circuits/${row.slug}`}>{row.title}</a>
              </td>
              <td>{row.version === null ? 'aucun circuit' : `version ${row.version}`}</td>
              <td>{row.version === null ? '—' : row.statuses}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
