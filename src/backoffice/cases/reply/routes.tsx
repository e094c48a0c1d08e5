import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { storeAttachment } from '../../../attachments/service.js';
import type { CaseView } from '../../../cases/repository.js';
import type { App } from '../../../http/context.js';
import { AppError, notFound } from '../../../http/errors.js';
import { renderToString } from 'preact-render-to-string';
import { logAccess } from '../../access-log.js';
import { sendBackofficePage } from '../../page.js';
import { checkAgentCsrf, requireAgent, type AgentSession } from '../../session.js';
import { errorsByName, type FormState } from '../../templates/views/fields.js';
import type { AgentScope } from '../../policy.js';
import { loadCaseForAgent } from '../load.js';
import { letterPdf } from './letter.js';
import { loadReplyPanel, ReplyPanel, type ReplyPanelData } from './panel.js';
import { checkReply, sendAgentReply, type AgentReply } from './service.js';

const hidden = { hide: true };
const MAX_FILES = 5;

interface PostedReply {
  fields: Record<string, string>;
  files: { filename: string; bytes: Buffer }[];
  fileProblem: string | null;
}

/**
 * The fields and files of the reply form. The CSRF value comes first in the form, so it is checked
 * before any file is read: a forged post stores nothing.
 */
async function readReply(request: FastifyRequest, session: AgentSession, withFiles: boolean): Promise<PostedReply> {
  const fields: Record<string, string> = {};
  const files: PostedReply['files'] = [];
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') fields[key] = value;
    checkAgentCsrf(session, fields['_csrf'] ?? request.headers['x-csrf-token']);
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
        checkAgentCsrf(session, fields['_csrf'] ?? request.headers['x-csrf-token']);
        checked = true;
      }
      const bytes = await part.toBuffer();
      if (!withFiles || (bytes.length === 0 && !part.filename)) continue;
      files.push({ filename: part.filename || 'fichier', bytes });
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return { fields, files: [], fileProblem: 'Un fichier dépasse la taille maximale autorisée.' };
    if (code === 'FST_FILES_LIMIT') return { fields, files: [], fileProblem: `Vous pouvez joindre au plus ${MAX_FILES} fichiers.` };
    if (error instanceof AppError) throw error;
    throw new AppError('bad_request', 'Le formulaire est arrivé incomplet : rechargez la page et recommencez.');
  }
  if (!checked) checkAgentCsrf(session, fields['_csrf'] ?? request.headers['x-csrf-token']);
  return { fields, files, fileProblem: null };
}

function referenceOf(request: FastifyRequest): string {
  return (request.params as { reference?: string }).reference ?? '';
}

const stateOf = (fields: Record<string, string>, errors: Record<string, string> = {}): FormState => ({
  values: { modele: fields['modele'] ?? '', subject: fields['subject'] ?? '', body: fields['body'] ?? '', channel: fields['channel'] ?? '', ask: fields['ask'] === '1' ? '1' : '', dueOn: fields['dueOn'] ?? '' },
  errors,
});

/** The agent's reply to the citizen (with templates), information requests, letters to print. */
export async function replyRoutes(app: App): Promise<void> {
  await app.register(multipart, { limits: { fileSize: app.ctx.config.ATTACHMENT_MAX_BYTES, files: MAX_FILES, fields: 20, fieldSize: 40_000, parts: MAX_FILES + 20 } });
  const db = () => app.ctx.db.kysely;
  const deps = () => ({ db: app.ctx.db, timezone: app.ctx.config.TIMEZONE, publicUrl: app.ctx.config.publicUrl });

  /** The reply box alone: an htmx swap, or a page of its own when JavaScript is off. */
  async function sendPanel(request: FastifyRequest, reply: FastifyReply, who: { session: AgentSession; scope: AgentScope; view: CaseView }, data: ReplyPanelData, status = 200) {
    await logAccess(request, who.session, { action: 'view_case', caseId: who.view.id, citizenId: who.view.citizenId, detail: 'réponse à l’usager' });
    if (request.headers['hx-request']) {
      return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(renderToString(<ReplyPanel data={data} />));
    }
    const title = `Répondre — dossier ${who.view.reference}`;
    return sendBackofficePage(request, reply, {
      title: status === 422 ? `Erreur — ${title}` : title,
      session: who.session,
      scope: who.scope,
      section: 'inbox',
      status,
      body: (
        <>
          <p>
            <a href={`/backoffice/dossiers/${encodeURIComponent(who.view.reference)}`}>Revenir au dossier {who.view.reference}</a>
          </p>
          <h1>
            Répondre à l’usager — dossier {who.view.reference}
          </h1>
          <p>{who.view.subject}</p>
          <ReplyPanel data={data} />
        </>
      ),
    });
  }

  async function signedInCase(request: FastifyRequest, reply: FastifyReply) {
    const session = await requireAgent(request, reply);
    if (!session) return null;
    const { view, scope } = await loadCaseForAgent(request, session, referenceOf(request));
    return { session, scope, view };
  }

  app.get('/backoffice/dossiers/:reference/repondre', { schema: hidden }, async (request, reply) => {
    const who = await signedInCase(request, reply);
    if (!who) return reply;
    return sendPanel(request, reply, who, await loadReplyPanel(request, who.session, who.scope, who.view));
  });

  app.post('/backoffice/dossiers/:reference/apercu-reponse', { schema: hidden }, async (request, reply) => {
    const who = await signedInCase(request, reply);
    if (!who) return reply;
    const posted = await readReply(request, who.session, false);
    const errors = errorsByName(checkReply({ subject: posted.fields['subject'] ?? '', body: posted.fields['body'] ?? '' }, app.ctx.config.TIMEZONE));
    const data = await loadReplyPanel(request, who.session, who.scope, who.view, stateOf(posted.fields, errors));
    if (Object.keys(errors).length === 0) data.preview = { subject: (posted.fields['subject'] ?? '').trim(), body: (posted.fields['body'] ?? '').trimEnd() };
    return sendPanel(request, reply, who, data, Object.keys(errors).length === 0 ? 200 : 422);
  });

  app.post('/backoffice/dossiers/:reference/repondre', { schema: hidden }, async (request, reply) => {
    const who = await signedInCase(request, reply);
    if (!who) return reply;
    const posted = await readReply(request, who.session, true);
    const fields = posted.fields;
    const ask = fields['ask'] === '1';
    const channel = (['auto', 'email', 'portal', 'sms', 'letter'] as const).find((c) => c === fields['channel']) ?? 'auto';
    const request_: AgentReply = {
      organisationId: who.scope.organisationId,
      caseId: who.view.id,
      agent: { id: who.session.agentId, name: who.session.name },
      subject: fields['subject'] ?? '',
      body: fields['body'] ?? '',
      channel,
      ...(/^\d{1,10}$/.test(fields['version'] ?? '') ? { expectedVersion: Number(fields['version']) } : {}),
      ...(ask ? { informationRequest: { dueOn: fields['dueOn']?.trim() || null } } : {}),
    };
    const invalidForm = async (errors: Record<string, string>) =>
      sendPanel(request, reply, who, await loadReplyPanel(request, who.session, who.scope, who.view, stateOf(fields, errors)), 422);
    if (posted.fileProblem) return invalidForm({ attachments: posted.fileProblem });
    // Checked before the files are stored: an empty reply leaves nothing behind.
    const early = errorsByName(checkReply(request_, app.ctx.config.TIMEZONE));
    if (Object.keys(early).length > 0) return invalidForm(early);
    try {
      const stored = [];
      for (const file of posted.files) {
        stored.push((await storeAttachment({ db: app.ctx.db, storage: app.ctx.storage, maxBytes: app.ctx.config.ATTACHMENT_MAX_BYTES }, who.scope.organisationId, file.bytes, file.filename)).id);
      }
      const sent = await sendAgentReply(deps(), { ...request_, attachmentIds: stored });
      const letter = sent.channel === 'letter' ? `&courrier=${sent.messageId}` : '';
      if (request.headers['hx-request']) void reply.header('hx-redirect', `/backoffice/dossiers/${encodeURIComponent(who.view.reference)}?reponse=${sent.channel}${letter}#reponse`);
      return reply.redirect(`/backoffice/dossiers/${encodeURIComponent(who.view.reference)}?reponse=${sent.channel}${letter}#reponse`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') return invalidForm(errorsByName(error.errors));
      if (error instanceof AppError && (error.code === 'attachment_type_refused' || error.code === 'payload_too_large' || error.code === 'bad_request')) {
        return invalidForm({ attachments: error.detail ?? error.message });
      }
      throw error;
    }
  });

  app.get('/backoffice/dossiers/:reference/courrier/:file', { schema: hidden }, async (request, reply) => {
    const who = await signedInCase(request, reply);
    if (!who) return reply;
    const match = /^([1-9]\d{0,9})\.pdf$/.exec((request.params as { file?: string }).file ?? '');
    if (!match) throw notFound();
    const { pdf, filename } = await letterPdf(db(), who.view, Number(match[1]), app.ctx.config.TIMEZONE);
    await logAccess(request, who.session, { action: 'print_case', caseId: who.view.id, citizenId: who.view.citizenId, detail: `courrier ${match[1]}` });
    return reply
      .type('application/pdf')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', `inline; filename="${filename}"`)
      .send(pdf);
  });
}
