export function NotFoundPage() {
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
