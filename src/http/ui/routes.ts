import fs from 'node:fs';
import type { App } from '../context.js';

const stylesheet = fs.readFileSync(new URL('./guichet.css', import.meta.url), 'utf8');

/** The design system's assets, served by the app itself (no CDN: nothing is fetched elsewhere). */
export async function uiAssetRoutes(app: App): Promise<void> {
  app.get('/assets/guichet.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
}
