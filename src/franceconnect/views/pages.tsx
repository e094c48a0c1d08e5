/** The pages FranceConnect's round trips can end on, each saying what happened and where to go. */

const signInLink = (returnTo: string) => (returnTo === '/' ? '/connexion' : `/connexion?retour=${encodeURIComponent(returnTo)}`);

/** The citizen cancelled on FranceConnect, or FranceConnect could not identify them. */
export function ProviderErrorPage({ cancelled, returnTo }: { cancelled: boolean; returnTo: string }) {
  return (
    <div class="franceconnect-page">
      <h1>{cancelled ? 'Connexion avec FranceConnect annulée' : 'FranceConnect n’a pas pu vous identifier'}</h1>
      <p class="notice" role="status">
        {cancelled
          ? 'Vous avez annulé la connexion sur FranceConnect : vous n’êtes pas connecté(e) et aucune information ne nous a été transmise.'
          : 'FranceConnect a interrompu la connexion : vous n’êtes pas connecté(e) et aucune information ne nous a été transmise.'}
      </p>
      <p>Vous pouvez réessayer, choisir un autre compte sur FranceConnect, ou vous connecter avec votre adresse électronique et votre mot de passe.</p>
      <p>
        <a href={signInLink(returnTo)}>Revenir à la page de connexion</a>
      </p>
    </div>
  );
}

/** The return from FranceConnect could not be verified (expired, another tab, tampered with). */
export function RefusedPage() {
  return (
    <div class="franceconnect-page">
      <h1>La connexion avec FranceConnect n’a pas pu être vérifiée</h1>
      <p>Par sécurité, nous n’avons pas pu confirmer que ce retour de FranceConnect répond à votre demande de connexion. Cela arrive notamment :</p>
      <ul>
        <li>si plus de 10 minutes se sont écoulées depuis que vous avez cliqué sur le bouton FranceConnect ;</li>
        <li>si vous avez commencé la connexion dans un autre onglet ou un autre navigateur ;</li>
        <li>si votre navigateur refuse les cookies de ce site.</li>
      </ul>
      <p>Vous n’êtes pas connecté(e). Recommencez depuis la page de connexion.</p>
      <p>
        <a href="/connexion">Revenir à la page de connexion</a>
      </p>
    </div>
  );
}

/** The FranceConnect address is the sign-in address of another person's account: nothing is merged. */
export function EmailTakenPage() {
  return (
    <div class="franceconnect-page">
      <h1>Cette adresse électronique est déjà celle d’un autre compte</h1>
      <p>
        L’adresse électronique de votre compte FranceConnect sert déjà à un compte ouvert sur ce site au nom d’une autre personne. Pour protéger les
        informations de chacun, nous ne les avons pas réunis et vous n’êtes pas connecté(e).
      </p>
      <p>
        Si ce compte est le vôtre, connectez-vous avec votre adresse et votre mot de passe. Sinon, changez l’adresse électronique de votre compte
        FranceConnect, ou contactez la mairie.
      </p>
      <p>
        <a href="/connexion">Revenir à la page de connexion</a>
      </p>
    </div>
  );
}

/** Back from FranceConnect's logout. */
export function SignedOutPage() {
  return (
    <div class="franceconnect-page">
      <h1>Vous êtes déconnecté(e) de ce site et de FranceConnect</h1>
      <p class="notice" role="status">
        Votre session est terminée ici et sur FranceConnect. Sur un ordinateur partagé, pensez aussi à fermer votre navigateur.
      </p>
      <p>
        <a href="/">Revenir à l’accueil</a>
      </p>
    </div>
  );
}

/** The logout return could not be matched to a logout started here. */
export function SignOutUnverifiedPage() {
  return (
    <div class="franceconnect-page">
      <h1>Déconnexion non vérifiée</h1>
      <p>Ce retour de FranceConnect ne correspond à aucune déconnexion demandée depuis ce navigateur dans les 10 dernières minutes.</p>
      <p>
        Votre session sur ce site est terminée si vous avez demandé la déconnexion. Pour vous assurer d’être déconnecté(e) de FranceConnect, rendez-vous
        sur <a href="https://franceconnect.gouv.fr/">franceconnect.gouv.fr</a>.
      </p>
      <p>
        <a href="/">Revenir à l’accueil</a>
      </p>
    </div>
  );
}
