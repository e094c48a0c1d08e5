import { FranceConnectButton } from '../../franceconnect/button.js';
import { ErrorSummary, type FieldProblem } from '../../http/ui/layout.js';
import { Csrf, TextField } from './fields.js';

export interface SignInProps {
  csrf: string;
  email: string;
  returnTo: string;
  problems: FieldProblem[];
  /** Shown when the town has configured FranceConnect. */
  franceConnect: boolean;
  /** The refusal that concerns both fields (wrong address or password): the password shares the address's message. */
  refused?: boolean;
}

/** The sign-in page: FranceConnect first when available, then the address and password form. */
export function SignInPage({ csrf, email, returnTo, problems, franceConnect, refused }: SignInProps) {
  return (
    <div class="account-page">
      <ErrorSummary problems={problems} />
      <h1>Se connecter</h1>
      {franceConnect ? (
        <>
          <FranceConnectButton returnTo={returnTo} />
          <p class="separator">
            <span>ou</span>
          </p>
        </>
      ) : null}
      <h2>Avec votre adresse électronique</h2>
      <form method="post" action="/connexion" novalidate class="account-form">
        <Csrf value={csrf} />
        <input type="hidden" name="retour" value={returnTo} />
        <TextField id="email" label="Adresse électronique" type="email" autocomplete="username" value={email} problems={problems} />
        <TextField id="password" label="Mot de passe" type="password" autocomplete="current-password" problems={problems} reveal {...(refused ? { sharedErrorId: 'email-error' } : {})} />
        <p>
          <a href="/mot-de-passe-oublie">Mot de passe oublié ?</a>
        </p>
        <button type="submit">Se connecter</button>
      </form>
      <h2>Pas encore de compte ?</h2>
      <p>
        <a href="/inscription">Créer un compte</a> avec votre adresse électronique. Vous pouvez aussi faire la plupart des démarches sans compte.
      </p>
    </div>
  );
}
