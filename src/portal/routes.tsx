import type { App } from '../http/context.js';
import { byCategory, catalogueEntry, LIFE_EVENTS, onlineCatalogue, searchCatalogue } from './catalogue.js';
import { HomePage } from './views/home.js';
import { NotFoundPage } from './views/not-found.js';
import { ProcedurePage } from './views/procedure.js';
import { SearchPage } from './views/search.js';
import { TrackedCasePage, TrackingFormPage } from './views/tracking.js';
import { trackCase } from './tracking.js';
import { normaliseTrackingCode } from '../cases/codes.js';
import { organisationRepository } from '../organisations/repository.js';
import { portalOrganisation, sendPortalPage } from './page.js';
import { formStartOf } from './forms/routes.js';

const hidden = { hide: true };
const MAX_QUERY = 200;

/** The citizen portal's public pages: the catalogue, search, a page per procedure, and tracking by code. */
export async function portalRoutes(app: App): Promise<void> {
  const db = () => app.ctx.db.kysely;

  app.get('/', { schema: hidden }, async (request, reply) => {
    const org = await portalOrganisation(request);
    const entries = org.id === null ? [] : await onlineCatalogue(db(), org.id);
    return sendPortalPage(request, reply, {
      title: 'Démarches en ligne',
      body: <HomePage organisationName={org.name} lifeEvents={LIFE_EVENTS} categories={byCategory(entries)} />,
    });
  });

  app.get('/recherche', { schema: hidden }, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>)['q'];
    const query = (typeof raw === 'string' ? raw : '').trim().slice(0, MAX_QUERY);
    if (!query) return reply.redirect('/', 303);
    const org = await portalOrganisation(request);
    const entries = org.id === null ? [] : await onlineCatalogue(db(), org.id);
    return sendPortalPage(request, reply, { title: `Recherche : ${query}`, body: <SearchPage query={query} results={searchCatalogue(entries, query)} /> });
  });

  app.get('/suivi', { schema: hidden }, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>)['code'];
    const code = typeof raw === 'string' ? raw.trim().slice(0, 40) : '';
    if (!code) return sendPortalPage(request, reply, { title: 'Suivre une demande', body: <TrackingFormPage code="" notFound={false} /> });
    const canonical = normaliseTrackingCode(code);
    if (canonical && (await trackCase(db(), canonical))) return reply.redirect(`/suivi/${canonical}`, 303);
    return sendPortalPage(request, reply, { status: 404, title: 'Erreur — suivre une demande', body: <TrackingFormPage code={code} notFound /> });
  });

  app.get('/suivi/:code', { schema: hidden }, async (request, reply) => {
    const tracked = await trackCase(db(), (request.params as { code: string }).code.slice(0, 40));
    if (!tracked) return sendPortalPage(request, reply, { status: 404, title: 'Erreur — suivre une demande', body: <TrackingFormPage code="" notFound /> });
    // The code is a key to the case: keep the page out of caches and referrers.
    void reply.header('referrer-policy', 'no-referrer');
    return sendPortalPage(request, reply, {
      title: `Dossier ${tracked.reference}`,
      body: <TrackedCasePage tracked={tracked} timezone={app.ctx.config.TIMEZONE} />,
      cacheControl: 'no-store',
    });
  });

  app.get('/demarches/:slug', { schema: hidden }, async (request, reply) => {
    const org = await portalOrganisation(request);
    const slug = (request.params as { slug: string }).slug;
    const entry = org.id === null ? undefined : await catalogueEntry(db(), org.id, slug);
    if (!entry) return sendPortalPage(request, reply, { status: 404, title: 'Page introuvable', body: <NotFoundPage /> });
    const department = await organisationRepository.findDepartment(db(), entry.departmentId);
    const start = await formStartOf(request, reply, org.id!, slug);
    return sendPortalPage(request, reply, { title: entry.title, body: <ProcedurePage entry={entry} department={department ?? null} start={start} /> });
  });
}
