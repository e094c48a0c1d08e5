import type { FastifyRequest } from 'fastify';
import type { App } from '../../http/context.js';
import { cachedConfiguration } from '../../configuration/cache.js';
import { organisationRepository } from '../../organisations/repository.js';
import { byCategory, onlineCatalogue } from '../catalogue.js';
import { portalOrganisation, sendPortalPage } from '../page.js';
import { legalContent, type LegalContent } from './content.js';
import { appIcon, serviceWorkerSource, webManifest } from './pwa.js';
import { AccessibilityPage } from './views/accessibility.js';
import { LegalNoticePage, TermsPage } from './views/notices.js';
import { PersonalDataPage } from './views/personal-data.js';
import { OfflinePage, SiteMapPage } from './views/site-map.js';

const hidden = { hide: true };

/** Legal pages (accessibility statement, legal notice, personal data, terms of use, site map) and the installable app (manifest, service worker, offline page). */
export async function legalRoutes(app: App): Promise<void> {
  const db = () => app.ctx.db.kysely;
  const serviceWorker = serviceWorkerSource();

  /** The town's legal content: its settings over the defaults, with its own contacts. */
  async function contentOf(request: FastifyRequest): Promise<LegalContent> {
    const org = await portalOrganisation(request);
    const row = org.id === null ? undefined : await cachedConfiguration(db(), `portal:legal-town:${org.id}`, () => organisationRepository.findById(db(), org.id!));
    const town = { name: org.name, address: row?.address ?? null, email: row?.email ?? null, phone: row?.phone ?? null, siren: row?.siren ?? null, website: row?.website ?? null };
    return legalContent(town, org.legal);
  }

  app.get('/accessibilite', { schema: hidden }, async (request, reply) =>
    sendPortalPage(request, reply, { title: 'Déclaration d’accessibilité', body: <AccessibilityPage content={await contentOf(request)} siteUrl={app.ctx.config.publicUrl} /> }),
  );

  app.get('/mentions-legales', { schema: hidden }, async (request, reply) =>
    sendPortalPage(request, reply, { title: 'Mentions légales', body: <LegalNoticePage content={await contentOf(request)} /> }),
  );

  app.get('/donnees-personnelles', { schema: hidden }, async (request, reply) =>
    sendPortalPage(request, reply, { title: 'Données personnelles', body: <PersonalDataPage content={await contentOf(request)} /> }),
  );

  app.get('/conditions-utilisation', { schema: hidden }, async (request, reply) =>
    sendPortalPage(request, reply, { title: 'Conditions d’utilisation', body: <TermsPage content={await contentOf(request)} /> }),
  );

  app.get('/plan-du-site', { schema: hidden }, async (request, reply) => {
    const org = await portalOrganisation(request);
    const entries = org.id === null ? [] : await onlineCatalogue(db(), org.id);
    return sendPortalPage(request, reply, { title: 'Plan du site', body: <SiteMapPage categories={byCategory(entries)} /> });
  });

  app.get('/hors-ligne', { schema: hidden }, async (request, reply) => {
    const org = await portalOrganisation(request);
    return sendPortalPage(request, reply, { title: 'Hors ligne', body: <OfflinePage organisationName={org.name} /> });
  });

  app.get('/manifest.webmanifest', { schema: hidden }, async (request, reply) => {
    const org = await portalOrganisation(request);
    return reply.type('application/manifest+json; charset=utf-8').header('cache-control', 'public, max-age=3600').send(JSON.stringify(webManifest(org)));
  });

  for (const [url, maskable] of [
    ['/icone.svg', false],
    ['/icone-masquable.svg', true],
  ] as const) {
    app.get(url, { schema: hidden }, async (request, reply) => {
      const org = await portalOrganisation(request);
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(appIcon(org, maskable));
    });
  }

  // At the root, not under /assets: a service worker only controls the pages below its own URL.
  app.get('/sw.js', { schema: hidden }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(serviceWorker),
  );
}
