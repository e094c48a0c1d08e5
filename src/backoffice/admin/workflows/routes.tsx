import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../http/context.js';
import { AppError, notFound } from '../../../http/errors.js';
import type { FieldProblem } from '../../../http/ui/layout.js';
import { procedureRepository } from '../../../procedures/repository.js';
import { renderWorkflowSvg } from '../../../workflow/diagram.js';
import { workflowRepository } from '../../../workflow/repository.js';
import { procedureWorkflow, publishWorkflow } from '../../../workflow/service.js';
import { sessionProvedSecondFactor } from '../../auth/service.js';
import { sendBackofficePage } from '../../page.js';
import { authorizeAdmin, scopeOf, type AgentScope } from '../../policy.js';
import { checkAgentRequestCsrf, requireAgent, type AgentSession } from '../../session.js';
import { WorkflowListPage } from './list-view.js';
import { SLUG, WORKFLOWS_PATH } from './paths.js';
import { WorkflowPage, type WorkflowPageProps } from './workflow-view.js';

const hidden = { hide: true };
/** The longest definition accepted from the form (the largest demo workflow is under 20 000 characters). */
const MAX_DEFINITION = 500_000;

type Admin = { session: AgentSession; scope: AgentScope };

const SECOND_FACTOR_NEEDED =
  'Les circuits de traitement ne s’ouvrent qu’à une session ouverte avec votre mot de passe et votre code de double authentification. ' +
  'Activez la double authentification dans « Mon compte » si ce n’est pas fait, puis déconnectez-vous et reconnectez-vous avec votre mot de passe et votre code.';

/**
 * The workflow editor of the back-office (`/backoffice/admin/circuits`): every procedure's
 * workflow, its diagram, and the publishing of a new version. Publishing changes how every new
 * case is handled, so these pages ask more than the other admin pages: an admin whose session gave
 * a TOTP code (`sessionProvedSecondFactor`) — not a ProConnect session, not a session opened
 * before the agent had TOTP. The API (`/api/v1/procedures/:slug/workflow`) keeps its tokens.
 */
export async function workflowAdminRoutes(app: App): Promise<void> {
  const { db } = app.ctx;

  /** The admin with a second factor; null when the visitor was sent to sign in; a 403 page for anyone else. */
  async function requireWorkflowAdmin(request: FastifyRequest, reply: FastifyReply): Promise<Admin | null> {
    const session = await requireAgent(request, reply);
    if (!session) return null;
    const scope = await scopeOf(request, session);
    authorizeAdmin(scope);
    if (!(await sessionProvedSecondFactor(db, session))) throw new AppError('forbidden', SECOND_FACTOR_NEEDED);
    if (request.method === 'POST') checkAgentRequestCsrf(request, session);
    return { session, scope };
  }

  const page = (request: FastifyRequest, reply: FastifyReply, who: Admin, title: string, body: preact.ComponentChildren, status = 200) =>
    sendBackofficePage(request, reply, { status, title, session: who.session, scope: who.scope, section: 'admin', body });

  /** The slug of the URL, checked after the visitor is (a refused visitor learns nothing of what exists). */
  const slugOf = (request: FastifyRequest): string => {
    const slug = (request.params as { slug?: unknown }).slug;
    if (typeof slug !== 'string' || !SLUG.test(slug)) throw notFound('Aucune démarche à cette adresse.');
    return slug;
  };

  async function workflowPage(organisationId: number, csrf: string, slug: string, extra: { published: number | null; text?: string; problems?: FieldProblem[] }): Promise<WorkflowPageProps> {
    const found = await procedureWorkflow(db.kysely, organisationId, slug);
    if (!found) throw notFound(`Aucune démarche « ${slug} ».`);
    const { procedure, workflow } = found;
    return {
      slug,
      title: procedure.title,
      version: workflow?.version ?? null,
      svg: workflow ? renderWorkflowSvg(workflow.definition) : null,
      definitionText: extra.text ?? (workflow ? JSON.stringify(workflow.definition, null, 2) : ''),
      csrf,
      problems: extra.problems ?? [],
      published: extra.published,
    };
  }

  app.get(WORKFLOWS_PATH, { schema: hidden }, async (request, reply) => {
    const who = await requireWorkflowAdmin(request, reply);
    if (!who) return reply;
    const procedures = await procedureRepository.list(db.kysely, who.session.organisationId, { onlineOnly: false });
    const rows = await Promise.all(
      procedures.map(async (p) => {
        const workflow = await workflowRepository.latest(db.kysely, p.id);
        return { slug: p.slug, title: p.title, version: workflow?.version ?? null, statuses: workflow?.definition.statuses.length ?? 0 };
      }),
    );
    return page(request, reply, who, 'Circuits de traitement', <WorkflowListPage rows={rows} />);
  });

  app.get(`${WORKFLOWS_PATH}/:slug`, { schema: hidden }, async (request, reply) => {
    const who = await requireWorkflowAdmin(request, reply);
    if (!who) return reply;
    const slug = slugOf(request);
    const published = (request.query as { publie?: unknown }).publie;
    const props = await workflowPage(who.session.organisationId, who.session.csrf, slug, {
      published: typeof published === 'string' && /^\d{1,9}$/.test(published) ? Number(published) : null,
    });
    return page(request, reply, who, `Circuit : ${props.title}`, <WorkflowPage {...props} />);
  });

  app.post(`${WORKFLOWS_PATH}/:slug`, { schema: hidden }, async (request, reply) => {
    const who = await requireWorkflowAdmin(request, reply);
    if (!who) return reply;
    const slug = slugOf(request);
    const organisationId = who.session.organisationId;
    const body = request.body as Record<string, unknown> | undefined;
    const text = typeof body?.['definition'] === 'string' ? body['definition'] : '';
    let problems: FieldProblem[];
    if (!text.trim()) problems = [{ target: 'definition', message: 'Saisissez la définition du circuit (JSON)' }];
    else if (text.length > MAX_DEFINITION) problems = [{ target: 'definition', message: `La définition doit contenir au plus ${MAX_DEFINITION.toLocaleString('fr-FR')} caractères` }];
    else {
      try {
        const definition: unknown = JSON.parse(text);
        // The journal of versions names who published each one (the API writes `token:<id>`).
        const { workflow } = await publishWorkflow(db.kysely, organisationId, slug, definition, `agent:${who.session.agentId}`);
        request.log.info({ agentId: who.session.agentId, procedure: slug, version: workflow.version }, 'workflow published');
        return reply.redirect(`${WORKFLOWS_PATH}/${slug}?publie=${workflow.version}`, 303);
      } catch (error) {
        if (error instanceof SyntaxError) problems = [{ target: 'definition', message: `JSON invalide : ${error.message}` }];
        else if (error instanceof AppError && error.code === 'validation_failed') {
          problems = error.errors.map((e) => ({ target: 'definition', message: `${e.field.replace(/^definition\.?/, '') || 'définition'} : ${e.message}` }));
        } else throw error;
      }
    }
    const props = await workflowPage(organisationId, who.session.csrf, slug, { published: null, text: text.slice(0, MAX_DEFINITION), problems });
    return page(request, reply, who, `Erreur — Circuit : ${props.title}`, <WorkflowPage {...props} />, 422);
  });
}
