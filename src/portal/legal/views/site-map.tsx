import type { CatalogueEntry } from '../../catalogue.js';

interface Link {
  href: string;
  label: string;
}

const PUBLIC_PAGES: Link[] = [
  { href: '/', label: 'Accueil : toutes les démarches' },
  { href: '/suivi', label: 'Suivre une demande avec son code' },
];

const ACCOUNT_PAGES: Link[] = [
  { href: '/connexion', label: 'Se connecter' },
  { href: '/inscription', label: 'Créer un compte' },
  { href: '/mot-de-passe-oublie', label: 'Mot de passe oublié' },
];

const SPACE_PAGES: Link[] = [
  { href: '/mon-espace', label: 'Mon espace' },
  { href: '/mes-demandes', label: 'Mes demandes' },
  { href: '/mes-brouillons', label: 'Mes brouillons' },
  { href: '/mon-espace/profil', label: 'Mon profil' },
  { href: '/mon-espace/foyer', label: 'Mon foyer' },
  { href: '/mon-espace/documents', label: 'Mes documents' },
  { href: '/mon-espace/notifications', label: 'Mes préférences de notification' },
  { href: '/mon-espace/mes-donnees', label: 'Mes données' },
  { href: '/mon-compte/connexions', label: 'Mes connexions' },
  { href: '/mon-compte/mot-de-passe', label: 'Changer mon mot de passe' },
  { href: '/mon-espace/supprimer-mon-compte', label: 'Supprimer mon compte' },
];

const LEGAL_PAGES: Link[] = [
  { href: '/accessibilite', label: 'Déclaration d’accessibilité' },
  { href: '/mentions-legales', label: 'Mentions légales' },
  { href: '/donnees-personnelles', label: 'Données personnelles' },
  { href: '/conditions-utilisation', label: 'Conditions d’utilisation' },
  { href: '/plan-du-site', label: 'Plan du site' },
];

/** Plan du site: every public page, the account pages, and the online procedures by category. */
export function SiteMapPage({ categories }: { categories: [string, CatalogueEntry[]][] }) {
  return (
    <article class="legal site-map">
      <h1>Plan du site</h1>
      <LinkSection id="plan-public" title="Pages principales" links={PUBLIC_PAGES} />
      <section aria-labelledby="plan-demarches">
        <h2 id="plan-demarches">Démarches en ligne</h2>
        {categories.length === 0 ? <p>Aucune démarche n’est en ligne pour le moment.</p> : null}
        {categories.map(([category, entries], i) => (
          <section aria-labelledby={`plan-categorie-${i}`}>
            <h3 id={`plan-categorie-${i}`}>{category}</h3>
            <ul>
              {entries.map((e) => (
                <li>
                  <a href={`/demarches/${encodeURIComponent(e.slug)}`}>{e.title}</a>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </section>
      <LinkSection id="plan-compte" title="Compte" links={ACCOUNT_PAGES} />
      <LinkSection id="plan-espace" title="Espace personnel (après connexion)" links={SPACE_PAGES} />
      <LinkSection id="plan-legal" title="Informations légales" links={LEGAL_PAGES} />
    </article>
  );
}

function LinkSection({ id, title, links }: { id: string; title: string; links: Link[] }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul>
        {links.map((l) => (
          <li>
            <a href={l.href}>{l.label}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The page the service worker shows when a page cannot be reached without a network. */
export function OfflinePage({ organisationName }: { organisationName: string }) {
  return (
    <>
      <h1>Vous êtes hors ligne</h1>
      <p>Cette page n’a pas pu être chargée : votre appareil ne semble pas connecté à internet.</p>
      <p>Vérifiez votre connexion (Wi-Fi ou données mobiles), puis réessayez. Les étapes d’un formulaire que vous avez déjà validées restent enregistrées dans votre brouillon.</p>
      <p>
        <a href="/">Revenir aux démarches de {organisationName}</a>
      </p>
    </>
  );
}
