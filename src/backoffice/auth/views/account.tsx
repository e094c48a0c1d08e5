import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { ROLE_LABEL } from '../labels.js';
import { Csrf, Field, Notice } from './fields.js';

export interface AccountPageProps {
  csrf: string;
  name: string;
  email: string;
  roles: { departmentName: string; role: keyof typeof ROLE_LABEL }[];
  totpEnabled: boolean;
  hasPassword: boolean;
  method: 'password' | 'proconnect';
  problems: FieldProblem[];
  notice: string | null;
}

/** The agent's own account: their roles, their second factor, their password. */
export function AccountPage(p: AccountPageProps) {
  return (
    <div class="auth-page account">
      <ErrorSummary problems={p.problems} />
      <Notice text={p.notice} />
      <h1>Mon compte</h1>
      <dl class="auth-summary">
        <dt>Nom</dt>
        <dd>{p.name}</dd>
        <dt>Adresse électronique</dt>
        <dd>{p.email}</dd>
        <dt>Connexion en cours</dt>
        <dd>{p.method === 'proconnect' ? 'ProConnect' : 'Mot de passe'}</dd>
      </dl>
      <h2>Mes rôles</h2>
      {p.roles.length === 0 ? (
        <p>Aucun rôle : demandez à un administrateur de vous rattacher à un service.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Rôles par service</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Rôle</th>
            </tr>
          </thead>
          <tbody>
            {p.roles.map((r) => (
              <tr>
                <td>{r.departmentName}</td>
                <td>{ROLE_LABEL[r.role]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Double authentification</h2>
      {p.totpEnabled ? (
        <p>Activée : un code de votre application d’authentification vous est demandé à chaque connexion par mot de passe.</p>
      ) : (
        <p>
          Non activée. <a href="/backoffice/mon-compte/double-authentification">Activer la double authentification</a>
        </p>
      )}
      <h2>{p.hasPassword ? 'Changer de mot de passe' : 'Choisir un mot de passe'}</h2>
      <form method="post" action="/backoffice/mon-compte/mot-de-passe" novalidate class="auth-form">
        <Csrf value={p.csrf} />
        {p.hasPassword ? <Field id="current" label="Mot de passe actuel" type="password" autocomplete="current-password" problems={p.problems} /> : null}
        <Field id="password" label="Nouveau mot de passe" type="password" autocomplete="new-password" hint="12 caractères au moins. Vos autres sessions seront fermées." problems={p.problems} />
        <button type="submit">Enregistrer le mot de passe</button>
      </form>
    </div>
  );
}
