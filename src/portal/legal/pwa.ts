/**
 * The installable app: web app manifest, SVG icons in the town's colour, and the service worker
 * (src/portal/assets/sw.js) stamped with a version that changes whenever the portal's assets do,
 * so a new release empties the old caches.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const ASSETS = path.join(here, '..', 'assets');
/** The design system's stylesheet, cached by the service worker with the portal's own assets. */
const BASE_STYLESHEET = path.join(here, '..', '..', 'http', 'ui', 'guichet.css');
const DEFAULT_COLOUR = '#1d4f91';
const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

export const colourOf = (brandColor: string | null) => (brandColor && HEX_COLOUR.test(brandColor) ? brandColor : DEFAULT_COLOUR);

/** The manifest that makes the portal installable (lang fr, opens on the home page, standalone). */
export function webManifest(organisation: { name: string; brandColor: string | null }) {
  const colour = colourOf(organisation.brandColor);
  return {
    lang: 'fr',
    dir: 'ltr',
    name: `Démarches en ligne — ${organisation.name}`,
    short_name: organisation.name.length <= 12 ? organisation.name : 'Démarches',
    description: `Les démarches en ligne de ${organisation.name} : faire une demande et la suivre.`,
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: colour,
    background_color: '#ffffff',
    icons: [
      { src: '/icone.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: '/icone-masquable.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
    ],
  };
}

/** Up to two initials of the town's name, skipping "Ville", "de", "la"…: "Ville de Démo" → "D". */
export function initialsOf(name: string): string {
  const skip = new Set(['ville', 'commune', 'mairie', 'de', 'du', 'des', 'la', 'le', 'les', 'sur', 'en', 'et']);
  const words = name.split(/[\s'’-]+/).filter((w) => w && !skip.has(w.toLowerCase()));
  const letters = (words.length > 0 ? words : [name]).slice(0, 2).map((w) => w.charAt(0).toLocaleUpperCase('fr-FR'));
  return letters.join('').replace(/[<>&"']/g, '') || 'G';
}

/**
 * A square icon: the town's initials in white on its colour. The maskable variant fills the whole
 * square and keeps the letters inside the central safe zone (80 % circle) launchers crop to.
 */
export function appIcon(organisation: { name: string; brandColor: string | null }, maskable: boolean): string {
  const colour = colourOf(organisation.brandColor);
  const initials = initialsOf(organisation.name);
  const size = initials.length > 1 ? (maskable ? 150 : 200) : maskable ? 220 : 280;
  const background = maskable ? `<rect width="512" height="512" fill="${colour}"/>` : `<rect width="512" height="512" rx="96" fill="${colour}"/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" role="img" aria-label="${initials}">` +
    background +
    `<text x="256" y="256" dy=".35em" text-anchor="middle" font-family="system-ui, Arial, sans-serif" font-weight="700" font-size="${size}" fill="#ffffff">${initials}</text>` +
    '</svg>'
  );
}

/** The service worker's source, with its cache version: a hash of itself and of every portal asset. */
export function serviceWorkerSource(): string {
  const source = fs.readFileSync(path.join(ASSETS, 'sw.js'), 'utf8');
  const hash = createHash('sha256').update(fs.readFileSync(BASE_STYLESHEET));
  for (const name of fs.readdirSync(ASSETS).sort()) {
    if (/\.(css|js|svg|png)$/.test(name)) hash.update(name).update(fs.readFileSync(path.join(ASSETS, name)));
  }
  return source.replace('__CACHE_VERSION__', hash.digest('hex').slice(0, 12));
}
