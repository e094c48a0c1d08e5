import type { FastifyRequest } from 'fastify';
import type { App } from '../../http/context.js';
import { allowSameOriginFraming } from '../../http/security-headers.js';
import { notFound } from '../../http/errors.js';
import { renderPage } from '../../http/ui/layout.js';
import { formatDateTime } from '../../portal/cases/views/dates.js';
import { portalOrganisation } from '../../portal/page.js';
import { logAccess } from '../access-log.js';
import { nextCaseReference } from '../inbox/next.js';
import { sendBackofficePage } from '../page.js';
import { requireAgent } from '../session.js';
import { loadCaseActions } from './actions/panel.js';
import { casePdf } from './export.js';
import { loadCaseForAgent } from './load.js';
import { loadReplyPanel } from './reply/panel.js';
import { CasePage } from './views/case-page.js';
import { caseFileFor, loadCasePageModel } from './views/model.js';
import { CasePrintPage } from './views/print.js';

const hidden = { hide: true };
type Params = { reference: string };
type FileParams = Params & { id: string };

/**
 * The inbox query the agent came from (`?liste=`), bounded: it is only read, never stored. A case
 * opened from elsewhere (a link, the default inbox) continues in the default inbox list: « next
 * case » is always there for triage.
 */
function listQueryOf(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown>)['liste'];
  return typeof value === 'string' && value.length <= 2_000 ? value : '';
}

/** `attachment` with the name in ASCII for old clients and in UTF-8 (RFC 6266 / 5987) for the others. */
function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/["\\;]/g, '_') || 'document';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** A case: timeline, data, attachments, map, print view and PDF export. */
export async function caseRoutes(app: App): Promise<void> {
  const mapOf = () => (app.ctx.config.MAP_TILE_URL ? { tileUrl: app.ctx.config.MAP_TILE_URL, attribution: app.ctx.config.MAP_ATTRIBUTION } : null);

  app.get('/backoffice/dossiers/:reference', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const { view, scope } = await loadCaseForAgent(request, session, (request.params as Params).reference);
    await logAccess(request, session, { action: 'view_case', caseId: view.id, citizenId: view.citizenId });
    const listQuery = listQueryOf(request);
    const [model, actions, replyPanel, next] = await Promise.all([
      loadCasePageModel(request, scope, view),
      loadCaseActions(request, session, scope, view),
      loadReplyPanel(request, session, scope, view),
      nextCaseReference(request, session, scope, listQuery, view.reference),
    ]);
    return sendBackofficePage(request, reply, {
      title: `Dossier ${view.reference} — ${view.subject}`,
      session,
      scope,
      section: 'inbox',
      body: <CasePage model={model} actions={actions} reply={replyPanel} map={mapOf()} list={{ query: listQuery, next }} />,
    });
  });

  app.get('/backoffice/dossiers/:reference/impression', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const { view, scope } = await loadCaseForAgent(request, session, (request.params as Params).reference);
    await logAccess(request, session, { action: 'print_case', caseId: view.id, citizenId: view.citizenId });
    const [model, organisation] = await Promise.all([loadCasePageModel(request, scope, view), portalOrganisation(request)]);
    // A page of its own, without the menu: what is printed is the case alone.
    const page = renderPage(
      {
        title: `Impression du dossier ${view.reference}`,
        organisationName: organisation.name,
        section: 'backoffice',
        brandColor: organisation.brandColor,
        head: (
          <>
            <meta name="robots" content="noindex, nofollow" />
            <link rel="stylesheet" href="/assets/backoffice.css" />
            <script src="/assets/backoffice.js" defer></script>
          </>
        ),
        footer: <p>{organisation.name} — document interne</p>,
      },
      <CasePrintPage model={model} printedAt={formatDateTime(new Date().toISOString(), model.timezone)} printedBy={session.name} />,
    );
    return reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').send(page);
  });

  app.get('/backoffice/dossiers/:reference/export.pdf', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const { view, scope } = await loadCaseForAgent(request, session, (request.params as Params).reference);
    await logAccess(request, session, { action: 'export_case', caseId: view.id, citizenId: view.citizenId, detail: 'PDF' });
    const [model, organisation] = await Promise.all([loadCasePageModel(request, scope, view), portalOrganisation(request)]);
    const bytes = await casePdf(model, { organisationName: organisation.name, exportedBy: session.name, now: new Date() });
    return reply
      .type('application/pdf')
      .header('content-disposition', contentDisposition('attachment', `dossier-${view.reference}.pdf`))
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });

  app.get('/backoffice/dossiers/:reference/pieces/:id', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const params = request.params as FileParams;
    const { view } = await loadCaseForAgent(request, session, params.reference);
    // Only a file of this very case (or of a duplicate merged into it).
    const file = params.id.length <= 64 ? await caseFileFor(app.ctx.db.kysely, view, params.id) : undefined;
    if (!file) throw notFound('Aucune pièce jointe à cette adresse dans ce dossier.');
    const download = (request.query as Record<string, unknown>)['telecharger'] !== undefined;
    await logAccess(request, session, { action: 'download_attachment', caseId: view.id, citizenId: view.citizenId, detail: `${download ? 'téléchargement' : 'aperçu'} : ${file.filename}`.slice(0, 200) });
    const bytes = await app.ctx.storage.read(file.sha256);
    // The case page previews a PDF in an iframe: this response alone may be framed, by our own pages.
    if (!download) allowSameOriginFraming(reply);
    // Only sniffed PDF and image types are ever stored; nosniff keeps browsers to that type.
    return reply
      .header('content-type', file.mimeType)
      .header('content-disposition', contentDisposition(download ? 'attachment' : 'inline', file.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });
}
