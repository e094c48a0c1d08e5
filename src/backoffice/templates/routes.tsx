import type { FastifyReply, FastifyRequest } from 'fastify';
import { logAccess } from '../access-log.js';
import { loadCaseForAgent } from '../cases/load.js';
import type { App } from '../../http/context.js';
import { notFound } from '../../http/errors.js';
import { TemplateError } from '../../workflow/templates.js';
import { sendBackofficePage } from '../page.js';
import { authorizeTemplateEdit, authorizeTemplateWriter, canEditTemplate, canWriteTemplates, scopeOf, type AgentScope } from '../policy.js';
import { checkAgentRequestCsrf, requireAgent, type AgentSession } from '../session.js';
import { renderResponseTemplate } from './render.js';
import { responseTemplateRepository, type ResponseTemplate } from '../../templates/repository.js';
import { checkTemplateForm, readableTemplate, readableTemplates, scopeOptions, scopeValueOf, type TemplateForm } from './service.js';
import { blankState, errorsByName, type FormState } from './views/fields.js';
import { TemplateFormPage, TemplateListPage, TemplatePreviewPage } from './views/pages.js';

const hidden = { hide: true };

const DONE: Record<string, string> = {
  creation: 'Le modèle a été créé.',
  modification: 'Le modèle a été enregistré.',
  desactivation: 'Le modèle a été désactivé : il n’est plus proposé dans les dossiers.',
  activation: 'Le modèle a été réactivé.',
};

function doneOf(request: FastifyRequest): string | null {
  const key = (request.query as Record<string, unknown>)['fait'];
  return typeof key === 'string' ? (DONE[key] ?? null) : null;
}

/** The form's fields from an urlencoded body (first value of each). */
function postedForm(body: unknown): TemplateForm {
  const text = (name: string): string => {
    const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : '';
  };
  return { name: text('name'), slug: text('slug'), scope: text('scope'), subject: text('subject'), body: text('body') };
}

/** A positive id from the URL, or a 404. */
function idParam(request: FastifyRequest): number {
  const raw = (request.params as { id?: string }).id ?? '';
  if (!/^[1-9]\d{0,9}$/.test(raw)) throw notFound();
  return Number(raw);
}

const valuesOf = (t: ResponseTemplate): Record<string, string> => ({ name: t.name, slug: t.slug, scope: scopeValueOf(t), subject: t.subject, body: t.body });

/** Response templates: list, create, edit, deactivate, preview on a real case. */
export async function templateRoutes(app: App): Promise<void> {
  const db = () => app.ctx.db.kysely;

  async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<{ session: AgentSession; scope: AgentScope } | null> {
    const session = await requireAgent(request, reply);
    if (!session) return null;
    return { session, scope: await scopeOf(request, session) };
  }

  async function template(scope: AgentScope, request: FastifyRequest): Promise<ResponseTemplate> {
    const found = await readableTemplate(db(), scope, idParam(request));
    if (!found) throw notFound('Aucun modèle de réponse.');
    return found;
  }

  async function formPage(request: FastifyRequest, reply: FastifyReply, who: { session: AgentSession; scope: AgentScope }, t: ResponseTemplate | null, state: FormState, status = 200) {
    const editable = t ? canEditTemplate(who.scope, t) : canWriteTemplates(who.scope);
    const options = await scopeOptions(db(), who.scope);
    // A template placed where the agent cannot write anymore keeps showing where it is.
    if (t && !options.some((o) => o.value === scopeValueOf(t))) options.unshift({ value: scopeValueOf(t), label: 'Emplacement actuel' });
    const title = t ? `Modèle « ${t.name} »` : 'Nouveau modèle de réponse';
    return sendBackofficePage(request, reply, {
      title: status === 422 ? `Erreur — ${title}` : title,
      session: who.session,
      scope: who.scope,
      section: 'templates',
      status,
      body: <TemplateFormPage template={t} state={state} options={options} csrf={who.session.csrf} editable={editable} done={doneOf(request)} />,
    });
  }

  app.get('/backoffice/modeles', { schema: hidden }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const templates = await readableTemplates(db(), who.scope);
    const editable = new Set(templates.filter((t) => canEditTemplate(who.scope, t)).map((t) => t.id));
    return sendBackofficePage(request, reply, {
      title: 'Modèles de réponse',
      session: who.session,
      scope: who.scope,
      section: 'templates',
      body: <TemplateListPage templates={templates} editable={editable} canCreate={canWriteTemplates(who.scope)} csrf={who.session.csrf} done={doneOf(request)} />,
    });
  });

  app.get('/backoffice/modeles/nouveau', { schema: hidden }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    authorizeTemplateWriter(who.scope);
    const options = await scopeOptions(db(), who.scope);
    return formPage(request, reply, who, null, blankState({ scope: options[0]?.value ?? '' }));
  });

  app.post('/backoffice/modeles/nouveau', { schema: hidden }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    checkAgentRequestCsrf(request, who.session);
    authorizeTemplateWriter(who.scope);
    const form = postedForm(request.body);
    const checked = await checkTemplateForm(db(), who.scope, form, null);
    if (!checked.ok) return formPage(request, reply, who, null, { values: { ...form }, errors: errorsByName(checked.errors) }, 422);
    const id = await responseTemplateRepository.insert(db(), who.scope.organisationId, checked.value, who.session.agentId, new Date().toISOString());
    return reply.redirect(`/backoffice/modeles/${id}?fait=creation`, 303);
  });

  app.get('/backoffice/modeles/:id', { schema: hidden }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const t = await template(who.scope, request);
    return formPage(request, reply, who, t, blankState(valuesOf(t)));
  });

  app.post('/backoffice/modeles/:id', { schema: hidden }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    checkAgentRequestCsrf(request, who.session);
    const t = await template(who.scope, request);
    authorizeTemplateEdit(who.scope, t);
    const form = postedForm(request.body);
    const checked = await checkTemplateForm(db(), who.scope, form, t.id);
    if (!checked.ok) return formPage(request, reply, who, t, { values: { ...form }, errors: errorsByName(checked.errors) }, 422);
    await responseTemplateRepository.update(db(), who.scope.organisationId, t.id, checked.value, who.session.agentId, new Date().toISOString());
    return reply.redirect(`/backoffice/modeles/${t.id}?fait=modification`, 303);
  });

  for (const [path, active] of [['desactiver', false], ['activer', true]] as const) {
    app.post(`/backoffice/modeles/:id/${path}`, { schema: hidden }, async (request, reply) => {
      const who = await signedIn(request, reply);
      if (!who) return reply;
      checkAgentRequestCsrf(request, who.session);
      const t = await template(who.scope, request);
      authorizeTemplateEdit(who.scope, t);
      await responseTemplateRepository.setActive(db(), who.scope.organisationId, t.id, active, who.session.agentId, new Date().toISOString());
      return reply.redirect(`/backoffice/modeles?fait=${active ? 'activation' : 'desactivation'}`, 303);
    });
  }

  app.get('/backoffice/modeles/:id/apercu', { schema: hidden }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const t = await template(who.scope, request);
    const raw = (request.query as Record<string, unknown>)['dossier'];
    const reference = typeof raw === 'string' ? raw.trim().slice(0, 40) : '';
    if (reference === '') return reply.redirect(`/backoffice/modeles/${t.id}`, 303);
    // Another department's case is not found, as everywhere.
    const { view } = await loadCaseForAgent(request, who.session, reference);
    let rendered = null;
    let problem: string | null = null;
    try {
      rendered = await renderResponseTemplate(db(), t.id, {
        organisationId: who.scope.organisationId,
        caseId: view.id,
        agent: { id: who.session.agentId, name: who.session.name, email: who.session.email },
        publicUrl: app.ctx.config.publicUrl,
        timezone: app.ctx.config.TIMEZONE,
      });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problem = error.message;
    }
    await logAccess(request, who.session, { action: 'view_case', caseId: view.id, citizenId: view.citizenId, detail: `aperçu du modèle ${t.slug}` });
    return sendBackofficePage(request, reply, {
      title: `Aperçu du modèle « ${t.name} »`,
      session: who.session,
      scope: who.scope,
      section: 'templates',
      body: <TemplatePreviewPage template={t} reference={view.reference} rendered={rendered} problem={problem} />,
    });
  });
}
