import { Csrf } from './fields.js';

/**
 * What a verification link opens: a button, nothing done yet. The address is confirmed by the
 * form's POST (CSRF-checked), so a link opened by a mail scanner or planted in someone else's
 * browser confirms nothing and signs nobody in.
 */
export function ConfirmEmailPage({ csrf, token }: { csrf: string; token: string }) {
  return (
    <div class="account-page">
      <h1>Confirmer votre adresse électronique</h1>
      <p>Pour activer votre compte, confirmez que cette adresse électronique est bien la vôtre.</p>
      <form method="post" action="/inscription/confirmer" class="account-form">
        <Csrf value={csrf} />
        <input type="hidden" name="jeton" value={token} />
        <button type="submit">Confirmer mon adresse</button>
      </form>
      <p>Si vous n’êtes pas à l’origine de cette inscription, fermez simplement cette page : aucun compte ne sera activé.</p>
    </div>
  );
}

/** The address is confirmed; the citizen signs in with their password, as on any other day. */
export function EmailConfirmedPage() {
  return (
    <div class="account-page">
      <h1>Votre adresse est confirmée</h1>
      <p class="notice" role="status">
        Votre compte est activé.
      </p>
      <p>Connectez-vous avec votre adresse électronique et le mot de passe choisi à l’inscription.</p>
      <p>
        <a href="/connexion" class="button">
          Se connecter
        </a>
      </p>
    </div>
  );
}
