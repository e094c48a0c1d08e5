import { ErrorSummary } from '../../../http/ui/layout.js';
import { TEMPLATE_VARIABLES, type TemplateVariable } from '../../../workflow/templates.js';
import type { ResponseTemplate } from '../../../templates/repository.js';
import { scopeLabelOf, type RenderedTemplate } from '../render.js';
import type { ScopeOption } from '../service.js';
import { problemsOf, SelectField, TextArea, TextField, type FormState } from './fields.js';

/** The list of templates an agent reads, with edit links where they may write. */
export function TemplateListPage({ templates, editable, canCreate, csrf, done }: { templates: ResponseTemplate[]; editable: ReadonlySet<number>; canCreate: boolean; csrf: string; done: string | null }) {
  return (
    <>
      <h1>Modèles de réponse</h1>
      {done ? (
        <p class="flash" role="status">
          {done}
        </p>
      ) : null}
      <p>Les modèles préremplissent la réponse à l’usager depuis un dossier. Ils sont écrits en Liquid : <code>{'{{ citizen.fullName }}'}</code> devient le nom de l’usager.</p>
      {canCreate ? (
        <p>
          <a class="button" href="/backoffice/modeles/nouveau">
            Nouveau modèle
          </a>
        </p>
      ) : null}
      {templates.length === 0 ? (
        <p>Aucun modèle pour vos services.</p>
      ) : (
        <table class="templates-table">
          <caption class="visually-hidden">Modèles de réponse de vos services</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">S’applique à</th>
              <th scope="col">État</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {templates.map((t) => (
              <tr>
                <th scope="row">
                  <a href={`/backoffice/modeles/${t.id}`}>{t.name}</a>
                  <br />
                  <code class="template-slug">{t.slug}</code>
                </th>
                <td>{scopeLabelOf(t)}</td>
                <td>{t.isActive ? 'Actif' : <span class="badge">Désactivé</span>}</td>
                <td>
                  {editable.has(t.id) ? (
                    <form method="post" action={`/backoffice/modeles/${t.id}/${t.isActive ? 'desactiver' : 'activer'}`} class="inline-form">
                      <input type="hidden" name="_csrf" value={csrf} />
                      <button type="submit" class="secondary">
                        {t.isActive ? 'Désactiver' : 'Réactiver'}
                        <span class="visually-hidden"> le modèle « {t.name} »</span>
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The create/edit form; read-only agents see the template and the preview form only. */
export function TemplateFormPage(props: {
  template: ResponseTemplate | null;
  state: FormState;
  options: ScopeOption[];
  csrf: string;
  editable: boolean;
  done: string | null;
}) {
  const { template, state, options, csrf, editable, done } = props;
  const title = template ? `Modèle « ${template.name} »` : 'Nouveau modèle de réponse';
  return (
    <>
      <p>
        <a href="/backoffice/modeles">Modèles de réponse</a>
      </p>
      <h1>{title}</h1>
      {done ? (
        <p class="flash" role="status">
          {done}
        </p>
      ) : null}
      <ErrorSummary problems={problemsOf(state, 'tpl')} />
      {template ? <PreviewForm id={template.id} value="" /> : null}
      {editable ? (
        <form method="post" action={template ? `/backoffice/modeles/${template.id}` : '/backoffice/modeles/nouveau'} class="template-form" novalidate>
          <input type="hidden" name="_csrf" value={csrf} />
          <TextField prefix="tpl" name="name" label="Nom du modèle" state={state} required maxLength={120} />
          <TextField prefix="tpl" name="slug" label="Identifiant" state={state} hint="Lettres minuscules, chiffres et tirets ; les circuits de traitement désignent le modèle par cet identifiant. Laissé vide, il est tiré du nom." maxLength={60} />
          <SelectField prefix="tpl" name="scope" label="S’applique à" state={state} options={options} required />
          <TextField prefix="tpl" name="subject" label="Objet du message" state={state} required hint="Liquid accepté, par exemple : Votre demande {{ case.reference }}" />
          <TextArea prefix="tpl" name="body" label="Texte du message" state={state} required rows={16} hint="Liquid accepté ; voir les variables disponibles ci-dessous." />
          <button type="submit">{template ? 'Enregistrer le modèle' : 'Créer le modèle'}</button>
        </form>
      ) : template ? (
        <ReadOnlyTemplate template={template} />
      ) : null}
      <VariablesHelp />
    </>
  );
}

function ReadOnlyTemplate({ template }: { template: ResponseTemplate }) {
  return (
    <section aria-labelledby="tpl-source">
      <h2 id="tpl-source">Texte du modèle</h2>
      <p>S’applique à : {scopeLabelOf(template)}.</p>
      <p>
        <strong>Objet :</strong> <code>{template.subject}</code>
      </p>
      <pre class="template-source">{template.body}</pre>
      <p>Seuls les responsables du service concerné et les administrateurs modifient ce modèle.</p>
    </section>
  );
}

/** The small form asking on which case to preview a template. */
function PreviewForm({ id, value }: { id: number; value: string }) {
  return (
    <form method="get" action={`/backoffice/modeles/${id}/apercu`} class="template-preview-form">
      <label for="apercu-dossier">Aperçu sur un dossier (numéro)</label>
      <input type="text" id="apercu-dossier" name="dossier" value={value} required spellcheck={false} inputMode="numeric" />
      <button type="submit" class="secondary">
        Voir l’aperçu
      </button>
    </form>
  );
}

/** A template rendered on a real case, or why it could not be. */
export function TemplatePreviewPage({ template, reference, rendered, problem }: { template: ResponseTemplate; reference: string; rendered: RenderedTemplate | null; problem: string | null }) {
  return (
    <>
      <p>
        <a href={`/backoffice/modeles/${template.id}`}>Modèle « {template.name} »</a>
      </p>
      <h1>
        Aperçu du modèle « {template.name} » sur le dossier {reference}
      </h1>
      <PreviewForm id={template.id} value={reference} />
      {problem ? (
        <div class="error-summary" role="alert">
          <h2>Le modèle n’a pas pu être produit</h2>
          <p>{problem}</p>
        </div>
      ) : rendered ? (
        <section aria-labelledby="preview-title" class="template-preview">
          <h2 id="preview-title">Message tel que l’usager le recevra</h2>
          <p>
            <strong>Objet :</strong> {rendered.subject}
          </p>
          <pre class="template-rendered">{rendered.body}</pre>
          <p>
            <a href={`/backoffice/dossiers/${encodeURIComponent(reference)}#reponse`}>Ouvrir le dossier {reference}</a>
          </p>
        </section>
      ) : null}
    </>
  );
}

/** The variables templates may use, as the workflow checker knows them. */
function VariablesHelp() {
  const rows: { path: string; description: string }[] = [];
  const walk = (path: string, node: TemplateVariable) => {
    if (node.kind === 'object') for (const [key, child] of Object.entries(node.properties)) walk(`${path}.${key}`, child);
    else if (path !== 'inputs') rows.push({ path: node.kind === 'map' ? `${path}.…` : path, description: node.description });
  };
  for (const [key, node] of Object.entries(TEMPLATE_VARIABLES)) if (key !== 'replyBy') walk(key, node);
  return (
    <details class="template-variables">
      <summary>Variables disponibles</summary>
      <table>
        <caption class="visually-hidden">Variables des modèles de réponse</caption>
        <thead>
          <tr>
            <th scope="col">Variable</th>
            <th scope="col">Signification</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">
                <code>{`{{ ${r.path} }}`}</code>
              </th>
              <td>{r.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Filtre utile : <code>{'{{ case.receivedAt | date_fr }}'}</code> écrit une date en toutes lettres.
      </p>
    </details>
  );
}
