/** Pages that answer a form without telling whether an address has an account. */

/** After sign-up, whatever the address: the next step is in the mailbox. */
export function CheckMailboxPage({ email }: { email: string }) {
  return (
    <div class="account-page">
      <h1>Consultez votre messagerie</h1>
      <p class="notice" role="status">
        Un courriel vient d’être envoyé à <strong>{email}</strong>.
      </p>
      <p>Ouvrez le lien qu’il contient pour confirmer votre adresse et activer votre compte. Ce lien est valable 24 heures.</p>
      <h2>Vous ne trouvez pas le courriel ?</h2>
      <ul>
        <li>Il peut mettre quelques minutes à arriver ; regardez aussi dans le dossier des indésirables (spam).</li>
        <li>
          Vérifiez l’adresse : si elle est fausse, <a href="/inscription">recommencez l’inscription</a>.
        </li>
        <li>
          Pour recevoir un nouveau lien, <a href="/connexion">connectez-vous</a> avec votre adresse et votre mot de passe.
        </li>
      </ul>
    </div>
  );
}

/** The right password on an account whose address is not confirmed yet. */
export function UnverifiedPage({ email }: { email: string }) {
  return (
    <div class="account-page">
      <h1>Confirmez votre adresse électronique</h1>
      <p class="notice" role="status">
        Votre adresse n’est pas encore confirmée. Un nouveau lien de confirmation vient d’être envoyé à <strong>{email}</strong>.
      </p>
      <p>Ouvrez ce lien (valable 24 heures) et confirmez votre adresse, puis connectez-vous. Les liens envoyés auparavant ne servent plus qu’une fois chacun.</p>
    </div>
  );
}

/** A verification link that is used, expired or unknown. */
export function ConfirmationFailedPage() {
  return (
    <div class="account-page">
      <h1>Ce lien de confirmation n’est plus valable</h1>
      <p>Un lien de confirmation ne sert qu’une fois et reste valable 24 heures. Celui-ci a déjà servi, a expiré, ou a été mal copié.</p>
      <ul>
        <li>
          Si vous avez déjà confirmé votre adresse, <a href="/connexion">connectez-vous</a>.
        </li>
        <li>
          Sinon, <a href="/connexion">connectez-vous avec votre adresse et votre mot de passe</a> : un nouveau lien vous sera envoyé.
        </li>
      </ul>
    </div>
  );
}

/** After a reset request, whatever the address. */
export function ResetRequestedPage({ email }: { email: string }) {
  return (
    <div class="account-page">
      <h1>Consultez votre messagerie</h1>
      <p class="notice" role="status">
        Si un compte existe avec l’adresse <strong>{email}</strong>, un courriel vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe.
      </p>
      <p>Ce lien est valable une heure et ne sert qu’une fois. Pensez à regarder dans le dossier des indésirables (spam).</p>
      <p>
        Rien reçu ? Vérifiez l’adresse et <a href="/mot-de-passe-oublie">faites une nouvelle demande</a>, ou <a href="/inscription">créez un compte</a>.
      </p>
    </div>
  );
}

/** A rate limit reached: when to come back. */
export function TooManyAttemptsPage({ minutes }: { minutes: number }) {
  return (
    <div class="account-page">
      <h1>Trop de tentatives</h1>
      <p>
        Trop de tentatives ont été faites en peu de temps. Par sécurité, réessayez dans {minutes} minute{minutes > 1 ? 's' : ''}.
      </p>
      <p>
        <a href="/">Retour à l’accueil</a>
      </p>
    </div>
  );
}
