import type { App } from '../../http/context.js';
import { notFound } from '../../http/errors.js';
import { sendBackofficePage } from '../page.js';
import { canSeeCase, scopeOf } from '../policy.js';
import { requireAgent } from '../session.js';
import { mentionRepository } from './repository.js';
import { MentionsPage } from './views.js';

const hidden = { hide: true };
/** Mentions listed on the page: the unread ones, then the latest read ones. */
const PAGE_SIZE = 100;

/** « Mes mentions »: the internal notes where colleagues mentioned the signed-in agent. */
export async function mentionRoutes(app: App): Promise<void> {
  const db = () => app.ctx.db.kysely;

  app.get('/backoffice/mentions', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const scope = await scopeOf(request, session);
    const all = (request.query as Record<string, unknown>)['toutes'] === '1';
    // A case the agent can no longer see (transferred since) keeps its mention, without its content.
    const mentions = (await mentionRepository.list(db(), session.agentId, { unreadOnly: !all, limit: PAGE_SIZE })).map((m) =>
      canSeeCase(scope, m.access) ? m : { ...m, caseSubject: 'Dossier d’un autre service (plus accessible)', text: '' },
    );
    return sendBackofficePage(request, reply, {
      title: 'Mes mentions',
      session,
      scope,
      section: 'mentions',
      body: <MentionsPage mentions={mentions} all={all} timezone={app.ctx.config.TIMEZONE} />,
    });
  });

  /** Opening a mention reads it, then shows its case (whose page checks access as always). */
  app.get('/backoffice/mentions/:id', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const raw = (request.params as { id: string }).id;
    const mention = /^\d{1,12}$/.test(raw) ? await mentionRepository.findOwn(db(), session.agentId, Number(raw)) : undefined;
    if (!mention) throw notFound('Aucune mention à ce numéro.');
    await mentionRepository.markRead(db(), session.agentId, mention.id, new Date().toISOString());
    return reply.redirect(`/backoffice/dossiers/${encodeURIComponent(mention.caseReference)}`, 303);
  });
}
