import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import { portalContext, sendPortalPage } from '../page.js';
import { checkCsrf, requireCitizen, type CitizenSession } from '../session.js';
import { answerSatisfaction, listMyCases, MAX_REPLY_FILES, myCaseFile, myCasePage, replyOnMyCase, type UploadedFile, type Viewer } from './service.js';
import { MyCasePage, type CaseForm, type CaseFormState } from './views/case.js';
import { MyCasesListPage } from './views/list.js';

const hidden = { hide: true };
type Params = { reference: string };

const viewerOf = (session: CitizenSession): Viewer => ({ citizenId: session.citizenId, organisationId: session.organisationId });

/** « Mes demandes »: the citizen's and their household's cases, messages, information requests, documents, satisfaction. */
export async function myCasesRoutes(app: App): Promise<void> {
  const maxBytes = app.ctx.config.ATTACHMENT_MAX_BYTES;
  await app.register(multipart, { limits: { fileSize: maxBytes, files: MAX_REPLY_FILES, fields: 10, fieldSize: 20_000, parts: MAX_REPLY_FILES + 10 } });
  const db = () => app.ctx.db.kysely;
  const timezone = app.ctx.config.TIMEZONE;
  const workflowDeps = () => ({ db: app.ctx.db, timezone, publicUrl: app.ctx.config.publicUrl });

  app.get('/mes-demandes', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, unknown>;
    const page = await listMyCases(db(), viewerOf(session), {
      ...(typeof query['etat'] === 'string' ? { state: query['etat'] } : {}),
      ...(typeof query['apres'] === 'string' ? { after: query['apres'] } : {}),
    });
    return sendPortalPage(request, reply, { title: 'Mes demandes', body: <MyCasesListPage page={page} timezone={timezone} /> });
  });

  /** The case page, with a form sent back in error when there is one. */
  async function showCase(request: FastifyRequest, reply: FastifyReply, session: CitizenSession, reference: string, failed?: CaseFormState) {
    const page = await myCasePage(db(), viewerOf(session), reference);
    if (!page) throw notFound('Aucune demande à ce numéro dans votre espace.');
    const { csrf } = await portalContext(request, reply);
    const done = (request.query as Record<string, unknown>)['fait'];
    const title = `${page.title} — dossier ${page.reference}`;
    return sendPortalPage(request, reply, {
      status: failed ? 422 : 200,
      title: failed ? `Erreur — ${title}` : title,
      body: (
        <MyCasePage
          page={page}
          timezone={timezone}
          csrf={csrf}
          maxFileBytes={maxBytes}
          {...(failed ? { failed } : {})}
          {...(!failed && (done === 'message' || done === 'satisfaction') ? { done } : {})}
        />
      ),
    });
  }

  app.get('/demandes/:reference', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    return showCase(request, reply, session, (request.params as Params).reference);
  });

  app.post('/demandes/:reference/messages', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const reference = (request.params as Params).reference;
    const { fields, files, fileProblem } = await readReply(request);
    const form: CaseForm = fields['form'] === 'request' ? 'request' : 'message';
    const values = { body: fields['body'] ?? '' };
    if (fileProblem) return showCase(request, reply, session, reference, { form, values, problems: [{ target: `${form}-files`, message: fileProblem }] });
    try {
      const done = await replyOnMyCase({ ...workflowDeps(), attachments: { db: app.ctx.db, storage: app.ctx.storage, maxBytes } }, viewerOf(session), reference, {
        body: values.body,
        files,
      });
      if (!done) throw notFound('Aucune demande à ce numéro dans votre espace.');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      const problems = error.errors.map((e) => ({ target: `${form}-${e.field}`, message: e.message }));
      return showCase(request, reply, session, reference, { form, values, problems });
    }
    return reply.redirect(`/demandes/${encodeURIComponent(reference)}?fait=message`, 303);
  });

  app.post('/demandes/:reference/satisfaction', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const reference = (request.params as Params).reference;
    const body = (request.body ?? {}) as Record<string, unknown>;
    checkCsrf(request, body['_csrf']);
    const values = { rating: typeof body['rating'] === 'string' ? body['rating'] : '', comment: typeof body['comment'] === 'string' ? body['comment'] : '' };
    let outcome: Awaited<ReturnType<typeof answerSatisfaction>>;
    try {
      outcome = await answerSatisfaction(db(), viewerOf(session), reference, { rating: body['rating'], comment: body['comment'] });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      const problems = error.errors.map((e) => ({ target: e.field === 'rating' ? 'rating-1' : e.field, message: e.message }));
      return showCase(request, reply, session, reference, { form: 'satisfaction', values, problems });
    }
    if (outcome === undefined) throw notFound('Aucune demande à ce numéro dans votre espace.');
    if (outcome === 'not_closed') throw new AppError('bad_request', 'Votre avis vous sera demandé une fois la demande terminée.');
    if (outcome === 'already') throw new AppError('bad_request', 'Vous avez déjà donné votre avis sur cette demande : merci.');
    return reply.redirect(`/demandes/${encodeURIComponent(reference)}?fait=satisfaction`, 303);
  });

  app.get('/demandes/:reference/pieces/:attachmentId', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const { reference, attachmentId } = request.params as Params & { attachmentId: string };
    const file = await myCaseFile(db(), viewerOf(session), reference, attachmentId);
    if (!file) throw notFound('Aucun document à cette adresse dans votre espace.');
    const bytes = await app.ctx.storage.read(file.sha256);
    return reply
      .header('content-type', file.mimeType)
      .header('content-disposition', contentDisposition(file.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });
}

/**
 * The fields and files of a reply form. The CSRF value comes first in the form, so it is checked
 * before any file is read: a forged post stores nothing. A file over the size or count limit
 * becomes a message for the form rather than an error page.
 */
async function readReply(request: FastifyRequest): Promise<{ fields: Record<string, string>; files: UploadedFile[]; fileProblem: string | null }> {
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    checkCsrf(request, body['_csrf']);
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') fields[key] = value;
    return { fields, files, fileProblem: null };
  }
  let checked = false;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      if (!checked) {
        checkCsrf(request, fields['_csrf']);
        checked = true;
      }
      const bytes = await part.toBuffer();
      // An empty file input still sends a nameless, empty part.
      if (bytes.length === 0 && !part.filename) continue;
      files.push({ filename: part.filename || 'fichier', bytes });
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return { fields, files: [], fileProblem: 'Un fichier dépasse la taille maximale : réduisez-le ou scannez-le en plus basse résolution.' };
    if (code === 'FST_FILES_LIMIT') return { fields, files: [], fileProblem: `Vous pouvez joindre au plus ${MAX_REPLY_FILES} fichiers.` };
    if (error instanceof AppError) throw error;
    // A truncated or malformed body: nothing the citizen typed can be trusted from it.
    throw new AppError('bad_request', 'Le formulaire est arrivé incomplet : rechargez la page et recommencez.');
  }
  if (!checked) checkCsrf(request, fields['_csrf']);
  return { fields, files, fileProblem: null };
}

/** `attachment` with the name in ASCII for old clients and in UTF-8 (RFC 6266 / 5987) for the others. */
function contentDisposition(filename: string): string {
  const ascii = filename.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '_') || 'document';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
