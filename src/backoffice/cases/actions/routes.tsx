import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../http/context.js';
import { AppError } from '../../../http/errors.js';
import { logAccess } from '../../access-log.js';
import { mentionRoutes } from '../../mentions/routes.js';
import { sendBackofficePage } from '../../page.js';
import { checkAgentCsrf, requireAgent, type AgentSession } from '../../session.js';
import { loadCaseForAgent, type AgentCase } from '../load.js';
import { loadReplyPanel } from '../reply/panel.js';
import { CasePage } from '../views/case-page.js';
import { loadCasePageModel } from '../views/model.js';
import { ActionRefusal, DONE_PARAM, loadCaseActions, problemTarget, setActionsFeedback, type ActionForm, type ActionsFeedback } from './panel.js';
import {
  addNote,
  assignCase,
  attachDocument,
  describeConflict,
  mergeInto,
  parseVersion,
  takeCase,
  transferToDepartment,
  transitionCase,
  type ActionDeps,
} from './service.js';

const hidden = { hide: true };
type Params = { reference: string };
/** At most this many files in one transition's form. */
const MAX_FILES = 5;

/** A posted form: its fields (repeated ones as lists) and its files, urlencoded or multipart. */
interface Posted {
  fields: Record<string, string | string[]>;
  files: Record<string, { filename: string; bytes: Buffer }[]>;
  /** A file over the size limit: said on the form rather than crashing the request. */
  fileProblem: string | null;
}

/** Actions on a case: take, assign, transfer, transition, notes with mentions, documents, merge. */
export async function caseActionRoutes(app: App): Promise<void> {
  const maxBytes = app.ctx.config.ATTACHMENT_MAX_BYTES;
  await app.register(multipart, { limits: { fileSize: maxBytes, files: MAX_FILES, fields: 40, fieldSize: 20_000, parts: MAX_FILES + 40 } });
  await app.register(mentionRoutes);
  const deps = (): ActionDeps => ({
    db: app.ctx.db,
    timezone: app.ctx.config.TIMEZONE,
    publicUrl: app.ctx.config.publicUrl,
    attachments: { db: app.ctx.db, storage: app.ctx.storage, maxBytes },
  });

  /**
   * One action: signed-in agent, CSRF, access to the case (another department's is "not found"),
   * the service, then back to the case page with a notice. A refusal the agent can act on (bad
   * input, a stale page, an action no longer possible) re-renders the actions with what they typed.
   */
  function act(form: ActionForm, run: (c: { posted: Posted; found: AgentCase; session: AgentSession; version: number }) => Promise<string>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await requireAgent(request, reply);
      if (!session) return reply;
      const posted = await readPosted(request);
      const sent = one(posted.fields['_csrf']) || request.headers['x-csrf-token'];
      checkAgentCsrf(session, Array.isArray(sent) ? sent[0] : sent);
      const reference = (request.params as Params).reference;
      const found = await loadCaseForAgent(request, session, reference);
      const transition = form === 'transition' ? one(posted.fields['transition']) : undefined;
      let seenVersion: number | null = null;
      try {
        seenVersion = parseVersion(one(posted.fields['version']));
        if (posted.fileProblem) {
          throw new AppError('validation_failed', posted.fileProblem, [{ field: form === 'attach' ? 'document' : 'inputs', code: 'too_large', message: posted.fileProblem }]);
        }
        const location = await run({ posted, found, session, version: seenVersion });
        return reply.redirect(location, 303);
      } catch (error) {
        if (!(error instanceof AppError) || !REFUSALS.has(error.code)) throw error;
        const values = { ...posted.fields };
        delete values['_csrf'];
        const which = { form, ...(transition ? { transition } : {}), values };
        if (error.code === 'version_conflict') {
          const conflict = await describeConflict(app.ctx.db, app.ctx.config.TIMEZONE, found.view.id, seenVersion);
          return sendRefusal(request, reply, session, reference, error.status, { ...which, problems: [], conflict });
        }
        const problems =
          error.errors.length > 0
            ? error.errors.map((e) => ({ target: problemTarget(form, e.field, transition), message: e.message }))
            : [{ target: problemTarget(form, '', transition), message: error.message }];
        return sendRefusal(request, reply, session, reference, error.status, { ...which, problems });
      }
    };
  }

  /**
   * A refused action answers the case page itself, as it is now, with the refusal on top (a
   * conflict or an error summary) and what the agent typed kept in the panel's form.
   */
  async function sendRefusal(request: FastifyRequest, reply: FastifyReply, session: AgentSession, reference: string, status: number, feedback: ActionsFeedback) {
    const { view, scope } = await loadCaseForAgent(request, session, reference);
    await logAccess(request, session, { action: 'view_case', caseId: view.id, citizenId: view.citizenId });
    setActionsFeedback(request, { ...feedback, shownAbove: true });
    const [model, actions, replyPanel] = await Promise.all([
      loadCasePageModel(request, scope, view),
      loadCaseActions(request, session, scope, view),
      loadReplyPanel(request, session, scope, view),
    ]);
    const map = app.ctx.config.MAP_TILE_URL ? { tileUrl: app.ctx.config.MAP_TILE_URL, attribution: app.ctx.config.MAP_ATTRIBUTION } : null;
    return sendBackofficePage(request, reply, {
      status,
      title: `${feedback.conflict ? 'Modification concurrente' : 'Action non enregistrée'} — dossier ${view.reference} — ${view.subject}`,
      session,
      scope,
      section: 'inbox',
      body: (
        <>
          <ActionRefusal feedback={feedback} />
          <CasePage model={model} actions={actions} reply={replyPanel} map={map} list={null} />
        </>
      ),
    });
  }

  const url = (reference: string, done: string, extra = '') => `/backoffice/dossiers/${encodeURIComponent(reference)}?${DONE_PARAM}=${done}${extra}#actions`;

  app.post(
    '/backoffice/dossiers/:reference/prendre',
    { schema: hidden },
    act('take', async ({ found, session, version }) => {
      await takeCase(deps(), { session, scope: found.scope }, found.view, version);
      return url(found.view.reference, 'prise');
    }),
  );

  app.post(
    '/backoffice/dossiers/:reference/attribuer',
    { schema: hidden },
    act('assign', async ({ posted, found, session, version }) => {
      await assignCase(deps(), { session, scope: found.scope }, found.view, version, one(posted.fields['agent']));
      return url(found.view.reference, 'attribution');
    }),
  );

  app.post(
    '/backoffice/dossiers/:reference/transferer',
    { schema: hidden },
    act('transfer', async ({ posted, found, session, version }) => {
      const done = await transferToDepartment(deps(), { session, scope: found.scope }, found.view, version, {
        departmentId: one(posted.fields['department']),
        reason: one(posted.fields['reason']),
      });
      // An agent who no longer sees the case goes back to their inbox, told where it went.
      if (!done.stillVisible) return `/backoffice/dossiers?transfert=${encodeURIComponent(found.view.reference)}&service=${encodeURIComponent(done.departmentName)}`;
      return url(found.view.reference, 'transfert');
    }),
  );

  app.post(
    '/backoffice/dossiers/:reference/transition',
    { schema: hidden },
    act('transition', async ({ posted, found, session, version }) => {
      const values: Record<string, string> = {};
      for (const [key, value] of Object.entries(posted.fields)) if (key.startsWith('inputs.')) values[key.slice('inputs.'.length)] = one(value);
      const files: Record<string, { filename: string; bytes: Buffer }[]> = {};
      for (const [key, list] of Object.entries(posted.files)) if (key.startsWith('inputs.')) files[key.slice('inputs.'.length)] = list;
      await transitionCase(deps(), { session, scope: found.scope }, found.view, version, { name: one(posted.fields['transition']), values, files });
      return url(found.view.reference, 'transition');
    }),
  );

  app.post(
    '/backoffice/dossiers/:reference/notes',
    { schema: hidden },
    act('note', async ({ posted, found, session, version }) => {
      const mentions = posted.fields['mentions'];
      await addNote(deps(), { session, scope: found.scope }, found.view, version, {
        text: one(posted.fields['text']),
        mentions: Array.isArray(mentions) ? mentions : mentions ? [mentions] : [],
      });
      return url(found.view.reference, 'note');
    }),
  );

  app.post(
    '/backoffice/dossiers/:reference/pieces',
    { schema: hidden },
    act('attach', async ({ posted, found, session, version }) => {
      await attachDocument(deps(), { session, scope: found.scope }, found.view, version, posted.files['document']?.[0] ?? null);
      return url(found.view.reference, 'piece');
    }),
  );

  app.post(
    '/backoffice/dossiers/:reference/fusionner',
    { schema: hidden },
    act('merge', async ({ posted, found, session, version }) => {
      const { keptReference } = await mergeInto(deps(), { session, scope: found.scope }, found.view, version, one(posted.fields['reference']));
      return url(keptReference, 'fusion', `&depuis=${encodeURIComponent(found.view.reference)}`);
    }),
  );
}

/** Errors shown on the actions panel; anything else is a real error page. */
const REFUSALS = new Set<string>([
  'validation_failed',
  'version_conflict',
  'transition_unknown',
  'transition_not_available',
  'transition_forbidden',
  'no_workflow',
  'bad_request',
]);

function one(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Reads an urlencoded or multipart form; a too large file becomes a problem shown on the form. */
async function readPosted(request: FastifyRequest): Promise<Posted> {
  const fields: Posted['fields'] = {};
  const files: Posted['files'] = {};
  const add = (name: string, value: string) => {
    const previous = fields[name];
    fields[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  };
  if (!request.isMultipart()) {
    const body = request.body;
    if (body && typeof body === 'object') {
      for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
        if (typeof value === 'string') add(name, value);
        else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') add(name, v);
      }
    }
    return { fields, files, fileProblem: null };
  }
  let fileProblem: string | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') add(part.fieldname, part.value);
        continue;
      }
      const bytes = await part.toBuffer();
      // A file input left empty still sends a part, without a name and without bytes.
      if (bytes.length === 0 && !part.filename) continue;
      (files[part.fieldname] ??= []).push({ filename: part.filename || 'document', bytes });
    }
  } catch (error) {
    const { RequestFileTooLargeError, FilesLimitError } = request.server.multipartErrors;
    if (error instanceof RequestFileTooLargeError) fileProblem = 'Le fichier dépasse la taille maximale acceptée.';
    else if (error instanceof FilesLimitError) fileProblem = `Joignez au plus ${MAX_FILES} fichiers.`;
    else throw error;
  }
  return { fields, files, fileProblem };
}
