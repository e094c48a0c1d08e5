import fs from 'node:fs';
import type { App } from '../context.js';
import { notFound } from '../errors.js';

const stylesheet = fs.readFileSync(new URL('./guichet.css', import.meta.url), 'utf8');

/** The design system's assets, served by the app itself (no CDN: nothing is fetched elsewhere). */
export async function uiAssetRoutes(app: App): Promise<void> {
  app.get('/assets/guichet.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
  // The town's colour as a stylesheet of its own (the policy forbids inline styles); the colour is
  // the file's whole content, so the file never changes: cached for a year.
  app.get('/assets/couleur/:file', { schema: { hide: true } }, async (request, reply) => {
    const colour = /^([0-9a-f]{6})\.css$/.exec((request.params as { file: string }).file)?.[1];
    if (!colour) throw notFound();
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(`:root { --brand: #${colour}; }\n`);
  });
}
