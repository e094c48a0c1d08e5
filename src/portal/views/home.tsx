import type { CatalogueEntry } from '../catalogue.js';
import { EntryList, SearchForm } from './catalogue.js';

export interface HomeProps {
  organisationName: string;
  lifeEvents: readonly { label: string; query: string }[];
  categories: [string, CatalogueEntry[]][];
}

export function HomePage({ organisationName, lifeEvents, categories }: HomeProps) {
  return (
    <>
      <h1>Vos démarches en ligne avec {organisationName}</h1>
      <p>Faites vos demandes à la mairie à toute heure, et suivez-les jusqu’à la réponse.</p>
      <SearchForm query="" />
      <section aria-labelledby="moments">
        <h2 id="moments">Selon votre situation</h2>
        <ul class="life-events">
          {lifeEvents.map((event) => (
            <li>
              <a href={`/recherche?q=${encodeURIComponent(event.query)}`}>{event.label}</a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="toutes">
        <h2 id="toutes">Toutes les démarches</h2>
        {categories.map(([category, entries], i) => (
          <section aria-labelledby={`categorie-${i}`}>
            <h3 id={`categorie-${i}`}>{category}</h3>
            <EntryList entries={entries} />
          </section>
        ))}
      </section>
    </>
  );
}
