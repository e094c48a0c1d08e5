import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { reprocessEmail } from '../../../channels/email/reprocess.js';
import { channelHealth, HEALTH_CHANNELS, reasonLabel, sinceOf } from '../../../channels/health/service.js';
import { rawOf } from '../../../channels/health/raw.js';
import { inboundRepository, type Inbound, type InboundChannel } from '../../../channels/inbound-repository.js';
import type { App } from '../../../http/context.js';
import { notFound } from '../../../http/errors.js';
import { logAccess } from '../../access-log.js';
import { sendBackofficePage } from '../../page.js';
import { authorizeAdmin, scopeOf, type AgentScope } from '../../policy.js';
import { checkAgentRequestCsrf, requireAgent, type AgentSession } from '../../session.js';
import { PAGE_PERIODS, type PagePeriod } from './views/format.js';
import { ChannelHealthPage } from './views/health.js';
import { QuarantinePage } from './views/quarantine.js';

const hidden = { hide: true };
const QUARANTINE_PAGE = 50;

type Admin = { session: AgentSession; scope: AgentScope };

const param = (from: unknown, name: string, max = 40): string => {
  const value = from && typeof from === 'object' ? (from as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
};
const isChannel = (value: string): value is InboundChannel => HEALTH_CHANNELS.some((c) => c.channel === value);
const isPagePeriod = (value: string): value is PagePeriod => Object.hasOwn(PAGE_PERIODS, value);

/** What became of a reprocessed e-mail, read from its receipt after the redirection. */
function reprocessedNotice(item: Inbound): string {
  const done = `Le courriel n° ${item.id} a été retraité`;
  switch (item.status) {
    case 'created':
      return `${done} : un dossier a été créé.`;
    case 'threaded':
      return `${done} : il a été ajouté à un dossier existant.`;
    case 'ignored':
      return `${done} : il a été ignoré (${reasonLabel(item.reason)}).`;
    case 'pending':
      return `${done} : il est en attente de traitement.`;
    default:
      return `${done} mais reste en quarantaine (${reasonLabel(item.reason)}${item.error ? ` : ${item.error}` : ''}).`;
  }
}

/**
 * The admins' view of the channels (`/backoffice/admin/canaux`): each channel's figures over a
 * period and its configuration, and the quarantine — items kept raw because they could not be
 * processed — with their download (written to the access log: they hold personal data).
 */
export async function channelAdminRoutes(app: App): Promise<void> {
  const { db, config } = app.ctx;

  /** The signed-in admin; null when the visitor was sent to sign in; a 403 page for other agents. */
  async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<Admin | null> {
    const session = await requireAgent(request, reply);
    if (!session) return null;
    const scope = await scopeOf(request, session);
    authorizeAdmin(scope);
    if (request.method === 'POST') checkAgentRequestCsrf(request, session);
    return { session, scope };
  }

  const page = (request: FastifyRequest, reply: FastifyReply, who: Admin, title: string, body: preact.ComponentChildren, status = 200) =>
    sendBackofficePage(request, reply, { status, title, session: who.session, scope: who.scope, section: 'admin', body });

  app.get('/backoffice/admin/canaux', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const asked = param(request.query, 'periode', 10);
    const problem = asked && !isPagePeriod(asked) ? 'Choisissez une période de la liste : dernières 24 heures, 7 ou 30 derniers jours' : null;
    const period: PagePeriod = asked && isPagePeriod(asked) ? asked : '24h';
    const report = await channelHealth(db.kysely, config, who.session.organisationId, { since: sinceOf(PAGE_PERIODS[period].period) });
    return page(
      request,
      reply,
      who,
      problem ? 'Erreur — Santé des canaux' : 'Santé des canaux',
      <ChannelHealthPage report={report} period={period} periodProblem={problem} />,
      problem ? 422 : 200,
    );
  });

  app.get('/backoffice/admin/canaux/quarantaine', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const canal = param(request.query, 'canal', 20);
    const channel = isChannel(canal) ? canal : null;
    const before = param(request.query, 'avant', 16);
    const rows = await inboundRepository.listQuarantined(db.kysely, who.session.organisationId, {
      ...(channel ? { channel } : {}),
      ...(/^\d{1,15}$/.test(before) ? { beforeId: Number(before) } : {}),
      limit: QUARANTINE_PAGE + 1,
    });
    const items = rows.slice(0, QUARANTINE_PAGE);
    const reprocessed = param(request.query, 'retraite', 16);
    const reprocessedItem = /^\d{1,15}$/.test(reprocessed) ? await inboundRepository.findById(db.kysely, Number(reprocessed)) : undefined;
    const notice = reprocessedItem && reprocessedItem.organisationId === who.session.organisationId ? reprocessedNotice(reprocessedItem) : null;
    const olderHref =
      rows.length > QUARANTINE_PAGE
        ? `/backoffice/admin/canaux/quarantaine?${new URLSearchParams({ ...(channel ? { canal: channel } : {}), avant: String(items.at(-1)!.id) }).toString()}`
        : null;
    return page(
      request,
      reply,
      who,
      'Quarantaine des canaux',
      <QuarantinePage items={items} channel={channel} olderHref={olderHref} csrf={who.session.csrf} notice={notice} />,
    );
  });

  /** This organisation's quarantined item named in the address; another organisation's, or one no longer quarantined, is not found. */
  async function quarantinedItem(request: FastifyRequest, who: Admin): Promise<Inbound> {
    const id = param(request.params, 'id', 16);
    const item = /^\d{1,15}$/.test(id) ? await inboundRepository.findById(db.kysely, Number(id)) : undefined;
    if (!item || item.organisationId !== who.session.organisationId || item.status !== 'quarantined') throw notFound('Cet élément n’est pas en quarantaine.');
    return item;
  }

  app.post('/backoffice/admin/canaux/quarantaine/:id/retraiter', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const item = await quarantinedItem(request, who);
    if (item.channel !== 'email') throw notFound('Seuls les courriels peuvent être retraités depuis cette page.');
    // The e-mail channel's own reprocessing: the same code as `guichet channels reprocess`, keyed by
    // Message-ID so that a second click never makes a second case.
    await reprocessEmail({ db, config, log: request.log as unknown as Logger }, item.id);
    const canal = param(request.body, 'canal', 20);
    const back = new URLSearchParams({ ...(isChannel(canal) ? { canal } : {}), retraite: String(item.id) });
    return reply.redirect(`/backoffice/admin/canaux/quarantaine?${back.toString()}`, 303);
  });

  app.get('/backoffice/admin/canaux/quarantaine/:id/brut', { schema: hidden }, async (request, reply) => {
    const who = await requireAdmin(request, reply);
    if (!who) return reply;
    const item = await quarantinedItem(request, who);
    const raw = await rawOf(config, item);
    await logAccess(request, who.session, { action: 'download_inbound', detail: `Élément brut en quarantaine n° ${item.id} (${item.channel})` });
    return reply
      .type(raw.contentType)
      .header('content-disposition', `attachment; filename="${raw.filename}"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(raw.body);
  });
}
