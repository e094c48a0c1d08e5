import type { App } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { problems } from '../http/schemas.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository, type Procedure } from './repository.js';
import { ProcedureListSchema, ProcedureSchema, SlugParams, type ProcedureSummary } from './schema.js';

/**
 * The public catalogue of procedures open online, with their form definitions: portals, mobile
 * apps and integrations read it to render forms and post cases. Nothing here is personal data.
 */
export async function procedureRoutes(app: App): Promise<void> {
  app.get(
    '/api/v1/procedures',
    {
      schema: {
        tags: ['Démarches'],
        summary: 'Lister les démarches ouvertes en ligne',
        security: [],
        response: { 200: ProcedureListSchema },
      },
    },
    async (request) => {
      const organisation = await organisationRepository.findDefault(app.ctx.db.kysely);
      if (!organisation) return { items: [] };
      const items = await procedureRepository.list(app.ctx.db.kysely, organisation.id, { onlineOnly: true });
      request.log.debug({ count: items.length }, 'procedures listed');
      return { items: items.map(summary) };
    },
  );

  app.get(
    '/api/v1/procedures/:slug',
    {
      schema: {
        tags: ['Démarches'],
        summary: 'Lire une démarche et sa définition de formulaire',
        security: [],
        params: SlugParams,
        response: { 200: ProcedureSchema, ...problems(404) },
      },
    },
    async (request) => {
      const db = app.ctx.db.kysely;
      const organisation = await organisationRepository.findDefault(db);
      const procedure = organisation ? await procedureRepository.findBySlug(db, organisation.id, request.params.slug) : undefined;
      if (!procedure || !procedure.isOnline) throw notFound(`Aucune démarche « ${request.params.slug} ».`);
      const department = await organisationRepository.findDepartment(db, procedure.departmentId);
      return { ...summary(procedure), department: { id: procedure.departmentId, name: department?.name ?? '' }, form: procedure.form };
    },
  );
}

function summary(p: Procedure): ProcedureSummary {
  return {
    slug: p.slug,
    title: p.title,
    category: p.category,
    description: p.description,
    allowAnonymous: p.allowAnonymous,
    isLocated: p.isLocated,
    target: p.target,
    silence: p.silence,
  };
}
