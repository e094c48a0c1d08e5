import type { ComponentChildren } from 'preact';
import { ErrorSummary } from '../../../http/ui/layout.js';
import type { FormState } from '../service.js';
import { BackToSpace, Checkbox, Csrf, frenchMoment, Input, problemsOf, Saved } from './fields.js';

/** What the dashboard says about each part. */
export interface DashboardSummary {
  displayName: string;
  identityCertified: boolean;
  members: number;
  documents: number;
  expiredDocuments: number;
  notify: { email: boolean; sms: boolean };
  deletionRequestedAt: string | null;
}

function Card({ href, title, children }: { href: string; title: string; children?: ComponentChildren }) {
  return (
    <li class="space-card">
      <h3>
        <a href={href}>{title}</a>
      </h3>
      {children ? <p>{children}</p> : null}
    </li>
  );
}

/** « Mon espace »: a way into every part of the citizen's account. */
export function DashboardPage({ summary, timezone }: { summary: DashboardSummary; timezone: string }) {
  const notify = [summary.notify.email ? 'par courriel' : null, summary.notify.sms ? 'par SMS' : null].filter(Boolean).join(' et ');
  return (
    <div class="space">
      <h1>Mon espace</h1>
      <p class="lead">Bonjour {summary.displayName}.</p>
      {summary.deletionRequestedAt ? (
        <div class="notice">
          <p>Vous avez demandé la suppression de votre compte le {frenchMoment(summary.deletionRequestedAt, timezone)}. La mairie traite votre demande.</p>
        </div>
      ) : null}
      <h2>Mes démarches</h2>
      <ul class="space-cards">
        <Card href="/mes-demandes" title="Mes demandes">
          Suivre vos demandes, lire les messages de la mairie et y répondre.
        </Card>
        <Card href="/mes-brouillons" title="Mes brouillons">
          Reprendre une démarche commencée.
        </Card>
      </ul>
      <h2>Mes informations</h2>
      <ul class="space-cards">
        <Card href="/mon-espace/profil" title="Mon profil">
          Identité et coordonnées{summary.identityCertified ? ' (identité certifiée)' : ''}.
        </Card>
        <Card href="/mon-espace/foyer" title="Mon foyer">
          {summary.members === 0 ? 'Aucune personne déclarée.' : summary.members === 1 ? '1 personne déclarée.' : `${summary.members} personnes déclarées.`}
        </Card>
        <Card href="/mon-espace/documents" title="Mon porte-documents">
          {summary.documents === 0 ? 'Aucun document.' : summary.documents === 1 ? '1 document' : `${summary.documents} documents`}
          {summary.expiredDocuments > 0 ? `, dont ${summary.expiredDocuments} expiré${summary.expiredDocuments > 1 ? 's' : ''}.` : summary.documents > 0 ? '.' : ''}
        </Card>
        <Card href="/mon-espace/notifications" title="Mes notifications">
          {notify ? `Vous êtes prévenu(e) ${notify}.` : 'Vous lisez vos messages dans « Mes demandes » uniquement.'}
        </Card>
      </ul>
      <h2>Mon compte</h2>
      <ul class="space-cards">
        <Card href="/mon-compte/connexions" title="Mes connexions">
          Les appareils connectés à votre compte.
        </Card>
        <Card href="/mon-compte/mot-de-passe" title="Mon mot de passe" />
        <Card href="/mon-espace/mes-donnees" title="Mes données">
          Télécharger tout ce que la mairie conserve sur vous.
        </Card>
        <Card href="/mon-espace/supprimer-mon-compte" title="Supprimer mon compte" />
      </ul>
    </div>
  );
}

/** « Mes notifications »: e-mail and SMS, with what each choice means. */
export function NotificationsPage({ email, mobile, state, csrf, saved }: { email: string; mobile: string | null; state: FormState; csrf: string; saved: boolean }) {
  return (
    <div class="space">
      <BackToSpace />
      <h1>Mes notifications</h1>
      <ErrorSummary problems={problemsOf(state)} />
      <Saved text={saved ? 'Vos préférences ont été enregistrées.' : null} />
      <p>Quel que soit votre choix, tous les messages de la mairie restent consultables dans « Mes demandes ».</p>
      <form method="post" action="/mon-espace/notifications" class="space-form" novalidate>
        <Csrf value={csrf} />
        <fieldset class="space-fieldset">
          <legend>Comment souhaitez-vous être prévenu(e) d’un nouveau message ?</legend>
          <Checkbox name="notifyEmail" state={state} label={<>Par courriel, à l’adresse {email}</>} hint="Sans courriel, le message vous attend dans « Mes demandes »." />
          <Checkbox
            name="notifySms"
            state={state}
            label={mobile ? <>Par SMS, au {mobile}</> : <>Par SMS</>}
            hint={
              mobile
                ? 'Un SMS court vous signale chaque nouveau message, à lire ensuite en ligne.'
                : 'Pour recevoir des SMS, ajoutez d’abord un numéro de téléphone mobile (06 ou 07) dans votre profil.'
            }
          />
        </fieldset>
        {mobile ? null : (
          <p>
            <a href="/mon-espace/profil">Ajouter un numéro de mobile dans mon profil</a>
          </p>
        )}
        <button type="submit">Enregistrer mes préférences</button>
      </form>
    </div>
  );
}

/** « Mes données »: what the export holds and the rights it serves. */
export function MyDataPage({ organisationName }: { organisationName: string }) {
  return (
    <div class="space">
      <BackToSpace />
      <h1>Mes données</h1>
      <p>
        Vous pouvez télécharger à tout moment l’ensemble des données que {organisationName} conserve sur vous dans ce service : c’est votre droit d’accès et votre droit
        à la portabilité (articles 15 et 20 du règlement général sur la protection des données).
      </p>
      <h2>Ce que contient le fichier</h2>
      <ul>
        <li>votre identité et vos coordonnées ;</li>
        <li>votre compte (sans votre mot de passe, que la mairie ne connaît pas) et vos préférences de notification ;</li>
        <li>les personnes de votre foyer ;</li>
        <li>vos demandes, avec les informations saisies, leurs étapes et les messages échangés ;</li>
        <li>la liste des documents de votre porte-documents (les fichiers eux-mêmes se téléchargent depuis le porte-documents) ;</li>
        <li>vos brouillons, l’historique de vos connexions et vos réponses aux questionnaires de satisfaction.</li>
      </ul>
      <p>
        Le fichier est au format JSON, un format ouvert lisible par un autre service ou par un tableur après conversion. Il contient des données personnelles : conservez-le
        en lieu sûr.
      </p>
      <p>
        <a class="button" href="/mon-espace/mes-donnees.json" download="mes-donnees.json">
          Télécharger mes données (JSON)
        </a>
      </p>
      <p>
        Pour toute question, ou pour exercer vos autres droits (rectification, opposition…), consultez la page <a href="/donnees-personnelles">Données personnelles</a>.
      </p>
    </div>
  );
}

/** « Supprimer mon compte »: what it means, and the confirmation. */
export function DeleteAccountPage({ requestedAt, timezone, state, csrf }: { requestedAt: string | null; timezone: string; state: FormState; csrf: string }) {
  return (
    <div class="space">
      <BackToSpace />
      <h1>Supprimer mon compte</h1>
      <ErrorSummary problems={problemsOf(state)} />
      {requestedAt ? (
        <div class="notice">
          <p>Vous avez déjà demandé la suppression de votre compte le {frenchMoment(requestedAt, timezone)}. La mairie traite votre demande et vous répondra par courriel.</p>
        </div>
      ) : null}
      <h2>Ce que la suppression signifie</h2>
      <ul>
        <li>votre compte, votre porte-documents et votre foyer déclaré seront supprimés ;</li>
        <li>
          vos demandes déjà déposées sont conservées par la mairie pendant leur durée légale de conservation (archives publiques) : vous pourrez toujours les suivre avec
          leur code de suivi ;
        </li>
        <li>vous ne pourrez plus vous connecter avec ce compte. Vous pourrez en créer un nouveau plus tard.</li>
      </ul>
      <p>
        La suppression n’est pas immédiate : votre demande est transmise à la mairie (à son délégué à la protection des données), qui l’effectue et vous le confirme, dans un
        délai d’un mois au plus. Pensez à <a href="/mon-espace/mes-donnees">télécharger vos données</a> avant.
      </p>
      {requestedAt ? null : (
        <form method="post" action="/mon-espace/supprimer-mon-compte" class="space-form" novalidate>
          <Csrf value={csrf} />
          <Checkbox name="confirm" state={state} label="Je demande la suppression de mon compte et j’ai compris ce qu’elle implique." />
          <Input name="email" label="Pour confirmer, saisissez l’adresse électronique de votre compte" type="email" state={state} required autocomplete="email" spellcheck={false} />
          <button type="submit" class="space-danger">
            Demander la suppression de mon compte
          </button>
        </form>
      )}
    </div>
  );
}

/** After the request: the session is over, the page says what happens next. */
export function DeletionRequestedPage() {
  return (
    <div class="space">
      <h1>Votre demande de suppression est enregistrée</h1>
      <p>La mairie a reçu votre demande. Elle supprimera votre compte, votre porte-documents et votre foyer déclaré, et vous le confirmera par courriel.</p>
      <p>Vous avez été déconnecté(e). Vos demandes déjà déposées restent consultables avec leur code de suivi.</p>
      <p>
        <a href="/">Revenir à l’accueil</a>
      </p>
    </div>
  );
}
