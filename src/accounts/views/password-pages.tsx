import { ErrorSummary, type FieldProblem } from '../../http/ui/layout.js';
import { Csrf, PASSWORD_HINT, TextField } from './fields.js';

/** Asks for the address to send a reset link to. */
export function ForgotPasswordPage({ csrf, email, problems }: { csrf: string; email: string; problems: FieldProblem[] }) {
  return (
    <div class="account-page">
      <ErrorSummary problems={problems} />
      <h1>Mot de passe oublié</h1>
      <p>Saisissez l’adresse électronique de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.</p>
      <form method="post" action="/mot-de-passe-oublie" novalidate class="account-form">
        <Csrf value={csrf} />
        <TextField id="email" label="Adresse électronique" type="email" autocomplete="email" value={email} hint="Format attendu : nom@exemple.fr" problems={problems} />
        <button type="submit">Recevoir un lien</button>
      </form>
      <p>
        <a href="/connexion">Retour à la connexion</a>
      </p>
    </div>
  );
}

/** The form a reset link opens. */
export function NewPasswordPage({ csrf, token, problems }: { csrf: string; token: string; problems: FieldProblem[] }) {
  return (
    <div class="account-page">
      <ErrorSummary problems={problems} />
      <h1>Choisir un nouveau mot de passe</h1>
      <p>Une fois le mot de passe enregistré, vous serez connecté ici et déconnecté de tous vos autres appareils.</p>
      <form method="post" action="/mot-de-passe/nouveau" novalidate class="account-form">
        <Csrf value={csrf} />
        <input type="hidden" name="jeton" value={token} />
        <TextField id="password" label="Nouveau mot de passe" type="password" autocomplete="new-password" hint={PASSWORD_HINT} problems={problems} reveal />
        <button type="submit">Enregistrer le mot de passe</button>
      </form>
    </div>
  );
}

/** A reset link that is used, expired or unknown. */
export function ResetLinkInvalidPage() {
  return (
    <div class="account-page">
      <h1>Ce lien n’est plus valable</h1>
      <p>Un lien pour choisir un nouveau mot de passe ne sert qu’une fois et reste valable une heure. Celui-ci a déjà servi, a expiré, ou a été mal copié.</p>
      <p>
        <a href="/mot-de-passe-oublie" class="button">
          Demander un nouveau lien
        </a>
      </p>
    </div>
  );
}

/** Changing one's password while signed in. */
export function ChangePasswordPage({ csrf, problems, changed }: { csrf: string; problems: FieldProblem[]; changed: boolean }) {
  return (
    <div class="account-page">
      <ErrorSummary problems={problems} />
      <h1>Modifier mon mot de passe</h1>
      {changed ? (
        <p class="notice" role="status">
          Votre mot de passe a été modifié. Vos autres connexions ont été fermées et un courriel vous a été envoyé pour vous en informer.
        </p>
      ) : null}
      <form method="post" action="/mon-compte/mot-de-passe" novalidate class="account-form">
        <Csrf value={csrf} />
        <TextField id="currentPassword" label="Mot de passe actuel" type="password" autocomplete="current-password" problems={problems} reveal />
        <TextField id="password" label="Nouveau mot de passe" type="password" autocomplete="new-password" hint={PASSWORD_HINT} problems={problems} reveal />
        <button type="submit">Modifier le mot de passe</button>
      </form>
      <p>Vos autres appareils seront déconnectés.</p>
      <p>
        <a href="/mon-compte/connexions">Voir mes connexions</a>
      </p>
    </div>
  );
}

/** An account without a password (opened through FranceConnect): one can be set through a reset link. */
export function NoPasswordPage({ csrf, email }: { csrf: string; email: string | null }) {
  return (
    <div class="account-page">
      <h1>Mot de passe</h1>
      <p>Vous vous connectez avec FranceConnect : votre compte n’a pas de mot de passe.</p>
      {email ? (
        <>
          <p>
            Pour pouvoir aussi vous connecter avec votre adresse électronique, choisissez un mot de passe : un lien vous sera envoyé à <strong>{email}</strong>.
          </p>
          <form method="post" action="/mot-de-passe-oublie" class="account-form">
            <Csrf value={csrf} />
            <input type="hidden" name="email" value={email} />
            <button type="submit">Recevoir un lien pour choisir un mot de passe</button>
          </form>
        </>
      ) : (
        <p>
          Pour choisir un mot de passe, <a href="/mot-de-passe-oublie">demandez un lien</a> en indiquant l’adresse électronique de votre compte.
        </p>
      )}
    </div>
  );
}
