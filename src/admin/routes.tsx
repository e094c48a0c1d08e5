import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { renderPage, type FieldProblem, type PageFrame } from '../http/ui/layout.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { renderWorkflowSvg } from '../workflow/diagram.js';
import { workflowRepository } from '../workflow/repository.js';
import { procedureWorkflow, publishWorkflow } from '../workflow/service.js';
import { adminSessionOf, closeAdminSession, csrfMatches, openAdminSession, type AdminSession } from './session.js';
import { SignInPage } from './views/sign-in.js';
import { WorkflowPage } from './views/workflow.js';
import { WorkflowListPage } from './views/workflows.js';

const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }) });
const hidden = { hide: true };

/** Admin pages: sign-in with a token, the workflows of every procedure, their diagram and editor. */
export async function adminRoutes(app: App): Promise<void> {
  async function frame(request: FastifyRequest, title: string, session: AdminSession | null): Promise<PageFrame> {
    const organisation = session ? await organisationRepository.findById(app.ctx.db.kysely, session.principal.organisationId) : await organisationRepository.findDefault(app.ctx.db.kysely);
    return {
      title,
      organisationName: organisation?.name ?? 'Guichet',
      section: 'admin',
      ...(session
        ? {
            nav: (
              <form method="post" action="/admin/deconnexion">
                <button type="submit" class="link">
                  Se déconnecter
                </button>
              </form>
            ),
          }
        : {}),
    };
  }

  /** The session, or a redirection to the sign-in page (the refusal of every admin page). */
  async function requireSession(request: FastifyRequest, reply: FastifyReply): Promise<AdminSession | null> {
    const session = await adminSessionOf(request);
    if (!session) {
      void reply.redirect('/admin/connexion', 303);
      return null;
    }
    return session;
  }

  const html = (reply: FastifyReply, status: number, page: string) => reply.status(status).type('text/html; charset=utf-8').send(page);

  app.get('/admin', { schema: hidden }, async (_request, reply) => reply.redirect('/admin/circuits', 303));

  app.get('/admin/connexion', { schema: hidden }, async (request, reply) => html(reply, 200, renderPage(await frame(request, 'Connexion', null), <SignInPage problems={[]} />)));

  app.post('/admin/connexion', { schema: { ...hidden, body: Type.Object({ token: Type.Optional(Type.String({ maxLength: 500 })) }) } }, async (request, reply) => {
    const token = request.body.token ?? '';
    try {
      if (!token.trim()) throw new AppError('unauthenticated', 'Saisissez votre jeton d’API.');
      await openAdminSession(request, reply, token);
      return reply.redirect('/admin/circuits', 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const message = error.code === 'forbidden' ? 'Ce jeton n’a pas la portée workflows:write : il ne donne pas accès à l’administration.' : token.trim() ? 'Ce jeton est inconnu ou révoqué.' : 'Saisissez votre jeton d’API.';
      return html(reply, error.status, renderPage(await frame(request, 'Connexion', null), <SignInPage problems={[{ target: 'token', message }]} />));
    }
  });

  app.post('/admin/deconnexion', { schema: hidden }, async (_request, reply) => {
    closeAdminSession(reply);
    return reply.redirect('/admin/connexion', 303);
  });

  app.get('/admin/circuits', { schema: hidden }, async (request, reply) => {
    const session = await requireSession(request, reply);
    if (!session) return reply;
    const db = app.ctx.db.kysely;
    const procedures = await procedureRepository.list(db, session.principal.organisationId, { onlineOnly: false });
    const rows = await Promise.all(
      procedures.map(async (p) => {
        const workflow = await workflowRepository.latest(db, p.id);
        return { slug: p.slug, title: p.title, version: workflow?.version ?? null, statuses: workflow?.definition.statuses.length ?? 0 };
      }),
    );
    return html(reply, 200, renderPage(await frame(request, 'Circuits de traitement', session), <WorkflowListPage rows={rows} />));
  });

  app.get(
    '/admin/circuits/:slug',
    { schema: { ...hidden, params: SlugParams, querystring: Type.Object({ publie: Type.Optional(Type.Integer({ minimum: 1 })) }) } },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      const page = await workflowPage(session, request.params.slug, { published: request.query.publie ?? null });
      if (!page) return reply.callNotFound();
      return html(reply, 200, renderPage(await frame(request, `Circuit : ${page.title}`, session), <WorkflowPage {...page} />));
    },
  );

  app.post(
    '/admin/circuits/:slug',
    { schema: { ...hidden, params: SlugParams, body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 200 })), definition: Type.Optional(Type.String({ maxLength: 500_000 })) }) } },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      if (!csrfMatches(session, request.body.csrf)) throw new AppError('forbidden', 'Formulaire expiré ou venu d’ailleurs : rechargez la page.');
      const text = request.body.definition ?? '';
      let problems: FieldProblem[];
      try {
        const definition: unknown = JSON.parse(text);
        const { workflow } = await publishWorkflow(app.ctx.db.kysely, session.principal.organisationId, request.params.slug, definition, `token:${session.principal.tokenId}`);
        return reply.redirect(`/admin/circuits/${request.params.slug}?publie=${workflow.version}`, 303);
      } catch (error) {
        if (error instanceof SyntaxError) problems = [{ target: 'definition', message: `JSON invalide : ${error.message}` }];
        else if (error instanceof AppError && error.code === 'validation_failed') {
          problems = error.errors.map((e) => ({ target: 'definition', message: `${e.field.replace(/^definition\.?/, '') || 'définition'} : ${e.message}` }));
        } else throw error;
      }
      const page = await workflowPage(session, request.params.slug, { published: null, text, problems });
      if (!page) return reply.callNotFound();
      return html(reply, 422, renderPage(await frame(request, `Erreur — circuit : ${page.title}`, session), <WorkflowPage {...page} />));
    },
  );

  async function workflowPage(session: AdminSession, slug: string, extra: { published: number | null; text?: string; problems?: FieldProblem[] }) {
    const found = await procedureWorkflow(app.ctx.db.kysely, session.principal.organisationId, slug);
    if (!found) return null;
    const { procedure, workflow } = found;
    return {
      slug,
      title: procedure.title,
      version: workflow?.version ?? null,
      svg: workflow ? renderWorkflowSvg(workflow.definition) : null,
      definitionText: extra.text ?? (workflow ? JSON.stringify(workflow.definition, null, 2) : ''),
      csrf: session.csrf,
      problems: extra.problems ?? [],
      published: extra.published,
    };
  }
}
