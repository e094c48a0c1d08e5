import type { Channel } from '../../../cases/repository.js';
import { urgencyOf, URGENCY_LABEL } from '../../../cases/urgency.js';
import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { formatDate, formatDateTime } from '../../../portal/cases/views/dates.js';
import type { BulkOutcome } from '../bulk-service.js';
import { fieldId, inboxQueryString, type InboxParam } from '../query.js';
import type { SavedView } from '../saved-views-repository.js';
import type { FilterChoices, LabelledRow } from '../service.js';

/** Each channel's icon (decorative) and label. */
export const CHANNEL_LABEL: Record<Channel, { icon: string; label: string }> = {
  web: { icon: '🖥', label: 'Portail' },
  mobile: { icon: '📱', label: 'Application' },
  email: { icon: '✉', label: 'Courriel' },
  phone: { icon: '☎', label: 'Téléphone' },
  counter: { icon: '🏛', label: 'Accueil' },
  mail: { icon: '📮', label: 'Courrier' },
  social: { icon: '💬', label: 'Réseaux sociaux' },
  api: { icon: '⚙', label: 'API' },
  open311: { icon: '📍', label: 'Open311' },
};

export interface SavedViewCount extends SavedView {
  count: number;
}

export interface InboxPageProps {
  rows: LabelledRow[];
  hasMore: boolean;
  nextCursor: string | null;
  isFirstPage: boolean;
  values: Partial<Record<InboxParam, string>>;
  problems: FieldProblem[];
  choices: FilterChoices;
  agents: { id: number; name: string }[];
  transitions: { name: string; label: string }[];
  templates: { id: number; name: string }[];
  savedViews: SavedViewCount[];
  csrf: string;
  timezone: string;
  /** Where live updates of this list start (the highest case id when it was drawn). */
  liveFrom: number | null;
  flash: string | null;
  report: BulkOutcome[] | null;
  countCap: number;
}

const FILTER_PARAMS: InboxParam[] = ['departement', 'demarche', 'statut', 'canal', 'attribution', 'delai', 'recu_du', 'recu_au', 'clos_du', 'clos_au', 'secteur', 'satisfaction'];

/** The inbox page: saved views, search and filters, the list with its bulk actions. */
export function InboxPage(props: InboxPageProps) {
  const { values, problems } = props;
  const listQuery = inboxQueryString(values);
  const filtersActive = FILTER_PARAMS.some((p) => values[p] !== undefined) || problems.length > 0;
  return (
    <>
      <h1>Dossiers</h1>
      <ErrorSummary problems={problems} title="Certains filtres sont invalides" />
      {props.flash ? (
        <p class="flash" role="status">
          {props.flash}
        </p>
      ) : null}
      {props.report ? <BulkReport outcomes={props.report} /> : null}
      <SavedViews views={props.savedViews} csrf={props.csrf} current={listQuery} cap={props.countCap} />
      <form method="get" action="/backoffice/dossiers" class="inbox-filters" role="search" aria-label="Rechercher et filtrer les dossiers">
        <div class="inbox-search">
          <label for={fieldId('q')}>Rechercher</label>
          <p class="hint" id="filtre-q-aide">
            Référence, nom de l’usager, objet, contenu de la demande ou des messages.
          </p>
          <input type="search" id={fieldId('q')} name="q" value={values.q ?? ''} aria-describedby="filtre-q-aide" maxLength={200} />
          <button type="submit">Rechercher</button>
        </div>
        <details class="inbox-filter-panel" open={filtersActive}>
          <summary>Filtres et tri</summary>
          <div class="inbox-filter-grid">
            <Select param="departement" label="Service" values={values} problems={problems} options={props.choices.departments.map((d) => [String(d.id), d.name])} />
            <Select param="demarche" label="Démarche" values={values} problems={problems} options={props.choices.procedures.map((p) => [p.slug, p.title])} />
            <Select param="statut" label="Statut" values={values} problems={problems} options={props.choices.statuses.map((s) => [s.id, s.label])} />
            <Select param="canal" label="Canal" values={values} problems={problems} options={Object.entries(CHANNEL_LABEL).map(([id, c]) => [id, c.label])} />
            <Select param="attribution" label="Attribution" values={values} problems={problems} options={[['moi', 'Attribués à moi'], ['aucune', 'Non attribués']]} />
            <Select param="delai" label="Délai" values={values} problems={problems} options={[['a-risque', 'À risque'], ['en-retard', 'En retard']]} />
            <Select param="etat" label="État" values={values} problems={problems} empty={null} options={[['ouverts', 'Ouverts'], ['clos', 'Clos'], ['tous', 'Tous']]} />
            {props.choices.sectors.length > 0 || values.secteur ? (
              <Select param="secteur" label="Secteur" values={values} problems={problems} options={props.choices.sectors.map((s) => [s, s])} />
            ) : null}
            <Select param="satisfaction" label="Satisfaction" values={values} problems={problems} options={[['repondu', 'Avis donné']]} />
            <DateInput param="recu_du" label="Reçus à partir du" values={values} problems={problems} />
            <DateInput param="recu_au" label="Reçus jusqu’au" values={values} problems={problems} />
            <DateInput param="clos_du" label="Clos à partir du" values={values} problems={problems} />
            <DateInput param="clos_au" label="Clos jusqu’au" values={values} problems={problems} />
            <Select
              param="tri"
              label="Trier par"
              values={values}
              problems={problems}
              empty={null}
              options={[
                ['recus', values.q ? 'Plus récents d’abord' : 'Reçus récemment'],
                ['anciens', 'Reçus il y a longtemps'],
                ['echeance', 'Échéance la plus proche'],
                ['priorite', 'Priorité'],
              ]}
            />
          </div>
          <p class="inbox-filter-actions">
            <button type="submit">Appliquer les filtres</button> <a href="/backoffice/dossiers">Effacer les filtres</a>
          </p>
        </details>
      </form>
      <details class="inbox-save-view">
        <summary>Enregistrer cette liste comme vue</summary>
        <form method="post" action="/backoffice/vues">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="requete" value={listQuery} />
          <label for="vue-nom">Nom de la vue</label>
          <input type="text" id="vue-nom" name="nom" required maxLength={80} />
          <button type="submit">Enregistrer la vue</button>
        </form>
      </details>
      <CaseList {...props} listQuery={listQuery} />
    </>
  );
}

function Select(props: {
  param: InboxParam;
  label: string;
  values: Partial<Record<InboxParam, string>>;
  problems: FieldProblem[];
  options: [string, string][];
  /** The label of the "no filter" choice; null when there is none. */
  empty?: string | null;
}) {
  const id = fieldId(props.param);
  const problem = props.problems.find((p) => p.target === id);
  const value = props.values[props.param] ?? '';
  const empty = props.empty === undefined ? 'Tous' : props.empty;
  return (
    <div class={problem ? 'field field-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {problem ? (
        <p class="error-message" id={`${id}-erreur`}>
          {problem.message}
        </p>
      ) : null}
      <select id={id} name={props.param} aria-invalid={problem ? 'true' : undefined} aria-describedby={problem ? `${id}-erreur` : undefined}>
        {empty !== null ? <option value="">{empty}</option> : null}
        {props.options.map(([v, label]) => (
          <option value={v} selected={v === value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function DateInput(props: { param: InboxParam; label: string; values: Partial<Record<InboxParam, string>>; problems: FieldProblem[] }) {
  const id = fieldId(props.param);
  const problem = props.problems.find((p) => p.target === id);
  return (
    <div class={problem ? 'field field-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {problem ? (
        <p class="error-message" id={`${id}-erreur`}>
          {problem.message}
        </p>
      ) : null}
      <input
        type="date"
        id={id}
        name={props.param}
        value={realDate(props.values[props.param])}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${id}-erreur` : undefined}
      />
    </div>
  );
}

/** A date input only takes a real date (« 2025-02-31 » is said in the error summary instead). */
function realDate(value: string | undefined): string {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return '';
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value) ? value : '';
}

function SavedViews({ views, csrf, current, cap }: { views: SavedViewCount[]; csrf: string; current: string; cap: number }) {
  if (views.length === 0) return null;
  return (
    <nav class="inbox-views" aria-label="Mes vues">
      <h2>Mes vues</h2>
      <ul>
        {views.map((v) => (
          <li>
            <a href={`/backoffice/dossiers${v.query ? `?${v.query}` : ''}`} aria-current={v.query === current ? 'page' : undefined}>
              {v.name}
            </a>{' '}
            <span class="badge">{v.count >= cap ? `${cap.toLocaleString('fr-FR')} et plus` : v.count.toLocaleString('fr-FR')}</span>
          </li>
        ))}
      </ul>
      <details class="inbox-views-manage">
        <summary>Renommer ou supprimer une vue</summary>
        {views.map((v) => (
          <div class="inbox-view-edit">
            <form method="post" action={`/backoffice/vues/${v.id}/renommer`} class="inline-form">
              <input type="hidden" name="_csrf" value={csrf} />
              <label for={`vue-${v.id}-nom`}>Nouveau nom de « {v.name} »</label>
              <input type="text" id={`vue-${v.id}-nom`} name="nom" value={v.name} required maxLength={80} />
              <button type="submit">Renommer</button>
            </form>{' '}
            <form method="post" action={`/backoffice/vues/${v.id}/supprimer`} class="inline-form">
              <input type="hidden" name="_csrf" value={csrf} />
              <button type="submit" class="button-secondary">
                Supprimer la vue « {v.name} »
              </button>
            </form>
          </div>
        ))}
      </details>
    </nav>
  );
}

function CaseList(props: InboxPageProps & { listQuery: string }) {
  const { rows } = props;
  const now = new Date();
  if (rows.length === 0) {
    return (
      <section aria-labelledby="resultats-titre" id="resultats" data-live-from={props.liveFrom ?? undefined}>
        <h2 id="resultats-titre">Aucun dossier</h2>
        <p>Aucun dossier ne correspond à ces critères.</p>
        <LiveRegion {...props} />
      </section>
    );
  }
  return (
    <section aria-labelledby="resultats-titre" id="resultats">
      <h2 id="resultats-titre">{props.isFirstPage && !props.hasMore ? `${rows.length} dossier${rows.length > 1 ? 's' : ''}` : 'Dossiers'}</h2>
      <LiveRegion {...props} />
      <details class="inbox-shortcuts">
        <summary>Raccourcis clavier</summary>
        <ul>
          <li>
            <kbd>j</kbd> / <kbd>k</kbd> : dossier suivant / précédent
          </li>
          <li>
            <kbd>Entrée</kbd> : ouvrir le dossier
          </li>
          <li>
            <kbd>x</kbd> : cocher ou décocher le dossier
          </li>
          <li>
            <kbd>?</kbd> : afficher ces raccourcis
          </li>
        </ul>
      </details>
      <form method="post" action="/backoffice/dossiers/actions-groupees" id="actions-groupees">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="liste" value={props.listQuery} />
        <div class="inbox-table-wrap">
          <table class="inbox-table" data-inbox-list>
            <caption class="visually-hidden">Dossiers de la liste ; cochez-en pour une action groupée.</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Sélection</span>
                </th>
                <th scope="col">Canal</th>
                <th scope="col">Référence</th>
                <th scope="col">Objet</th>
                <th scope="col">Usager</th>
                <th scope="col">Démarche</th>
                <th scope="col">Service</th>
                <th scope="col">Statut</th>
                <th scope="col">Attribué à</th>
                <th scope="col">Reçu le</th>
                <th scope="col">Échéance</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <InboxRowView row={row} listQuery={props.listQuery} timezone={props.timezone} now={now} />
              ))}
            </tbody>
          </table>
        </div>
        <BulkActions {...props} />
      </form>
      <nav class="inbox-pages" aria-label="Pages de résultats">
        <ul>
          {!props.isFirstPage ? (
            <li>
              <a href={`/backoffice/dossiers${props.listQuery ? `?${props.listQuery}` : ''}`}>Première page</a>
            </li>
          ) : null}
          {props.hasMore && props.nextCursor ? (
            <li>
              <a href={`/backoffice/dossiers?${props.listQuery ? `${props.listQuery}&` : ''}apres=${props.nextCursor}`} rel="next">
                Suivants
              </a>
            </li>
          ) : null}
        </ul>
      </nav>
    </section>
  );
}

function LiveRegion(props: InboxPageProps & { listQuery: string }) {
  // Live updates only where new cases belong: the first page of a list in received order.
  if (props.liveFrom === null) return null;
  const source = `/backoffice/dossiers/evenements?depuis=${props.liveFrom}${props.listQuery ? `&${props.listQuery}` : ''}`;
  return <div class="inbox-live" role="status" aria-live="polite" data-inbox-events={source}></div>;
}

/** One row of the list; also sent alone to browsers following live updates. */
export function InboxRowView({ row, listQuery, timezone, now }: { row: LabelledRow; listQuery: string; timezone: string; now: Date }) {
  const href = `/backoffice/dossiers/${encodeURIComponent(row.reference)}${listQuery ? `?liste=${encodeURIComponent(listQuery)}` : ''}`;
  const channel = CHANNEL_LABEL[row.channel] ?? { icon: '•', label: row.channel };
  const urgency = urgencyOf({ dueAt: row.dueAt, closedAt: row.closedAt }, now);
  const checkbox = `dossier-${row.id}`;
  return (
    <tr data-case-href={href} data-case-id={row.id}>
      <td>
        <input type="checkbox" id={checkbox} name="dossiers" value={`${row.id}:${row.version}`} />
        <label for={checkbox} class="visually-hidden">
          Sélectionner le dossier {row.reference}
        </label>
      </td>
      <td class="inbox-channel">
        <span aria-hidden="true">{channel.icon}</span> {channel.label}
      </td>
      <td class="inbox-reference">
        <a href={href}>{row.reference}</a>
        {row.priority === 'urgent' || row.priority === 'high' ? (
          <>
            {' '}
            <span class="badge badge-warning">{row.priority === 'urgent' ? 'Urgent' : 'Prioritaire'}</span>
          </>
        ) : null}
      </td>
      <td>{row.subject}</td>
      <td>{row.citizenName ?? <span class="muted">Anonyme</span>}</td>
      <td>{row.procedure?.title ?? '—'}</td>
      <td>{row.department.name}</td>
      <td>{row.statusLabel}</td>
      <td>{row.assignedAgent?.name ?? <span class="muted">Personne</span>}</td>
      <td>
        <time dateTime={row.receivedAt}>{formatDateTime(row.receivedAt, timezone)}</time>
      </td>
      <td>
        {row.dueAt ? <time dateTime={row.dueAt}>{formatDate(row.dueAt, timezone)}</time> : '—'}
        {urgency === 'overdue' || urgency === 'at_risk' ? (
          <>
            {' '}
            <span class={urgency === 'overdue' ? 'badge badge-danger' : 'badge badge-warning'}>{URGENCY_LABEL[urgency]}</span>
          </>
        ) : null}
      </td>
    </tr>
  );
}

function BulkActions(props: InboxPageProps) {
  return (
    <fieldset class="inbox-bulk">
      <legend>Action sur les dossiers cochés</legend>
      <div class="inbox-bulk-choice">
        <input type="radio" id="action-attribuer" name="action" value="attribuer" checked />
        <label for="action-attribuer">Attribuer à</label>
        <label for="action-agent" class="visually-hidden">
          Agent à qui attribuer
        </label>
        <select id="action-agent" name="agent">
          <option value="moi">Moi-même</option>
          {props.agents.map((a) => (
            <option value={String(a.id)}>{a.name}</option>
          ))}
        </select>
      </div>
      <div class="inbox-bulk-choice">
        <input type="radio" id="action-transferer" name="action" value="transferer" />
        <label for="action-transferer">Transférer au service</label>
        <label for="action-service" class="visually-hidden">
          Service destinataire
        </label>
        <select id="action-service" name="service">
          {props.choices.allDepartments.map((d) => (
            <option value={String(d.id)}>{d.name}</option>
          ))}
        </select>
        <label for="action-motif">Motif du transfert (obligatoire pour un transfert)</label>
        <input type="text" id="action-motif" name="motif" maxLength={500} />
      </div>
      <div class="inbox-bulk-choice">
        <input type="radio" id="action-transition" name="action" value="transition" />
        <label for="action-transition">Faire avancer le dossier</label>
        <label for="action-etape" class="visually-hidden">
          Action du circuit
        </label>
        <select id="action-etape" name="transition">
          {props.transitions.map((t) => (
            <option value={t.name}>{t.label}</option>
          ))}
        </select>
        <label for="action-modele">Message à l’usager (modèle de réponse)</label>
        <select id="action-modele" name="modele">
          <option value="">Aucun message</option>
          {props.templates.map((t) => (
            <option value={String(t.id)}>{t.name}</option>
          ))}
        </select>
      </div>
      <button type="submit">Appliquer aux dossiers cochés</button>
    </fieldset>
  );
}

const OUTCOME_LABEL: Record<BulkOutcome['code'], string> = {
  done: 'Fait',
  unchanged: 'Inchangé',
  not_found: 'Introuvable',
  version_conflict: 'Modifié entre-temps',
  not_available: 'Action impossible',
  forbidden: 'Non autorisé',
  invalid: 'Refusé',
  message_failed: 'Fait, message non envoyé',
  failed: 'Échec',
};

function BulkReport({ outcomes }: { outcomes: BulkOutcome[] }) {
  const done = outcomes.filter((o) => o.code === 'done' || o.code === 'unchanged').length;
  return (
    <section class="inbox-report" aria-labelledby="bilan-titre" tabIndex={-1} id="bilan">
      <h2 id="bilan-titre">
        Action groupée : {done} dossier{done > 1 ? 's' : ''} sur {outcomes.length} traité{done > 1 ? 's' : ''}
      </h2>
      <table>
        <caption class="visually-hidden">Résultat dossier par dossier</caption>
        <thead>
          <tr>
            <th scope="col">Dossier</th>
            <th scope="col">Résultat</th>
            <th scope="col">Détail</th>
          </tr>
        </thead>
        <tbody>
          {outcomes.map((o) => (
            <tr>
              <td>{o.reference ?? '—'}</td>
              <td>{OUTCOME_LABEL[o.code]}</td>
              <td>{o.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
