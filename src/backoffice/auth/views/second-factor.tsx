import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import type { Enrolment } from '../service.js';
import { groupedSecret } from '../totp.js';
import { Csrf, Field } from './fields.js';

const CODE_HINT = 'Le code à 6 chiffres affiché par votre application d’authentification (par exemple FreeOTP, Aegis ou Google Authenticator).';

/** The second step of a password sign-in: the code of the agent's authenticator app. */
export function CodePage({ csrf, returnTo, problems }: { csrf: string; returnTo: string; problems: FieldProblem[] }) {
  return (
    <div class="auth-page">
      <ErrorSummary problems={problems} />
      <h1>Code de vérification</h1>
      <form method="post" action="/backoffice/connexion/code" novalidate class="auth-form">
        <Csrf value={csrf} />
        <input type="hidden" name="retour" value={returnTo} />
        <Field id="code" label="Code à 6 chiffres" autocomplete="one-time-code" hint={CODE_HINT} problems={problems} code />
        <button type="submit">Valider</button>
      </form>
      <form method="post" action="/backoffice/deconnexion" class="auth-cancel">
        <Csrf value={csrf} />
        <button type="submit" class="link-button">
          Annuler et revenir à la connexion
        </button>
      </form>
    </div>
  );
}

export interface EnrolProps {
  csrf: string;
  enrolment: Enrolment;
  /** Where the form posts: the sign-in's enrolment, or the account page's. */
  action: string;
  returnTo?: string;
  problems: FieldProblem[];
  /** True when the agent may not go on without it (admins, or the organisation's rule). */
  required: boolean;
}

/**
 * Setting up the second factor: the secret as text (for keyboard and screen reader users, and
 * apps without a camera), the same as a QR code and an `otpauth://` link, then a code to confirm.
 */
export function EnrolPage({ csrf, enrolment, action, returnTo, problems, required }: EnrolProps) {
  return (
    <div class="auth-page">
      <ErrorSummary problems={problems} />
      <h1>Activer la double authentification</h1>
      {required ? (
        <p>Votre rôle impose un second facteur : en plus de votre mot de passe, un code à 6 chiffres vous sera demandé à chaque connexion.</p>
      ) : (
        <p>En plus de votre mot de passe, un code à 6 chiffres vous sera demandé à chaque connexion.</p>
      )}
      <ol class="auth-steps">
        <li>
          <p>Dans votre application d’authentification, ajoutez un compte en saisissant cette clé (sans les espaces) :</p>
          <p class="totp-secret">
            <code id="totp-secret">{groupedSecret(enrolment.secret)}</code>
          </p>
          <p>
            Ou scannez ce QR code, ou <a href={enrolment.uri}>ouvrez ce lien sur l’appareil qui porte l’application</a>.
          </p>
          <img class="totp-qr" src={enrolment.qrCode} width={200} height={200} alt="QR code de la même clé, pour l’application d’authentification" />
        </li>
        <li>
          <form method="post" action={action} novalidate class="auth-form">
            <Csrf value={csrf} />
            {returnTo ? <input type="hidden" name="retour" value={returnTo} /> : null}
            <Field id="code" label="Code à 6 chiffres affiché par l’application" autocomplete="one-time-code" problems={problems} code />
            <button type="submit">Activer</button>
          </form>
        </li>
      </ol>
    </div>
  );
}
