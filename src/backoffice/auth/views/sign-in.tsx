import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { Csrf, Field, Notice } from './fields.js';

export interface AgentSignInProps {
  csrf: string;
  email: string;
  returnTo: string;
  problems: FieldProblem[];
  /** Shown when ProConnect is configured. */
  proConnect: boolean;
  /** The refusal that concerns both fields: the password shares the address's message. */
  refused?: boolean;
  notice?: string | null;
}

/** The agents' sign-in page: ProConnect first when available, then address and password. */
export function AgentSignInPage({ csrf, email, returnTo, problems, proConnect, refused, notice = null }: AgentSignInProps) {
  return (
    <div class="auth-page">
      <ErrorSummary problems={problems} />
      <Notice text={notice} />
      <h1>Connexion à l’espace agents</h1>
      {proConnect ? (
        <>
          <div class="proconnect">
            <a class="proconnect-button" href={`/backoffice/proconnect/connexion?retour=${encodeURIComponent(returnTo)}`}>
              S’identifier avec <strong>ProConnect</strong>
            </a>
            <p class="auth-hint">ProConnect est la solution de l’État pour les agents publics.</p>
          </div>
          <p class="auth-separator">
            <span>ou</span>
          </p>
        </>
      ) : null}
      <form method="post" action="/backoffice/connexion" novalidate class="auth-form">
        <Csrf value={csrf} />
        <input type="hidden" name="retour" value={returnTo} />
        <Field id="email" label="Adresse électronique professionnelle" type="email" autocomplete="username" value={email} problems={problems} />
        <Field id="password" label="Mot de passe" type="password" autocomplete="current-password" problems={problems} {...(refused ? { sharedErrorId: 'email-error' } : {})} />
        <button type="submit">Se connecter</button>
      </form>
      <p>Mot de passe oublié ? Demandez à un administrateur de votre collectivité de le réinitialiser.</p>
    </div>
  );
}
