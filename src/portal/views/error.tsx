import type { Problem } from '../../http/problem.js';

/** An error as a page: what happened in plain words, and where to go from here. */
export function ErrorPage({ problem }: { problem: Problem }) {
  if (problem.status === 404) {
    return (
      <>
        <h1>Page introuvable</h1>
        <p>Cette page n’existe pas ou n’est plus en ligne. Vérifiez l’adresse, ou retrouvez votre démarche parmi toutes celles de la mairie.</p>
        <p>
          <a href="/">Toutes les démarches</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>{problem.status >= 500 ? 'Le service rencontre un problème' : 'Cette action n’a pas pu aboutir'}</h1>
      <p>{problem.detail ?? problem.title}</p>
      {problem.errors && problem.errors.length > 0 ? (
        <ul>
          {problem.errors.map((e) => (
            <li>{e.message}</li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/">Revenir à l’accueil</a>
      </p>
    </>
  );
}
