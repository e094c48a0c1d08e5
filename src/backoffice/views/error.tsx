import type { Problem } from '../../http/problem.js';

/** An error in the back-office: what happened, and the way back to the inbox. */
export function BackofficeErrorPage({ problem }: { problem: Problem }) {
  const heading =
    problem.status === 404 ? 'Page introuvable' : problem.status === 403 ? 'Accès refusé' : problem.status >= 500 ? 'Le service rencontre un problème' : 'Cette action n’a pas pu aboutir';
  return (
    <>
      <h1>{heading}</h1>
      <p>{problem.status === 404 ? 'Ce dossier ou cette page n’existe pas, ou vous n’y avez pas accès.' : (problem.detail ?? problem.title)}</p>
      {problem.errors && problem.errors.length > 0 ? (
        <ul>
          {problem.errors.map((e) => (
            <li>{e.message}</li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/backoffice/dossiers">Revenir aux dossiers</a>
      </p>
    </>
  );
}
