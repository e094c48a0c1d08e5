import { Type } from 'typebox';
import { CaseSchema, ReferenceParams } from '../cases/schema.js';
import { apiScope, principalOf } from '../http/auth.js';
import type { App } from '../http/context.js';
import { AppError, notFound } from '../http/errors.js';
import { problems } from '../http/schemas.js';
import { SlugParams } from '../procedures/schema.js';
import type { TokenPrincipal } from '../tokens/service.js';
import { renderWorkflowSvg } from './diagram.js';
import type { WorkflowVersion } from './repository.js';
import { AvailableTransitionsSchema, TransitionBody, TransitionParams, WorkflowVersionSchema } from './schema.js';
import { listTransitions, procedureWorkflow, publishWorkflow, runTransition, type WorkflowCaller, type WorkflowDeps } from './service.js';
import { withDecisionDay } from '../cases/service.js';

const security = [{ bearer: [] }];

/** An integration acts with the workflow role "integration", on its own organisation only. */
function callerOf(principal: TokenPrincipal): WorkflowCaller {
  return { organisationId: principal.organisationId, actor: { type: 'integration', id: `token:${principal.tokenId}` }, roles: ['integration'] };
}

/** Workflow API: what may be done on a case now, doing it, and reading or publishing a procedure's workflow. */
export async function workflowRoutes(app: App): Promise<void> {
  app.get(
    '/api/v1/cases/:reference/transitions',
    {
      onRequest: apiScope('cases:read'),
      schema: {
        tags: ['Circuits de traitement'],
        summary: 'Actions possibles maintenant sur un dossier',
        security,
        params: ReferenceParams,
        response: { 200: AvailableTransitionsSchema, ...problems(401, 403, 404, 422) },
      },
    },
    async (request) => listTransitions(app.ctx.db.kysely, callerOf(principalOf(request)), request.params.reference),
  );

  app.post(
    '/api/v1/cases/:reference/transitions/:name',
    {
      onRequest: apiScope('cases:write'),
      schema: {
        tags: ['Circuits de traitement'],
        summary: 'Faire avancer un dossier dans son circuit',
        description: 'Refusé sans rien changer si l’action n’existe pas (404), n’est pas possible depuis le statut actuel (409), n’est pas permise au rôle (403), si ses champs sont invalides (422) ou si le dossier a changé depuis expectedVersion (409).',
        security,
        params: TransitionParams,
        body: TransitionBody,
        response: { 200: CaseSchema, ...problems(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      withDecisionDay(
        await runTransition(workflowDeps(app), callerOf(principalOf(request)), {
          reference: request.params.reference,
          name: request.params.name,
          ...(request.body?.inputs !== undefined ? { inputs: request.body.inputs } : {}),
          ...(request.body?.expectedVersion !== undefined ? { expectedVersion: request.body.expectedVersion } : {}),
        }),
        app.ctx.config.TIMEZONE,
      ),
  );

  app.get(
    '/api/v1/procedures/:slug/workflow',
    {
      onRequest: apiScope('cases:read'),
      schema: { tags: ['Circuits de traitement'], summary: 'Circuit en vigueur d’une démarche', security, params: SlugParams, response: { 200: WorkflowVersionSchema, ...problems(401, 403, 404) } },
    },
    async (request) => {
      const { procedure, workflow } = await currentWorkflow(app, principalOf(request).organisationId, request.params.slug);
      return versionBody(procedure.slug, workflow);
    },
  );

  app.get(
    '/api/v1/procedures/:slug/workflow.svg',
    {
      onRequest: apiScope('cases:read'),
      schema: { tags: ['Circuits de traitement'], summary: 'Schéma du circuit (SVG)', security, params: SlugParams, response: { 200: Type.String(), ...problems(401, 403, 404) } },
    },
    async (request, reply) => {
      const { workflow } = await currentWorkflow(app, principalOf(request).organisationId, request.params.slug);
      return reply.type('image/svg+xml; charset=utf-8').send(renderWorkflowSvg(workflow.definition));
    },
  );

  app.put(
    '/api/v1/procedures/:slug/workflow',
    {
      onRequest: apiScope('workflows:write'),
      schema: {
        tags: ['Circuits de traitement'],
        summary: 'Publier une nouvelle version du circuit',
        description: 'La définition est vérifiée (statuts inconnus ou inatteignables, transitions sans rôle, variables de modèle inconnues…) ; chaque erreur indique l’endroit exact. Les dossiers en cours gardent leur version.',
        security,
        params: SlugParams,
        body: Type.Unknown(),
        response: { 201: WorkflowVersionSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { procedure, workflow } = await publishWorkflow(app.ctx.db.kysely, principal.organisationId, request.params.slug, request.body, `token:${principal.tokenId}`);
      return reply.status(201).send(versionBody(procedure.slug, workflow));
    },
  );
}

async function currentWorkflow(app: App, organisationId: number, slug: string) {
  const found = await procedureWorkflow(app.ctx.db.kysely, organisationId, slug);
  if (!found) throw notFound(`Aucune démarche « ${slug} ».`);
  const { procedure, workflow } = found;
  if (!workflow) throw new AppError('no_workflow', `La démarche « ${procedure.title} » n’a pas encore de circuit.`);
  return { procedure, workflow };
}

function versionBody(procedureSlug: string, workflow: WorkflowVersion) {
  return {
    procedure: procedureSlug,
    version: workflow.version,
    publishedBy: workflow.publishedBy,
    createdAt: workflow.createdAt,
    definition: workflow.definition as unknown as Record<string, unknown>,
  };
}

/** What the workflow needs from the running app. */
export function workflowDeps(app: App): WorkflowDeps {
  return { db: app.ctx.db, timezone: app.ctx.config.TIMEZONE, publicUrl: app.ctx.config.publicUrl };
}
