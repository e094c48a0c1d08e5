import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderPage } from '../http/ui/layout.js';
import { organisationRepository } from '../organisations/repository.js';
import { cachedConfiguration } from '../configuration/cache.js';
import { citizenSessionOf, csrfToken, type CitizenSession } from './session.js';

/** The town the portal serves, with what its pages show of it. */
export interface PortalOrganisation {
  id: number | null;
  name: string;
  brandColor: string | null;
  logoUrl: string | null;
  /** Legal pages' content (`organisations.legal`), parsed; `{}` until the town fills it in. */
  legal: OrganisationLegal;
}

/** What the town states on its legal pages; every key is optional and has a sensible default. */
export interface OrganisationLegal {
  /** RGAA compliance of the portal: `non`, `partiellement` or `totalement` conforme. */
  accessibilityStatus?: 'non' | 'partiellement' | 'totalement';
  [key: string]: unknown;
}

export const ACCESSIBILITY_LABEL = { non: 'non conforme', partiellement: 'partiellement conforme', totalement: 'totalement conforme' } as const;

/** The portal's organisation (the first one: one town per installation), cached with the configuration. */
export async function portalOrganisation(request: FastifyRequest): Promise<PortalOrganisation> {
  const db = request.server.ctx.db.kysely;
  return cachedConfiguration(db, 'portal:organisation', async () => {
    const found = await organisationRepository.findDefault(db);
    const branding = (found?.branding ? JSON.parse(found.branding) : {}) as { primaryColor?: string; logoUrl?: string };
    const legal = (found?.legal ? JSON.parse(found.legal) : {}) as OrganisationLegal;
    return { id: found?.id ?? null, name: found?.name ?? 'Guichet', brandColor: branding.primaryColor ?? null, logoUrl: branding.logoUrl ?? null, legal };
  });
}

export interface PortalPageOptions {
  title: string;
  body: ComponentChildren;
  status?: number;
  /** Extra head elements (a page's own script). */
  head?: ComponentChildren;
  /** `no-store` for a page that is a key to private data (a tracking code's page). */
  cacheControl?: string;
}

/** What every portal view may need besides its data: the session and the form CSRF value. */
export interface PortalRequestContext {
  organisation: PortalOrganisation;
  session: CitizenSession | null;
  csrf: string;
}

/** Session, organisation and CSRF value of a portal request. */
export async function portalContext(request: FastifyRequest, reply: FastifyReply): Promise<PortalRequestContext> {
  const [organisation, session] = await Promise.all([portalOrganisation(request), citizenSessionOf(request)]);
  return { organisation, session, csrf: csrfToken(request, reply) };
}

/**
 * Sends a portal page: the town's header with the account menu, the content, and the footer with
 * the legal links every page must carry (and the accessibility compliance mention).
 */
export async function sendPortalPage(request: FastifyRequest, reply: FastifyReply, options: PortalPageOptions): Promise<FastifyReply> {
  const { organisation, session, csrf } = await portalContext(request, reply);
  const page = renderPage(
    {
      title: options.title,
      organisationName: organisation.name,
      section: 'portal',
      brandColor: organisation.brandColor,
      head: (
        <>
          <meta name="theme-color" content={organisation.brandColor ?? '#1d4f91'} />
          <link rel="manifest" href="/manifest.webmanifest" />
          <link rel="stylesheet" href="/assets/portal.css" />
          <script src="/assets/portal.js" defer></script>
          {options.head}
        </>
      ),
      nav: <PortalNav session={session} csrf={csrf} />,
      footer: <PortalFooter organisation={organisation} />,
    },
    options.body,
  );
  return reply
    .status(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('cache-control', options.cacheControl ?? (session ? 'private, no-store' : 'no-cache'))
    .send(page);
}

function PortalNav({ session, csrf }: { session: CitizenSession | null; csrf: string }) {
  return (
    <ul class="nav-links">
      <li>
        <a href="/">Démarches</a>
      </li>
      {session ? (
        <>
          <li>
            <a href="/mes-demandes">Mes demandes</a>
          </li>
          <li>
            <a href="/mon-espace">Mon espace</a>
          </li>
          <li>
            <form method="post" action="/deconnexion" class="inline-form">
              <input type="hidden" name="_csrf" value={csrf} />
              <button type="submit" class="link-button">
                Se déconnecter
              </button>
            </form>
          </li>
        </>
      ) : (
        <>
          <li>
            <a href="/suivi">Suivre une demande</a>
          </li>
          <li>
            <a href="/connexion">Se connecter</a>
          </li>
        </>
      )}
    </ul>
  );
}

function PortalFooter({ organisation }: { organisation: PortalOrganisation }) {
  const status = organisation.legal.accessibilityStatus ?? 'non';
  return (
    <>
      <ul class="footer-links">
        <li>
          <a href="/accessibilite">Accessibilité : {ACCESSIBILITY_LABEL[status] ?? ACCESSIBILITY_LABEL.non}</a>
        </li>
        <li>
          <a href="/mentions-legales">Mentions légales</a>
        </li>
        <li>
          <a href="/donnees-personnelles">Données personnelles</a>
        </li>
        <li>
          <a href="/conditions-utilisation">Conditions d’utilisation</a>
        </li>
        <li>
          <a href="/plan-du-site">Plan du site</a>
        </li>
      </ul>
      <p>
        {organisation.name} — service en ligne propulsé par Guichet, logiciel libre (AGPL-3.0-or-later)
      </p>
    </>
  );
}
