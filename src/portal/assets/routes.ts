import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { App } from '../../http/context.js';

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Files shipped with packages we serve ourselves: nothing is fetched from a CDN. */
const VENDOR: Record<string, string> = {
  'htmx.min.js': require.resolve('htmx.org/dist/htmx.min.js'),
  'leaflet.js': require.resolve('leaflet/dist/leaflet.js'),
  'leaflet.css': require.resolve('leaflet/dist/leaflet.css'),
};

/**
 * The portal's static files, read once at start: `/assets/portal.css` and `/assets/portal.js`
 * bundle every `*.css` and every `*.client.js` of this folder (one file per feature, one request
 * per page), other files are served by name (images; the service worker is served at /sw.js by the
 * legal routes, for its scope), and vendored libraries
 * live under `/assets/vendor/`.
 */
export async function portalAssetRoutes(app: App): Promise<void> {
  const files = new Map<string, { type: string; body: Buffer }>();
  const names = fs.readdirSync(here).sort();
  const bundle = (suffix: string) => Buffer.from(names.filter((n) => n.endsWith(suffix)).map((n) => fs.readFileSync(path.join(here, n), 'utf8')).join('\n'));
  files.set('/assets/portal.css', { type: TYPES['.css']!, body: bundle('.css') });
  files.set('/assets/portal.js', { type: TYPES['.js']!, body: bundle('.client.js') });
  for (const name of names) {
    const type = TYPES[path.extname(name)];
    if (type && !name.endsWith('.css') && !name.endsWith('.client.js') && name !== 'routes.ts' && name !== 'sw.js') files.set(`/assets/${name}`, { type, body: fs.readFileSync(path.join(here, name)) });
  }
  for (const [name, file] of Object.entries(VENDOR)) {
    files.set(`/assets/vendor/${name}`, { type: TYPES[path.extname(name)]!, body: fs.readFileSync(file) });
  }
  for (const [url, file] of files) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(file.type).header('cache-control', 'public, max-age=3600').send(file.body),
    );
  }
}
