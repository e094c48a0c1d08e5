import type { FastifyReply, FastifyRequest } from 'fastify';
import { render } from 'preact-render-to-string';
import { inboxRepository } from '../../cases/inbox-repository.js';
import type { App } from '../../http/context.js';
import { notFound } from '../../http/errors.js';
import type { FieldProblem } from '../../http/ui/layout.js';
import { logAccess } from '../access-log.js';
import { sendBackofficePage } from '../page.js';
import { computeScope, scopeOf, type AgentScope } from '../policy.js';
import { agentSessionRepository } from '../session-repository.js';
import { checkAgentRequestCsrf, requireAgent, type AgentSession } from '../session.js';
import { BULK_LIMIT, runBulkAction, type BulkAction, type BulkOutcome, type BulkTarget } from './bulk-service.js';
import { encodeCursor, inboxQueryString } from './query.js';
import { savedViewRepository } from './saved-views-repository.js';
import { filterChoices, inboxPage, inboxScopeOf, resolveInboxQuery, withStatusLabels } from './service.js';
import { bulkChoices } from './bulk-choices.js';
import { InboxPage, InboxRowView, type SavedViewCount } from './views/inbox.js';

const hidden = { hide: true };
/** Saved views count their cases up to this many (« 1 000 et plus » beyond): counts stay fast. */
export const VIEW_COUNT_CAP = 1_000;
/** Live updates: how often the database is asked for new cases, and a comment to keep proxies open. */
export const LIVE_POLL_MS = 2_000;
const LIVE_HEARTBEAT_MS = 15_000;
const VIEW_NAME_MAX = 80;

const FLASHES: Record<string, string> = {
  'vue-enregistree': 'La vue est enregistrée.',
  'vue-renommee': 'La vue est renommée.',
  'vue-supprimee': 'La vue est supprimée.',
};

/**
 * The notice of the action that led here: a fixed message, or the transfer of a case the agent no
 * longer sees (the case page sends them back here with its reference and the new department).
 */
function flashOf(params: URLSearchParams): string | null {
  const transferred = params.get('transfert');
  const department = params.get('service');
  if (transferred && department) return `Le dossier ${transferred.slice(0, 40)} est transféré au service ${department.slice(0, 120)}.`;
  return FLASHES[params.get('fait') ?? ''] ?? null;
}

type Form = Record<string, string | string[] | undefined>;
const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const many = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : value ? [value] : []);

/** The inbox: filters, full-text search, saved views, bulk actions, live updates. */
export async function inboxRoutes(app: App): Promise<void> {
  // Open live lists end when the server closes, so a shutdown never waits for agents' browsers.
  const liveStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stop of [...liveStreams]) stop();
  });
  const { db, config } = app.ctx;
  const timezone = config.TIMEZONE;
  const workflowDeps = () => ({ db, timezone, publicUrl: config.publicUrl });

  interface Extras {
    status?: number;
    problems?: FieldProblem[];
    report?: BulkOutcome[];
    flash?: string | null;
  }

  /** Draws the inbox for a query string, with what a form post adds (problems, a bulk report). */
  async function showInbox(request: FastifyRequest, reply: FastifyReply, session: AgentSession, params: URLSearchParams, extras: Extras = {}) {
    const scope = await scopeOf(request, session);
    const query = await resolveInboxQuery(db.kysely, scope, timezone, params);
    const [page, choices, bulk, savedViews, lastId] = await Promise.all([
      inboxPage(db, scope, query),
      filterChoices(db.kysely, scope),
      bulkChoices(db.kysely, scope),
      savedViewsWithCounts(scope, session),
      query.after === null && query.filter.sort === 'recus' ? inboxRepository.lastCaseId(db.kysely, scope.organisationId) : Promise.resolve(null),
    ]);
    // A search may look for a person (by name, by what they wrote): it is traced, its terms are
    // not. The plain lists of the agent's own queues are their daily work, traced case by case
    // when a case is opened.
    if (query.filter.text !== undefined) await logAccess(request, session, { action: 'list_cases', detail: `recherche plein texte : ${page.rows.length} dossier(s) affiché(s)` });
    const last = page.rows.at(-1);
    return sendBackofficePage(request, reply, {
      title: query.problems.length > 0 || extras.problems?.length ? 'Erreur — Dossiers' : 'Dossiers',
      session,
      scope,
      section: 'inbox',
      status: extras.status ?? (query.problems.length > 0 ? 400 : 200),
      body: (
        <InboxPage
          rows={page.rows}
          hasMore={page.hasMore}
          nextCursor={last ? encodeCursor(last.cursor) : null}
          isFirstPage={query.after === null}
          values={query.values}
          problems={[...query.problems, ...(extras.problems ?? [])]}
          choices={choices}
          agents={bulk.agents}
          transitions={bulk.transitions}
          templates={bulk.templates}
          savedViews={savedViews}
          csrf={session.csrf}
          timezone={timezone}
          liveFrom={lastId}
          flash={extras.flash ?? null}
          report={extras.report ?? null}
          countCap={VIEW_COUNT_CAP}
        />
      ),
    });
  }

  async function savedViewsWithCounts(scope: AgentScope, session: AgentSession): Promise<SavedViewCount[]> {
    const views = await savedViewRepository.list(db.kysely, session.agentId);
    return Promise.all(
      views.map(async (view) => {
        const query = await resolveInboxQuery(db.kysely, scope, timezone, new URLSearchParams(view.query));
        // A view whose department was withdrawn from the agent counts nothing rather than failing.
        const count = query.problems.length > 0 ? 0 : await inboxRepository.countUpTo(db.kysely, db.dialect, inboxScopeOf(scope), query.filter, VIEW_COUNT_CAP);
        return { ...view, count };
      }),
    );
  }

  app.get('/backoffice/dossiers', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    return showInbox(request, reply, session, params, { flash: flashOf(params) });
  });

  app.post('/backoffice/dossiers/actions-groupees', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const form = (request.body ?? {}) as Form;
    const params = new URLSearchParams(one(form['liste']).slice(0, 2_000));
    const scope = await scopeOf(request, session);
    const parsed = parseBulkForm(form, session);
    if ('problems' in parsed) return showInbox(request, reply, session, params, { status: 422, problems: parsed.problems });
    const report = await runBulkAction({ deps: workflowDeps(), session, scope }, parsed.action, parsed.targets);
    return showInbox(request, reply, session, params, { report });
  });

  app.post('/backoffice/vues', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const form = (request.body ?? {}) as Form;
    const scope = await scopeOf(request, session);
    const query = await resolveInboxQuery(db.kysely, scope, timezone, new URLSearchParams(one(form['requete']).slice(0, 2_000)));
    const canonical = inboxQueryString(query.values);
    const name = one(form['nom']);
    if (name === '' || name.length > VIEW_NAME_MAX || query.problems.length > 0) {
      const problems: FieldProblem[] =
        name === '' || name.length > VIEW_NAME_MAX
          ? [{ target: 'vue-nom', message: name === '' ? 'Donnez un nom à la vue.' : `Le nom de la vue doit faire au plus ${VIEW_NAME_MAX} caractères.` }]
          : [];
      return showInbox(request, reply, session, new URLSearchParams(canonical), { status: 422, problems });
    }
    await savedViewRepository.insert(db.kysely, session.agentId, name, canonical, new Date().toISOString());
    return reply.redirect(`/backoffice/dossiers?${canonical ? `${canonical}&` : ''}fait=vue-enregistree`, 303);
  });

  app.post('/backoffice/vues/:id/renommer', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    const id = viewId(request);
    const name = one(((request.body ?? {}) as Form)['nom']);
    if (name === '' || name.length > VIEW_NAME_MAX) {
      return showInbox(request, reply, session, new URLSearchParams(), {
        status: 422,
        problems: [{ target: `vue-${id}-nom`, message: name === '' ? 'Le nouveau nom de la vue ne peut pas être vide.' : `Le nom de la vue doit faire au plus ${VIEW_NAME_MAX} caractères.` }],
      });
    }
    if (!(await savedViewRepository.rename(db.kysely, session.agentId, id, name))) throw notFound('Cette vue n’existe pas.');
    return reply.redirect('/backoffice/dossiers?fait=vue-renommee', 303);
  });

  app.post('/backoffice/vues/:id/supprimer', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    checkAgentRequestCsrf(request, session);
    if (!(await savedViewRepository.remove(db.kysely, session.agentId, viewId(request)))) throw notFound('Cette vue n’existe pas.');
    return reply.redirect('/backoffice/dossiers?fait=vue-supprimee', 303);
  });

  /**
   * Server-sent events: the cases of the list created since the page was drawn, each sent as the
   * row to insert. Every connection polls the database itself, so it works with several server
   * processes; access is read again on each poll (a withdrawn role or a closed session ends it).
   */
  app.get('/backoffice/dossiers/evenements', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    const firstScope = await scopeOf(request, session);
    const query = await resolveInboxQuery(db.kysely, firstScope, timezone, params);
    const from = Number(params.get('depuis'));
    if (query.problems.length > 0 || !Number.isSafeInteger(from) || from < 0) {
      return reply.status(400).type('text/plain; charset=utf-8').send('Paramètres de la liste invalides.');
    }
    const listQuery = inboxQueryString(query.values);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'private, no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: ${LIVE_POLL_MS}\n\n`);
    let last = from;
    let closed = false;
    let polling = false;
    const stop = () => {
      if (closed) return;
      closed = true;
      liveStreams.delete(stop);
      clearInterval(poller);
      clearInterval(heartbeat);
      raw.end();
    };
    const poll = async () => {
      if (closed || polling) return;
      polling = true;
      try {
        const active = await agentSessionRepository.findActive(db.kysely, session.id, new Date().toISOString());
        if (!active || active.stage !== 'ready') return stop();
        const scope = await computeScope(db.kysely, session.agentId, session.organisationId);
        const rows = await inboxRepository.createdAfter(db.kysely, db.dialect, inboxScopeOf(scope), { ...query.filter, departmentId: scope.departmentIds.includes(query.filter.departmentId ?? -1) ? query.filter.departmentId : undefined }, last, 20);
        if (rows.length === 0 || closed) return;
        last = rows.at(-1)!.id;
        const now = new Date();
        const html = (await withStatusLabels(db.kysely, rows)).reverse().map((row) => render(<InboxRowView row={row} listQuery={listQuery} timezone={timezone} now={now} />));
        raw.write(`event: cases\ndata: ${JSON.stringify({ count: rows.length, rows: html })}\n\n`);
      } catch (error) {
        request.log.error(error, 'inbox live updates');
        stop();
      } finally {
        polling = false;
      }
    };
    const poller = setInterval(() => void poll(), LIVE_POLL_MS);
    const heartbeat = setInterval(() => !closed && raw.write(': ping\n\n'), LIVE_HEARTBEAT_MS);
    liveStreams.add(stop);
    request.raw.on('close', stop);
    raw.on('close', stop);
    void poll();
    return reply;
  });
}

function viewId(request: FastifyRequest): number {
  const id = Number((request.params as { id: string }).id);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound('Cette vue n’existe pas.');
  return id;
}

/** The bulk form's action and selected cases, or the problems to show on the page. */
function parseBulkForm(form: Form, session: AgentSession): { action: BulkAction; targets: BulkTarget[] } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const targets: BulkTarget[] = [];
  for (const value of many(form['dossiers'])) {
    const match = /^(\d{1,12}):(\d{1,9})$/.exec(value);
    if (match) targets.push({ id: Number(match[1]), version: Number(match[2]) });
  }
  if (targets.length === 0) problems.push({ target: 'resultats-titre', message: 'Cochez au moins un dossier de la liste.' });
  if (targets.length > BULK_LIMIT) problems.push({ target: 'resultats-titre', message: `Une action groupée porte sur ${BULK_LIMIT} dossiers au plus.` });
  let action: BulkAction | null = null;
  switch (one(form['action'])) {
    case 'attribuer': {
      const agent = one(form['agent']);
      const agentId = agent === 'moi' ? session.agentId : Number(agent);
      if (Number.isSafeInteger(agentId) && agentId > 0) action = { kind: 'assign', agentId };
      else problems.push({ target: 'action-agent', message: 'Choisissez l’agent à qui attribuer les dossiers.' });
      break;
    }
    case 'transferer': {
      const departmentId = Number(one(form['service']));
      const reason = one(form['motif']);
      if (!Number.isSafeInteger(departmentId) || departmentId <= 0) problems.push({ target: 'action-service', message: 'Choisissez le service destinataire.' });
      if (reason === '') problems.push({ target: 'action-motif', message: 'Indiquez le motif du transfert.' });
      else if (reason.length > 500) problems.push({ target: 'action-motif', message: 'Le motif du transfert doit faire au plus 500 caractères.' });
      if (problems.length === 0) action = { kind: 'transfer', departmentId, reason };
      break;
    }
    case 'transition': {
      const name = one(form['transition']);
      const template = one(form['modele']);
      const templateId = template === '' ? null : Number(template);
      if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) problems.push({ target: 'action-etape', message: 'Choisissez l’action du circuit à faire.' });
      if (templateId !== null && (!Number.isSafeInteger(templateId) || templateId <= 0)) problems.push({ target: 'action-modele', message: 'Choisissez un modèle de réponse de la liste.' });
      if (problems.length === 0) action = { kind: 'transition', name, templateId };
      break;
    }
    default:
      problems.push({ target: 'action-attribuer', message: 'Choisissez l’action à faire : attribuer, transférer ou faire avancer.' });
  }
  if (problems.length > 0 || !action) return { problems };
  return { action, targets };
}

