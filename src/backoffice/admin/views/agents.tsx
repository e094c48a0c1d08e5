import { ErrorSummary, type FieldProblem } from '../../../http/ui/layout.js';
import { Csrf, Field, Notice } from '../../auth/views/fields.js';
import { ROLE_LABEL } from '../../auth/labels.js';
import type { AgentSummary } from '../repository.js';

const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });
const when = (iso: string | null) => (iso ? dateTime.format(new Date(iso)) : 'jamais');

/** The administration's home: agents, the organisation's setting, links to the other tools. */
export function AdminHomePage({ csrf, agents, totpRequired, notice }: { csrf: string; agents: AgentSummary[]; totpRequired: boolean; notice: string | null }) {
  return (
    <div class="admin-page">
      <Notice text={notice} />
      <h1>Administration</h1>
      <ul class="admin-links">
        <li>
          <a href="/backoffice/admin/agents/nouveau">Créer un compte agent</a>
        </li>
        <li>
          <a href="/backoffice/admin/journal-des-acces">Journal des accès aux données personnelles</a>
        </li>
        <li>
          <a href="/backoffice/admin/canaux">Santé des canaux</a> (courriel, SMS, téléphone, Open311, réseaux sociaux) et leur quarantaine
        </li>
        <li>
          <a href="/backoffice/admin/circuits">Circuits de traitement</a> : schéma et publication d’une nouvelle version (session avec code de double authentification)
        </li>
      </ul>
      <h2 id="agents-title">Agents</h2>
      <table aria-labelledby="agents-title">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Rôles</th>
            <th scope="col">Double authentification</th>
            <th scope="col">Dernière connexion</th>
            <th scope="col">État</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr>
              <th scope="row">
                <a href={`/backoffice/admin/agents/${a.id}`}>{a.name}</a>
                <br />
                <span class="admin-muted">{a.email}</span>
              </th>
              <td>{a.roles.length === 0 ? 'aucun' : a.roles.map((r) => `${ROLE_LABEL[r.role]} — ${r.departmentName}`).join(', ')}</td>
              <td>{a.totpEnabled ? 'activée' : 'non'}</td>
              <td>{when(a.lastSignInAt)}</td>
              <td>{a.isActive ? 'actif' : 'désactivé'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Paramètres de sécurité</h2>
      <form method="post" action="/backoffice/admin/parametres" class="admin-form">
        <Csrf value={csrf} />
        <div class="admin-check">
          <input type="checkbox" id="totpRequired" name="totpRequired" value="oui" checked={totpRequired} />
          <label for="totpRequired">Exiger la double authentification de tous les agents (elle l’est toujours des administrateurs)</label>
        </div>
        <button type="submit">Enregistrer les paramètres</button>
      </form>
    </div>
  );
}

export interface DepartmentChoice {
  id: number;
  name: string;
}

/** One select per department: no role, agent, manager or admin. */
function RolesFieldset({ departments, roles, problems }: { departments: DepartmentChoice[]; roles: Map<number, string>; problems: FieldProblem[] }) {
  const problem = problems.find((p) => p.target.startsWith('role-'));
  return (
    <fieldset class="admin-roles" {...(problem ? { 'aria-describedby': 'roles-error' } : {})}>
      <legend>Rôles par service</legend>
      {problem ? (
        <p class="auth-error" id="roles-error">
          <span class="visually-hidden">Erreur : </span>
          {problem.message}
        </p>
      ) : null}
      {departments.map((d) => (
        <div class="admin-role">
          <label for={`role-${d.id}`}>{d.name}</label>
          <select id={`role-${d.id}`} name={`role-${d.id}`}>
            <option value="" selected={!roles.get(d.id)}>
              Aucun rôle
            </option>
            {(['agent', 'manager', 'admin'] as const).map((r) => (
              <option value={r} selected={roles.get(d.id) === r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        </div>
      ))}
    </fieldset>
  );
}

export interface NewAgentValues {
  email: string;
  name: string;
  roles: Map<number, string>;
}

export function NewAgentPage({ csrf, departments, values, problems }: { csrf: string; departments: DepartmentChoice[]; values: NewAgentValues; problems: FieldProblem[] }) {
  return (
    <div class="admin-page auth-page">
      <ErrorSummary problems={problems} />
      <p>
        <a href="/backoffice/admin">Retour à l’administration</a>
      </p>
      <h1>Créer un compte agent</h1>
      <form method="post" action="/backoffice/admin/agents" novalidate class="auth-form">
        <Csrf value={csrf} />
        <Field id="email" label="Adresse électronique professionnelle" type="email" autocomplete="off" value={values.email} problems={problems} />
        <Field id="name" label="Prénom et nom" autocomplete="off" value={values.name} problems={problems} />
        <RolesFieldset departments={departments} roles={values.roles} problems={problems} />
        <p class="auth-hint">Un mot de passe provisoire sera affiché une seule fois après la création : transmettez-le à l’agent, qui le changera dans « Mon compte ».</p>
        <button type="submit">Créer le compte</button>
      </form>
    </div>
  );
}

/** The random password of a new agent or of a reset, shown this once. */
export function PasswordShownOncePage({ agent, password, created }: { agent: { id: number; name: string; email: string }; password: string; created: boolean }) {
  return (
    <div class="admin-page">
      <h1>{created ? 'Compte agent créé' : 'Mot de passe réinitialisé'}</h1>
      <p>
        Mot de passe provisoire de {agent.name} ({agent.email}) :
      </p>
      <p class="totp-secret">
        <code>{password}</code>
      </p>
      <p>Il ne sera plus affiché. Transmettez-le à l’agent par un moyen sûr ; l’agent le changera dans « Mon compte ».</p>
      <p>
        <a href={`/backoffice/admin/agents/${agent.id}`}>Voir le compte de {agent.name}</a> · <a href="/backoffice/admin">Retour à l’administration</a>
      </p>
    </div>
  );
}

/** One agent: roles, and the actions on the account. */
export function AgentPage({
  csrf,
  agent,
  departments,
  problems,
  notice,
  self,
}: {
  csrf: string;
  agent: AgentSummary;
  departments: DepartmentChoice[];
  problems: FieldProblem[];
  notice: string | null;
  self: boolean;
}) {
  const base = `/backoffice/admin/agents/${agent.id}`;
  return (
    <div class="admin-page auth-page">
      <ErrorSummary problems={problems} />
      <Notice text={notice} />
      <p>
        <a href="/backoffice/admin">Retour à l’administration</a>
      </p>
      <h1>{agent.name}</h1>
      <dl class="auth-summary">
        <dt>Adresse électronique</dt>
        <dd>{agent.email}</dd>
        <dt>État</dt>
        <dd>{agent.isActive ? 'actif' : 'désactivé'}</dd>
        <dt>Double authentification</dt>
        <dd>{agent.totpEnabled ? 'activée' : 'non activée'}</dd>
        <dt>ProConnect</dt>
        <dd>{agent.proConnectBound ? 'identité ProConnect associée' : 'pas encore utilisé'}</dd>
        <dt>Dernière connexion</dt>
        <dd>{when(agent.lastSignInAt)}</dd>
      </dl>
      <h2>Rôles</h2>
      <form method="post" action={`${base}/roles`} class="auth-form">
        <Csrf value={csrf} />
        <RolesFieldset departments={departments} roles={new Map(agent.roles.map((r) => [r.departmentId, r.role]))} problems={problems} />
        <button type="submit">Enregistrer les rôles</button>
      </form>
      <h2>Sécurité du compte</h2>
      <div class="admin-actions">
        {self ? null : (
          <form method="post" action={`${base}/${agent.isActive ? 'desactiver' : 'reactiver'}`}>
            <Csrf value={csrf} />
            <button type="submit">{agent.isActive ? 'Désactiver le compte (ferme ses sessions)' : 'Réactiver le compte'}</button>
          </form>
        )}
        {agent.totpEnabled ? (
          <form method="post" action={`${base}/reinitialiser-double-authentification`}>
            <Csrf value={csrf} />
            <button type="submit">Réinitialiser la double authentification</button>
          </form>
        ) : null}
        <form method="post" action={`${base}/reinitialiser-mot-de-passe`}>
          <Csrf value={csrf} />
          <button type="submit">Donner un nouveau mot de passe provisoire</button>
        </form>
      </div>
    </div>
  );
}
