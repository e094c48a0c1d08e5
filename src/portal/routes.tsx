import type { FastifyReply } from 'fastify';
import type { App } from '../http/context.js';
import { renderPage, type PageFrame } from '../http/ui/layout.js';
import { organisationRepository } from '../organisations/repository.js';
import { byCategory, catalogueEntry, LIFE_EVENTS, onlineCatalogue, searchCatalogue } from './catalogue.js';
import { HomePage } from './views/home.js';
import { NotFoundPage } from './views/not-found.js';
import { ProcedurePage } from './views/procedure.js';
import { SearchPage } from './views/search.js';
import { TrackedCasePage, TrackingFormPage } from './views/tracking.js';
import { trackCase } from './tracking.js';
import { normaliseTrackingCode } from '../cases/codes.js';

const hidden = { hide: true };
const MAX_QUERY = 200;

/** The citizen portal's public pages: the catalogue, search, and a page per procedure. */
export async function portalRoutes(app: App): Promise<void> {
  const db = () => app.ctx.db.kysely;

  async function organisation() {
    const found = await organisationRepository.findDefault(db());
    const branding = (found?.branding ? JSON.parse(found.branding) : {}) as { primaryColor?: string };
    return { id: found?.id ?? null, name: found?.name ?? 'Guichet', brandColor: branding.primaryColor ?? null };
  }

  const frame = (org: Awaited<ReturnType<typeof organisation>>, title: string): PageFrame => ({
    title,
    organisationName: org.name,
    section: 'portal',
    brandColor: org.brandColor,
    nav: (
      <ul class="nav-links">
        <li>
          <a href="/">Toutes les démarches</a>
        </li>
        <li>
          <a href="/suivi">Suivre une demande</a>
        </li>
      </ul>
    ),
  });
  const html = (reply: FastifyReply, status: number, page: string) => reply.status(status).type('text/html; charset=utf-8').send(page);

  app.get('/', { schema: hidden }, async (_request, reply) => {
    const org = await organisation();
    const entries = org.id === null ? [] : await onlineCatalogue(db(), org.id);
    return html(reply, 200, renderPage(frame(org, 'Démarches en ligne'), <HomePage organisationName={org.name} lifeEvents={LIFE_EVENTS} categories={byCategory(entries)} />));
  });

  app.get('/recherche', { schema: hidden }, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>)['q'];
    const query = (typeof raw === 'string' ? raw : '').trim().slice(0, MAX_QUERY);
    if (!query) return reply.redirect('/', 303);
    const org = await organisation();
    const entries = org.id === null ? [] : await onlineCatalogue(db(), org.id);
    return html(reply, 200, renderPage(frame(org, `Recherche : ${query}`), <SearchPage query={query} results={searchCatalogue(entries, query)} />));
  });

  app.get('/suivi', { schema: hidden }, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>)['code'];
    const code = typeof raw === 'string' ? raw.trim().slice(0, 40) : '';
    const org = await organisation();
    if (!code) return html(reply, 200, renderPage(frame(org, 'Suivre une demande'), <TrackingFormPage code="" notFound={false} />));
    const canonical = normaliseTrackingCode(code);
    if (canonical && (await trackCase(db(), canonical))) return reply.redirect(`/suivi/${canonical}`, 303);
    return html(reply, 404, renderPage(frame(org, 'Erreur — suivre une demande'), <TrackingFormPage code={code} notFound />));
  });

  app.get('/suivi/:code', { schema: hidden }, async (request, reply) => {
    const org = await organisation();
    const tracked = await trackCase(db(), (request.params as { code: string }).code.slice(0, 40));
    if (!tracked) return html(reply, 404, renderPage(frame(org, 'Erreur — suivre une demande'), <TrackingFormPage code="" notFound />));
    // The code is a key to the case: keep the page out of caches and referrers.
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    return html(reply, 200, renderPage(frame(org, `Dossier ${tracked.reference}`), <TrackedCasePage tracked={tracked} timezone={app.ctx.config.TIMEZONE} />));
  });

  app.get('/demarches/:slug', { schema: hidden }, async (request, reply) => {
    const org = await organisation();
    const slug = (request.params as { slug: string }).slug;
    const entry = org.id === null ? undefined : await catalogueEntry(db(), org.id, slug);
    if (!entry) return html(reply, 404, renderPage(frame(org, 'Page introuvable'), <NotFoundPage />));
    const department = await organisationRepository.findDepartment(db(), entry.departmentId);
    return html(reply, 200, renderPage(frame(org, entry.title), <ProcedurePage entry={entry} department={department ?? null} />));
  });
}
