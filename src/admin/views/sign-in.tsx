import { ErrorSummary, type FieldProblem } from '../../http/ui/layout.js';

export function SignInPage({ problems }: { problems: FieldProblem[] }) {
  const error = problems[0];
  return (
    <>
      <h1>Connexion à l’administration</h1>
      <ErrorSummary problems={problems} />
      <p>
        Collez un jeton d’API ayant la portée <code>workflows:write</code>. Il se crée avec la commande{' '}
        <code>guichet token create --name … --scopes workflows:write</code>.
      </p>
      <form method="post" action="/admin/connexion" novalidate>
        <label for="token">Jeton d’API</label>
        {error ? (
          <p class="field-error" id="token-error">
            <span class="sr-only">Erreur : </span>
            {error.message}
          </p>
        ) : null}
        <input
          type="password"
          id="token"
          name="token"
          autocomplete="off"
          spellcheck={false}
          required
          {...(error ? { 'aria-invalid': 'true', 'aria-describedby': 'token-error' } : {})}
        />
        <button type="submit">Se connecter</button>
      </form>
    </>
  );
}
