import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { Csrf, Notice } from '../../auth/views/fields.js';
import { WORKFLOWS_PATH } from './paths.js';

export interface WorkflowPageProps {
  slug: string;
  title: string;
  version: number | null;
  svg: string | null;
  definitionText: string;
  csrf: string;
  problems: FieldProblem[];
  published: number | null;
}

/** A procedure's workflow: its diagram, and its definition to edit and publish as a new version. */
export function WorkflowPage(props: WorkflowPageProps) {
  const invalid = props.problems.length > 0;
  return (
    <div class="admin-page">
      <p>
        <a href={WORKFLOWS_PATH}>Tous les circuits</a>
      </p>
      <h1>Circuit : {props.title}</h1>
      <Notice
        text={props.published !== null ? `La version ${props.published} est publiée. Les dossiers déjà ouverts gardent la version avec laquelle ils ont commencé.` : null}
      />
      <ErrorSummary problems={props.problems} title="La définition n’a pas été publiée : corrigez ces erreurs" />
      <h2>Schéma {props.version !== null ? `(version ${props.version})` : ''}</h2>
      {props.svg ? <div class="diagram" dangerouslySetInnerHTML={{ __html: props.svg }} /> : <p>Cette démarche n’a pas encore de circuit.</p>}
      <h2>Modifier la définition</h2>
      <form method="post" action={`${WORKFLOWS_PATH}/${props.slug}`} novalidate>
        <Csrf value={props.csrf} />
        <label for="definition">Définition du circuit (JSON)</label>
        <p class="hint" id="definition-hint">
          La définition est vérifiée avant publication : statuts, transitions, rôles, actions, minuteries et variables des modèles.
        </p>
        <textarea
          class="code"
          id="definition"
          name="definition"
          rows={30}
          spellcheck={false}
          aria-describedby="definition-hint"
          {...(invalid ? { 'aria-invalid': 'true' } : {})}
        >
          {props.definitionText}
        </textarea>
        <button type="submit">Publier une nouvelle version</button>
      </form>
    </div>
  );
}
