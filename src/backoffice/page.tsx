import type { ComponentChildren } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderPage } from '../http/ui/layout.js';
import { portalOrganisation } from '../portal/page.js';
import { CALL_EVENTS_URL } from './calls/service.js';
import { CallPopRegion } from './calls/views.js';
import { mentionRepository } from './mentions/repository.js';
import type { AgentScope } from './policy.js';
import type { AgentSession } from './session.js';

/** htmx's settings for a strict Content-Security-Policy (read from the meta tag when it loads). */
export const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false });

/** Where a page sits in the back-office menu, to mark the current entry. */
export type BackofficeSection = 'inbox' | 'dashboard' | 'citizens' | 'new-request' | 'calls' | 'mail' | 'templates' | 'admin' | 'account' | 'mentions' | 'none';

export interface BackofficePageOptions {
  title: string;
  body: ComponentChildren;
  /** The signed-in agent; null on the sign-in pages. */
  session: AgentSession | null;
  /** Their scope, to show only the menu entries they may use. */
  scope?: AgentScope | null;
  section?: BackofficeSection;
  status?: number;
  /** Extra head elements (a page's own script). */
  head?: ComponentChildren;
}

/**
 * Sends a back-office page: the town's header with the agents' menu, the content. Pages show
 * personal data: never cached, never indexed.
 */
export async function sendBackofficePage(request: FastifyRequest, reply: FastifyReply, options: BackofficePageOptions): Promise<FastifyReply> {
  // Unread mentions are counted on every page so the menu tells an agent a colleague needs them.
  const [organisation, unreadMentions] = await Promise.all([
    portalOrganisation(request),
    options.session ? mentionRepository.countUnread(request.server.ctx.db.kysely, options.session.agentId) : 0,
  ]);
  const page = renderPage(
    {
      title: options.title,
      organisationName: organisation.name,
      section: 'backoffice',
      brandColor: organisation.brandColor,
      head: (
        <>
          <meta name="robots" content="noindex, nofollow" />
          {options.session ? <meta name="csrf-token" content={options.session.csrf} /> : null}
          <link rel="stylesheet" href="/assets/backoffice.css" />
          {/* Before htmx loads: no <style> of its own (its indicator rules are in 00-backoffice.css),
              no eval of attribute code, no script run from swapped fragments — the CSP forbids all three. */}
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <script src="/assets/vendor/htmx.min.js" defer></script>
          <script src="/assets/backoffice.js" defer></script>
          {options.head}
        </>
      ),
      nav: options.session ? <BackofficeNav session={options.session} scope={options.scope ?? null} current={options.section ?? 'none'} unreadMentions={unreadMentions} /> : undefined,
      footer: <p>Guichet — espace agents — logiciel libre (AGPL-3.0-or-later)</p>,
    },
    <div class="backoffice">
      {/* Screen pops of the agent's telephone calls arrive here, live (see calls/routes.tsx). */}
      {options.session ? <CallPopRegion eventsUrl={CALL_EVENTS_URL} /> : null}
      {options.body}
    </div>,
  );
  return reply
    .status(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'private, no-store')
    .header('x-robots-tag', 'noindex')
    .send(page);
}

interface MenuEntry {
  section: BackofficeSection;
  href: string;
  label: string;
  visible: (scope: AgentScope | null) => boolean;
}

const MENU: MenuEntry[] = [
  { section: 'inbox', href: '/backoffice/dossiers', label: 'Dossiers', visible: () => true },
  { section: 'dashboard', href: '/backoffice/tableau-de-bord', label: 'Tableau de bord', visible: () => true },
  { section: 'citizens', href: '/backoffice/usagers', label: 'Usagers', visible: () => true },
  { section: 'new-request', href: '/backoffice/nouvelle-demande', label: 'Nouvelle demande', visible: () => true },
  { section: 'calls', href: '/backoffice/appels', label: 'Appels', visible: () => true },
  { section: 'mail', href: '/backoffice/courrier', label: 'Registre du courrier', visible: () => true },
  { section: 'templates', href: '/backoffice/modeles', label: 'Modèles de réponse', visible: () => true },
  { section: 'admin', href: '/backoffice/admin', label: 'Administration', visible: (scope) => scope?.isAdmin === true },
];

function BackofficeNav({ session, scope, current, unreadMentions }: { session: AgentSession; scope: AgentScope | null; current: BackofficeSection; unreadMentions: number }) {
  return (
    <ul class="nav-links">
      {MENU.filter((m) => m.visible(scope)).map((m) => (
        <li>
          <a href={m.href} aria-current={m.section === current ? 'page' : undefined}>
            {m.label}
          </a>
        </li>
      ))}
      <li>
        <a href="/backoffice/mentions" aria-current={current === 'mentions' ? 'page' : undefined}>
          Mentions
          {unreadMentions > 0 ? (
            <>
              {' '}
              <span class="badge">{unreadMentions}</span>
              <span class="visually-hidden"> non lue{unreadMentions > 1 ? 's' : ''}</span>
            </>
          ) : null}
        </a>
      </li>
      <li>
        <a href="/backoffice/mon-compte" aria-current={current === 'account' ? 'page' : undefined}>
          {session.name}
        </a>
      </li>
      <li>
        <form method="post" action="/backoffice/deconnexion" class="inline-form">
          <input type="hidden" name="_csrf" value={session.csrf} />
          <button type="submit" class="link-button">
            Se déconnecter
          </button>
        </form>
      </li>
    </ul>
  );
}
