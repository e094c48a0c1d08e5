import type { CatalogueEntry } from '../catalogue.js';
import { EntryList, SearchForm } from './catalogue.js';

export function SearchPage({ query, results }: { query: string; results: CatalogueEntry[] }) {
  return (
    <>
      <p>
        <a href="/">Toutes les démarches</a>
      </p>
      <h1>Recherche : « {query} »</h1>
      <SearchForm query={query} />
      <p role="status">
        {results.length === 0
          ? 'Aucune démarche ne correspond à votre recherche. Essayez un autre mot, ou parcourez toutes les démarches.'
          : `${results.length} démarche${results.length > 1 ? 's' : ''} trouvée${results.length > 1 ? 's' : ''}.`}
      </p>
      {results.length > 0 ? <EntryList entries={results} /> : null}
    </>
  );
}
