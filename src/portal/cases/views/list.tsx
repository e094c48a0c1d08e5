import type { MyCasesPage } from '../service.js';
import { formatDate, formatDateTime } from './dates.js';

const FILTERS = [
  { state: 'all', label: 'Toutes', query: '' },
  { state: 'open', label: 'En cours', query: '?etat=en-cours' },
  { state: 'closed', label: 'Terminées', query: '?etat=terminees' },
] as const;

/** « Mes demandes »: every case the citizen follows, newest first, fifty a page. */
export function MyCasesListPage({ page, timezone }: { page: MyCasesPage; timezone: string }) {
  const filter = FILTERS.find((f) => f.state === page.state) ?? FILTERS[0];
  const nextHref = page.next ? `/mes-demandes?${page.state === 'all' ? '' : `etat=${page.state === 'open' ? 'en-cours' : 'terminees'}&`}apres=${page.next}` : null;
  return (
    <div class="my-cases">
      <h1>Mes demandes</h1>
      <p>
        Vos demandes et celles des membres de votre foyer, quelle que soit la façon dont vous les avez faites (en ligne, par téléphone, au
        guichet…). Les demandes commencées et pas encore envoyées sont dans <a href="/mes-brouillons">Mes brouillons</a>.
      </p>
      <nav aria-label="Filtrer les demandes">
        <ul class="my-cases-filters">
          {FILTERS.map((f) => (
            <li>
              <a href={`/mes-demandes${f.query}`} {...(f.state === page.state ? { 'aria-current': 'page' } : {})}>
                {f.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {page.items.length === 0 ? (
        <p class="notice">{page.state === 'all' ? 'Vous n’avez encore aucune demande.' : `Aucune demande ${filter.label.toLowerCase()}.`}</p>
      ) : (
        <ul class="my-cases-list">
          {page.items.map((item) => (
            <li>
              <h2>
                <a href={`/demandes/${item.reference}`}>{item.title}</a>
              </h2>
              {item.status.awaitingCitizen ? (
                <p>
                  <strong class="my-cases-badge">Action attendue de votre part</strong>
                  {item.replyBy ? <> — à faire avant le {formatDate(item.replyBy, timezone)}</> : null}
                </p>
              ) : null}
              <dl class="my-cases-facts">
                <div>
                  <dt>Dossier</dt>
                  <dd>{item.reference}</dd>
                </div>
                {item.subject !== item.title ? (
                  <div>
                    <dt>Objet</dt>
                    <dd>{item.subject}</dd>
                  </div>
                ) : null}
                {item.ownerName ? (
                  <div>
                    <dt>Pour</dt>
                    <dd>{item.ownerName}</dd>
                  </div>
                ) : null}
                <div>
                  <dt>État</dt>
                  <dd>{item.status.label}</dd>
                </div>
                <div>
                  <dt>Reçue le</dt>
                  <dd>{formatDateTime(item.receivedAt, timezone)}</dd>
                </div>
                <div>
                  <dt>Canal</dt>
                  <dd>{item.channel}</dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      )}
      {nextHref ? (
        <p>
          <a href={nextHref}>Demandes plus anciennes</a>
        </p>
      ) : null}
    </div>
  );
}
