import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';

export interface PageFrame {
  /** The page's own title; the organisation's name is appended. */
  title: string;
  organisationName: string;
  /** Where the page belongs, for the header's navigation and the skip link target. */
  section?: 'admin' | 'dev' | 'portal' | 'backoffice';
  /** Links shown in the header, e.g. sign-out. */
  nav?: ComponentChildren;
  /** The town's colour (#rrggbb) for the header and links; anything else is ignored. */
  brandColor?: string | null;
  /** Extra elements for the head (manifest, scripts of the section). */
  head?: ComponentChildren;
  /** The footer's content; the default names the software and its licence. */
  footer?: ComponentChildren;
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/**
 * The HTML shell of every page: French language, skip link, landmarks, one stylesheet. Pages work
 * without JavaScript; htmx enhances them where they opt in.
 */
export function Layout({ frame, children }: { frame: PageFrame; children: ComponentChildren }) {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${frame.title} — ${frame.organisationName}`}</title>
        <link rel="stylesheet" href="/assets/guichet.css" />
        {/* A stylesheet, not a <style> element: the Content-Security-Policy allows no inline style. */}
        {frame.brandColor && HEX_COLOUR.test(frame.brandColor) ? <link rel="stylesheet" href={`/assets/couleur/${frame.brandColor.slice(1).toLowerCase()}.css`} /> : null}
        {frame.head}
      </head>
      <body>
        <a class="skip-link" href="#contenu">
          Aller au contenu
        </a>
        <header class="site-header">
          <p class="site-name">
            {frame.organisationName}
            {frame.section === 'admin' ? ' — administration' : frame.section === 'backoffice' ? ' — espace agents' : frame.section === 'dev' ? ' — outils de développement' : ''}
          </p>
          {frame.nav ? <nav aria-label="Menu principal">{frame.nav}</nav> : null}
        </header>
        <main id="contenu" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">{frame.footer ?? <p>Guichet — logiciel libre (AGPL-3.0-or-later)</p>}</footer>
      </body>
    </html>
  );
}

/** A whole page as an HTML string. */
export function renderPage(frame: PageFrame, body: ComponentChildren): string {
  return `<!doctype html>\n${render(<Layout frame={frame}>{body}</Layout>)}`;
}

export interface FieldProblem {
  /** The id of the input the message is about; the summary links to it. */
  target: string;
  message: string;
}

/**
 * The error summary at the top of a form (GOV.UK / DSFR pattern): announced on load, each message
 * linking to the field at fault.
 */
export function ErrorSummary({ problems, title = 'Le formulaire contient des erreurs' }: { problems: FieldProblem[]; title?: string }) {
  if (problems.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {problems.map((p) => (
          <li>
            <a href={`#${p.target}`}>{p.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
