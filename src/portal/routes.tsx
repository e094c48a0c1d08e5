import type { FastifyReply } from 'fastify';
import type { App } from '../http/context.js';
import { renderPage, type PageFrame } from '../http/ui/layout.js';
import { organisationRepository } from '../organisations/repository.js';
import { byCategory, LIFE_EVENTS, onlineCatalogue, searchCatalogue } from './catalogue.js';
import { HomePage } from './views/home.js';
import { NotFoundPage } from './views/not-found.js';
import { ProcedurePage } from './views/procedure.js';
import { SearchPage } from './views/search.js';

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
    nav: <a href="/">Toutes les démarches</a>,
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

  app.get('/demarches/:slug', { schema: hidden }, async (request, reply) => {
    const org = await organisation();
    const slug = (request.params as { slug: string }).slug;
    const entry = org.id === null ? undefined : (await onlineCatalogue(db(), org.id)).find((e) => e.slug === slug);
    if (!entry) return html(reply, 404, renderPage(frame(org, 'Page introuvable'), <NotFoundPage />));
    const department = await organisationRepository.findDepartment(db(), entry.departmentId);
    return html(reply, 200, renderPage(frame(org, entry.title), <ProcedurePage entry={entry} department={department ?? null} />));
  });
}
