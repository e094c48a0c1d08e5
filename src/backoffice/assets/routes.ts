import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../http/context.js';

const here = path.dirname(new URL(import.meta.url).pathname);

/**
 * The back-office's static files, read once at start: `/assets/backoffice.css` and
 * `/assets/backoffice.js` bundle every `*.css` and `*.client.js` of this folder, one file per
 * feature (inbox, case page, shortcuts…), so a page costs one request of each. htmx is served
 * by the portal's assets (`/assets/vendor/htmx.min.js`).
 */
export async function backofficeAssetRoutes(app: App): Promise<void> {
  const names = fs.readdirSync(here).sort();
  const bundle = (suffix: string) => Buffer.from(names.filter((n) => n.endsWith(suffix)).map((n) => fs.readFileSync(path.join(here, n), 'utf8')).join('\n'));
  // Back-office pages render the portal's form fields and answers (a request registered on a
  // citizen's behalf, a case's data): their styles come first, from the one file that defines them.
  const portalForms = fs.readFileSync(path.join(here, '../../portal/assets/forms.css'), 'utf8');
  const files = new Map([
    ['/assets/backoffice.css', { type: 'text/css; charset=utf-8', body: Buffer.concat([Buffer.from(`${portalForms}\n`), bundle('.css')]) }],
    ['/assets/backoffice.js', { type: 'text/javascript; charset=utf-8', body: bundle('.client.js') }],
  ]);
  for (const [url, file] of files) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => reply.type(file.type).header('cache-control', 'public, max-age=3600').send(file.body));
  }
}
