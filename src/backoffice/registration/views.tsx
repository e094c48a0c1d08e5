/**
 * The « Nouvelle demande » screen, its confirmation, and the postal mail register. The screen is
 * one form in numbered steps that works without JavaScript: « Rechercher » and « Afficher le
 * formulaire » are submit buttons that re-render it with everything typed kept.
 */
import type { ComponentChildren } from 'preact';
import { frenchDate, frenchDateTime } from '../../acknowledgments/content.js';
import type { CitizenHit } from '../../citizens/search.js';
import { CitizenHitRadios } from '../citizens/views/common.js';
import type { FieldError } from '../../http/errors.js';
import { ErrorSummary } from '../../http/ui/layout.js';
import type { IntakeReceipt } from '../../intake/service.js';
import type { MailRegisterLine } from '../../mail-register/service.js';
import { FormFields, inputIdOf, type FieldRenderContext } from '../../portal/forms/fields/index.js';
import type { Field, FormPage } from '../../procedures/form/definition.js';
import type { Procedure } from '../../procedures/repository.js';
import { ACKNOWLEDGMENT_CHOICES, CITIZEN_MODES, NEW_CITIZEN_FIELDS, REGISTRATION_CHANNELS, SCAN_FIELD } from './service.js';

export const NEW_REQUEST_URL = '/backoffice/nouvelle-demande';
export const MAIL_REGISTER_URL = '/backoffice/courrier';

/** The slug of the « Contact / autre demande » procedure, offered first. */
export const CONTACT_SLUG = 'contact';

const CHANNEL_FIELD: Field = { type: 'radio', name: 'canal', label: 'Comment la demande est-elle arrivée ?', required: true, options: [...REGISTRATION_CHANNELS] };
const CITIZEN_MODE_FIELD = (allowAnonymous: boolean): Field => ({
  type: 'radio',
  name: 'usager',
  label: 'Qui fait la demande ?',
  required: true,
  options: CITIZEN_MODES.filter((m) => allowAnonymous || m.value !== 'anonyme').map((m) => ({ ...m })),
});
const RECEIPT_FIELDS: Field[] = [
  {
    type: 'date',
    name: 'dateReception',
    label: 'Date de réception',
    required: true,
    hint: 'Le jour où le courrier est arrivé en mairie, ou le jour de l’appel ou de la visite : les délais de traitement courent à partir de cette date.',
  },
  { type: 'text', name: 'expediteur', label: 'Expéditeur (courrier postal)', maxLength: 300, hint: 'Tel qu’il figure sur la lettre ; par défaut, le nom de l’usager.' },
  { type: 'text', name: 'objetCourrier', label: 'Objet du courrier (courrier postal)', maxLength: 300, hint: 'Par défaut, l’intitulé de la démarche.' },
];
const ACKNOWLEDGMENT_FIELD: Field = {
  type: 'radio',
  name: 'accuse',
  label: 'Accusé de réception',
  required: true,
  options: ACKNOWLEDGMENT_CHOICES.map((a) => ({ ...a })),
};

export interface NewRequestProps {
  csrf: string;
  formKey: string;
  /** The telephone call the request is registered from, if any (kept through the form). */
  callId?: string;
  procedures: Pick<Procedure, 'slug' | 'title'>[];
  procedure: Procedure | null;
  /** The procedure's pages shown for the answers so far. */
  pages: FormPage[];
  context: FieldRenderContext;
  errors: FieldError[];
  /** The search's hits, when a search ran; the citizen already picked, when there is one. */
  hits: CitizenHit[] | null;
  picked: { id: number; label: string } | null;
  search: string;
}

/** One step of the screen: a numbered heading and its content. */
function Step({ n, id, title, children }: { n: number; id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="registration-step" aria-labelledby={id}>
      <h2 id={id}>
        <span class="registration-step-number">{n}.</span> {title}
      </h2>
      {children}
    </section>
  );
}

/**
 * The citizen to pick: the one already chosen, then the search's hits as the citizens module
 * renders them (its search-as-you-type fragment replaces `#resultats-usagers` with the same list).
 */
function CitizenChoices({ hits, picked, search }: { hits: CitizenHit[] | null; picked: NewRequestProps['picked']; search: string }) {
  return (
    <fieldset class="form-fieldset registration-hits">
      <legend>Usager concerné</legend>
      {picked ? (
        <div class="form-choice">
          <input type="radio" id={`usager-${picked.id}`} name="citizenId" value={String(picked.id)} checked />
          <label for={`usager-${picked.id}`}>{picked.label}</label>
        </div>
      ) : null}
      <div id="resultats-usagers">
        {hits !== null ? (
          <CitizenHitRadios hits={hits.filter((h) => h.id !== picked?.id)} selected={picked?.id ?? (hits.length === 1 ? hits[0]!.id : null)} query={search} />
        ) : picked ? null : (
          <p class="hint">Les usagers trouvés s’affichent ici.</p>
        )}
      </div>
    </fieldset>
  );
}

/** The steps of the screen: anchors of its sections, listed at the top to jump to one. */
const STEPS = [
  ['etape-canal', 'Canal'],
  ['etape-usager', 'Usager'],
  ['etape-demarche', 'Démarche'],
  ['etape-formulaire', 'Formulaire'],
  ['etape-reception', 'Pièces et date de réception'],
  ['etape-accuse', 'Accusé de réception'],
] as const;

/** Field labels by name, so the summary of a long page says which field each message is about. */
function labelsOf(fields: Field[]): Map<string, string> {
  return new Map(fields.map((f) => [f.name, f.label]));
}

/** « Objet : Ce champ est obligatoire. » — the message at the field needs no label, the summary does. */
function summaryMessage(error: FieldError, labels: Map<string, string>): string {
  const name = error.field.split(/[.[]/, 1)[0] ?? '';
  const label = name === 'usagerRecherche' ? 'Usager' : name === 'demarche' ? 'Démarche' : labels.get(name);
  return label ? `${label} : ${error.message}` : error.message;
}

/** The whole « Nouvelle demande » form. */
export function NewRequestPage(props: NewRequestProps) {
  const { procedure, context } = props;
  const searchError = context.errors.get('usagerRecherche');
  const labels = labelsOf([
    CHANNEL_FIELD,
    CITIZEN_MODE_FIELD(true),
    ...NEW_CITIZEN_FIELDS,
    ...(procedure?.form.pages.flatMap((p) => p.fields) ?? []),
    SCAN_FIELD,
    ...RECEIPT_FIELDS,
    ACKNOWLEDGMENT_FIELD,
  ]);
  return (
    <>
      <h1>Enregistrer une nouvelle demande</h1>
      <p class="lead">Une demande reçue par téléphone, à l’accueil, par courrier ou par courriel : elle suit ensuite le même circuit qu’une demande en ligne.</p>
      <ErrorSummary problems={props.errors.map((e) => ({ target: e.field === 'usagerRecherche' ? 'usager-recherche' : inputIdOf(e.field), message: summaryMessage(e, labels) }))} />
      <nav class="registration-steps" aria-labelledby="etapes-titre">
        <h2 id="etapes-titre" class="sr-only">
          Étapes
        </h2>
        <ol>
          {STEPS.map(([id, title]) => (
            <li>
              <a href={`#${id}`}>{title}</a>
            </li>
          ))}
        </ol>
      </nav>
      <p class="hint">Les champs sont obligatoires sauf mention contraire.</p>
      <form method="post" action={NEW_REQUEST_URL} enctype="multipart/form-data" novalidate class="registration-form">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="_cle" value={props.formKey} />
        {props.callId ? <input type="hidden" name="appel" value={props.callId} /> : null}
        {/* Enter in a text input activates the first submit button: let it refresh, never register by accident. */}
        <button type="submit" name="_action" value="actualiser" hidden tabIndex={-1}>
          Mettre à jour
        </button>

        <Step n={1} id="etape-canal" title="Canal">
          <FormFields fields={[CHANNEL_FIELD]} context={context} />
        </Step>

        <Step n={2} id="etape-usager" title="Usager">
          <FormFields fields={[CITIZEN_MODE_FIELD(procedure?.allowAnonymous ?? true)]} context={context} />
          <div class="registration-search">
            <h3>Rechercher un usager connu</h3>
            <div class={`form-field${searchError ? ' form-field--error' : ''}`}>
              <label for="usager-recherche">Nom, date de naissance, adresse électronique ou téléphone</label>
              <p class="hint" id="usager-recherche-hint">
                Par exemple « Martin 12/04/1980 » ou « 06 12 34 56 78 ». Puis choisissez l’usager dans la liste.
              </p>
              {searchError ? (
                <p class="field-error" id="usager-recherche-error">
                  <span class="sr-only">Erreur : </span>
                  {searchError}
                </p>
              ) : null}
              <input
                type="search"
                id="usager-recherche"
                name="usagerRecherche"
                value={props.search}
                class="form-input"
                autocomplete="off"
                aria-describedby={`usager-recherche-hint${searchError ? ' usager-recherche-error' : ''}`}
                {...(searchError ? { 'aria-invalid': 'true' } : {})}
                data-citizen-search="/backoffice/usagers/recherche?pour=nouvelle-demande"
              />{' '}
              <button type="submit" name="_action" value="rechercher" class="secondary" formnovalidate>
                Rechercher
              </button>
            </div>
            <CitizenChoices hits={props.hits} picked={props.picked} search={props.search} />
          </div>
          <fieldset class="form-fieldset registration-new-citizen">
            <legend>Ou créer un nouvel usager</legend>
            <p class="hint">Si l’usager existe déjà sous une autre adresse ou un autre nom, il sera rapproché de sa fiche, ou signalé comme doublon possible.</p>
            <FormFields fields={NEW_CITIZEN_FIELDS} context={context} />
          </fieldset>
        </Step>

        <Step n={3} id="etape-demarche" title="Démarche">
          <div class={`form-field${context.errors.get('demarche') ? ' form-field--error' : ''}`}>
            <label for={inputIdOf('demarche')}>Démarche concernée</label>
            <p class="hint" id="demarche-hint">
              « Contact / autre demande » pour une question, une réclamation ou tout ce qui n’entre dans aucune démarche.
            </p>
            {context.errors.get('demarche') ? (
              <p class="field-error" id="demarche-error">
                <span class="sr-only">Erreur : </span>
                {context.errors.get('demarche')}
              </p>
            ) : null}
            <select id={inputIdOf('demarche')} name="demarche" class="form-input" aria-describedby={`demarche-hint${context.errors.get('demarche') ? ' demarche-error' : ''}`} data-procedure-picker>
              <option value="">Choisir…</option>
              {props.procedures.map((p) => (
                <option value={p.slug} selected={procedure?.slug === p.slug}>
                  {p.slug === CONTACT_SLUG ? `Contact / autre demande (${p.title})` : p.title}
                </option>
              ))}
            </select>{' '}
            <button type="submit" name="_action" value="demarche" class="secondary" formnovalidate>
              Afficher le formulaire de cette démarche
            </button>
          </div>
        </Step>

        <Step n={4} id="etape-formulaire" title={procedure ? `Formulaire : ${procedure.title}` : 'Formulaire de la démarche'}>
          {procedure ? (
            <>
              <p class="hint">Saisissez les réponses de l’usager : elles sont vérifiées comme en ligne.</p>
              {props.pages.map((page) =>
                props.pages.length > 1 ? (
                  <fieldset class="form-fieldset registration-page">
                    <legend>{page.title}</legend>
                    <FormFields fields={page.fields} context={context} />
                  </fieldset>
                ) : (
                  <FormFields fields={page.fields} context={context} />
                ),
              )}
              {procedure.form.pages.some((p) => p.visibleWhen) || procedure.form.pages.some((p) => p.fields.some((f) => f.visibleWhen)) ? (
                <p>
                  <button type="submit" name="_action" value="actualiser" class="secondary" formnovalidate>
                    Mettre à jour les questions selon les réponses
                  </button>
                </p>
              ) : null}
            </>
          ) : (
            <p>Choisissez d’abord la démarche (étape 3) pour afficher son formulaire.</p>
          )}
        </Step>

        <Step n={5} id="etape-reception" title="Pièces et date de réception">
          <FormFields fields={[SCAN_FIELD, ...RECEIPT_FIELDS]} context={context} />
        </Step>

        <Step n={6} id="etape-accuse" title="Accusé de réception">
          <FormFields fields={[ACKNOWLEDGMENT_FIELD]} context={context} />
        </Step>

        <div class="form-actions">
          <button type="submit" name="_action" value="envoyer">
            Enregistrer la demande
          </button>
        </div>
      </form>
    </>
  );
}

export interface RegisteredProps {
  receipt: IntakeReceipt;
  registerNumber: string | null;
  /** The agent may open the case (it stayed in one of their departments). */
  canOpen: boolean;
  acknowledgment: { channel: string; sent: boolean } | null;
  letterUrl: string;
  timezone: string;
}

/** The confirmation: the reference, where the case went, the acknowledgment to print. */
export function RegisteredPage(props: RegisteredProps) {
  const { receipt } = props;
  return (
    <>
      <div class="flash" role="status">
        <h1>Demande enregistrée</h1>
        <p>
          Référence du dossier : <strong class="registration-reference">{receipt.reference}</strong>
        </p>
        {props.registerNumber ? (
          <p>
            Numéro au registre du courrier : <strong>{props.registerNumber}</strong>
          </p>
        ) : null}
      </div>
      {receipt.citizen?.possibleDuplicateOf ? (
        <p class="notice">
          L’usager ressemble à une fiche existante : un doublon possible est signalé.{' '}
          <a href="/backoffice/usagers/doublons">Voir les doublons possibles</a>
        </p>
      ) : null}
      <dl class="registration-summary">
        <dt>Démarche</dt>
        <dd>{receipt.procedure.title}</dd>
        <dt>Reçue le</dt>
        <dd>{frenchDateTime(receipt.receivedAt, props.timezone)}</dd>
        {receipt.dueAt ? (
          <>
            <dt>À traiter avant le</dt>
            <dd>{frenchDate(receipt.dueAt, props.timezone)}</dd>
          </>
        ) : null}
        <dt>Service</dt>
        <dd>{props.canOpen ? receipt.department.name : `Transmis au service ${receipt.department.name}`}</dd>
      </dl>
      {props.canOpen ? (
        <p>
          <a href={`/backoffice/dossiers/${receipt.reference}`}>Ouvrir le dossier {receipt.reference}</a>
        </p>
      ) : (
        <p>Ce dossier relève d’un service dont vous ne voyez pas les dossiers : il lui a été transmis.</p>
      )}
      <h2>Accusé de réception</h2>
      <AcknowledgmentNotice acknowledgment={props.acknowledgment} />
      <p>
        <a href={props.letterUrl} download={`accuse-reception-${receipt.reference}.pdf`}>
          Télécharger l’accusé de réception à imprimer (PDF)
        </a>
      </p>
      <p>
        <a href={NEW_REQUEST_URL} class="button">
          Enregistrer une autre demande
        </a>
      </p>
    </>
  );
}

function AcknowledgmentNotice({ acknowledgment }: { acknowledgment: RegisteredProps['acknowledgment'] }) {
  if (!acknowledgment || acknowledgment.channel === 'none') return <p>Aucun accusé de réception n’a été envoyé, comme vous l’avez choisi.</p>;
  if (!acknowledgment.sent) return <p>L’accusé de réception n’a pas pu être envoyé (aucune adresse ou aucun mobile connu) : imprimez-le.</p>;
  switch (acknowledgment.channel) {
    case 'email':
      return <p>L’accusé de réception part par courriel à l’usager.</p>;
    case 'sms':
      return <p>L’accusé de réception part par SMS à l’usager.</p>;
    default:
      return <p>L’accusé de réception est prêt : imprimez-le et envoyez-le ou remettez-le à l’usager.</p>;
  }
}

export interface MailRegisterProps {
  from: string;
  to: string;
  lines: MailRegisterLine[];
  errors: FieldError[];
  /** The register was cut at this many lines. */
  limit: number;
  csvUrl: string;
}

/** The postal mail register: letters received between two dates, each with its case. */
export function MailRegisterPage(props: MailRegisterProps) {
  return (
    <>
      <h1>Registre du courrier</h1>
      <ErrorSummary problems={props.errors.map((e) => ({ target: e.field === 'du' ? 'registre-du' : 'registre-au', message: e.message }))} />
      <form method="get" action={MAIL_REGISTER_URL} class="registration-filter">
        <div class="form-field">
          <label for="registre-du">Reçus du</label>
          <input type="date" id="registre-du" name="du" value={props.from} class="form-input form-input--date" />
        </div>
        <div class="form-field">
          <label for="registre-au">au</label>
          <input type="date" id="registre-au" name="au" value={props.to} class="form-input form-input--date" />
        </div>
        <button type="submit">Afficher</button>
      </form>
      <p>
        <a href={props.csvUrl}>Exporter cette période (CSV)</a> · <a href={NEW_REQUEST_URL}>Enregistrer un courrier</a>
      </p>
      {props.lines.length === 0 ? (
        <p>Aucun courrier enregistré sur cette période dans vos services.</p>
      ) : (
        <table class="registration-register">
          <caption>
            {props.lines.length} courrier{props.lines.length > 1 ? 's' : ''} reçu{props.lines.length > 1 ? 's' : ''} du {frenchDate(props.from, 'UTC')} au {frenchDate(props.to, 'UTC')}
            {props.lines.length >= props.limit ? ` (les ${props.limit} premiers)` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Numéro</th>
              <th scope="col">Reçu le</th>
              <th scope="col">Expéditeur</th>
              <th scope="col">Objet</th>
              <th scope="col">Dossier</th>
              <th scope="col">Service</th>
              <th scope="col">État</th>
            </tr>
          </thead>
          <tbody>
            {props.lines.map((l) => (
              <tr>
                <th scope="row">{l.registerNumber}</th>
                <td>{frenchDate(l.receivedOn, 'UTC')}</td>
                <td>{l.sender}</td>
                <td>{l.subject}</td>
                <td>
                  <a href={`/backoffice/dossiers/${l.case.reference}`}>{l.case.reference}</a>
                </td>
                <td>{l.case.department.name}</td>
                <td>{l.statusLabel}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
