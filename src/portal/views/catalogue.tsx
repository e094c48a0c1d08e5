import type { CatalogueEntry } from '../catalogue.js';

export function SearchForm({ query }: { query: string }) {
  return (
    <form method="get" action="/recherche" role="search" class="search">
      <label for="q">Rechercher une démarche</label>
      <p class="hint" id="q-hint">
        Par exemple : acte de naissance, inscription scolaire, nid-de-poule.
      </p>
      <input type="search" id="q" name="q" value={query} maxLength={200} aria-describedby="q-hint" autocomplete="off" />
      <button type="submit">Rechercher</button>
    </form>
  );
}

export function EntryList({ entries }: { entries: readonly CatalogueEntry[] }) {
  return (
    <ul class="procedure-list">
      {entries.map((e) => (
        <li>
          <a href={`/demarches/${e.slug}`}>{e.title}</a>
          <p class="hint">{e.description}</p>
        </li>
      ))}
    </ul>
  );
}
