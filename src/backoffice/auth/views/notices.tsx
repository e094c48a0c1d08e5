/** ProConnect identified someone who has no active agent account here. */
export function UnknownAgentPage() {
  return (
    <div class="auth-page">
      <h1>Aucun compte agent pour cette identité</h1>
      <p>ProConnect vous a bien identifié(e), mais aucun compte agent actif de cette collectivité ne correspond à votre adresse électronique.</p>
      <p>Demandez à un administrateur de la collectivité de créer votre compte avec votre adresse professionnelle, puis réessayez.</p>
      <p>
        <a href="/backoffice/connexion">Revenir à la connexion</a>
      </p>
    </div>
  );
}

/** The round trip to ProConnect could not be verified (expired, tampered with, cancelled). */
export function ProConnectFailedPage({ cancelled }: { cancelled: boolean }) {
  return (
    <div class="auth-page">
      <h1>{cancelled ? 'Connexion avec ProConnect annulée' : 'Connexion non vérifiée'}</h1>
      <p>{cancelled ? 'Vous avez annulé la connexion avec ProConnect.' : 'La connexion avec ProConnect n’a pas pu être vérifiée, ou a pris trop de temps.'}</p>
      <p>
        <a href="/backoffice/connexion">Revenir à la connexion</a>
      </p>
    </div>
  );
}

/** Too many attempts: wait before trying again. */
export function TooManyAttemptsPage({ minutes }: { minutes: number }) {
  return (
    <div class="auth-page">
      <h1>Trop de tentatives</h1>
      <p>
        Par sécurité, les essais sont suspendus. Réessayez dans {minutes} minute{minutes > 1 ? 's' : ''}.
      </p>
      <p>
        <a href="/backoffice/connexion">Revenir à la connexion</a>
      </p>
    </div>
  );
}

/**
 * After ProConnect, a page of our own site moves on to the back-office: the agent cookie is
 * SameSite=Strict, and browsers do not send it on a navigation that started on another site.
 */
export function ContinuePage({ to }: { to: string }) {
  return (
    <div class="auth-page">
      <h1>Vous êtes connecté(e)</h1>
      <p>
        <a href={to} id="continue">
          Accéder à l’espace agents
        </a>
      </p>
    </div>
  );
}
