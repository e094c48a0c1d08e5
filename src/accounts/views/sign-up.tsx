import { ErrorSummary, type FieldProblem } from '../../http/ui/layout.js';
import { Csrf, PASSWORD_HINT, problemFor, TextField } from './fields.js';

export interface SignUpValues {
  email: string;
  firstNames: string;
  lastName: string;
  consent: boolean;
}

/** The sign-up form: address, password, names, and the consent to the terms of use. */
export function SignUpPage({ csrf, values, problems }: { csrf: string; values: SignUpValues; problems: FieldProblem[] }) {
  const consentProblem = problemFor(problems, 'consent');
  return (
    <div class="account-page">
      <ErrorSummary problems={problems} />
      <h1>Créer un compte</h1>
      <p>
        Un compte vous permet de suivre vos demandes, de reprendre un formulaire commencé et de ne pas ressaisir vos coordonnées. Tous les champs sont
        obligatoires.
      </p>
      <p>
        Vous avez déjà un compte ? <a href="/connexion">Se connecter</a>
      </p>
      <form method="post" action="/inscription" novalidate class="account-form">
        <Csrf value={csrf} />
        <TextField id="email" label="Adresse électronique" type="email" autocomplete="email" value={values.email} hint="Un lien vous y sera envoyé pour la confirmer. Format attendu : nom@exemple.fr" problems={problems} />
        <TextField id="password" label="Mot de passe" type="password" autocomplete="new-password" hint={PASSWORD_HINT} problems={problems} reveal />
        <TextField id="firstNames" label="Prénoms" autocomplete="given-name" value={values.firstNames} problems={problems} />
        <TextField id="lastName" label="Nom" autocomplete="family-name" value={values.lastName} problems={problems} />
        <fieldset class={`field${consentProblem ? ' field-invalid' : ''}`} {...(consentProblem ? { 'aria-describedby': 'consent-error' } : {})}>
          <legend>Conditions d’utilisation</legend>
          {consentProblem ? (
            <p class="field-error" id="consent-error">
              <span class="sr-only">Erreur : </span>
              {consentProblem.message}
            </p>
          ) : null}
          <div class="checkbox">
            <input type="checkbox" id="consent" name="consent" value="oui" checked={values.consent} required {...(consentProblem ? { 'aria-invalid': 'true' } : {})} />
            <label for="consent">
              J’ai lu et j’accepte les <a href="/conditions-utilisation">conditions d’utilisation</a> du portail.
            </label>
          </div>
        </fieldset>
        <button type="submit">Créer mon compte</button>
      </form>
    </div>
  );
}
