import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { acknowledgmentPdfFor } from '../../acknowledgments/service.js';
import { attachmentRepository } from '../../attachments/repository.js';
import { caseRepository } from '../../cases/repository.js';
import { citizenRepository } from '../../citizens/repository.js';
import { searchCitizens, type CitizenHit } from '../../citizens/search.js';
import type { App } from '../../http/context.js';
import { AppError, notFound, type FieldError } from '../../http/errors.js';
import { registerCsv, withStatusLabels } from '../../mail-register/service.js';
import { mailRegisterRepository } from '../../mail-register/repository.js';
import { readPostedValues, type FieldRenderContext, type UploadedFile } from '../../portal/forms/fields/index.js';
import { normalisedAnswers, visiblePages } from '../../portal/forms/service.js';
import { applyFileChanges, readPostedForm } from '../../portal/forms/uploads.js';
import { parseDateInput } from '../../procedures/form/dates.js';
import { procedureRepository, type Procedure } from '../../procedures/repository.js';
import { logAccess } from '../access-log.js';
import { visibleCall } from '../calls/service.js';
import { loadCaseForAgent } from '../cases/load.js';
import { sendBackofficePage } from '../page.js';
import { canSeeCase, scopeOf } from '../policy.js';
import { checkAgentCsrf, requireAgent, type AgentSession } from '../session.js';
import {
  FORM_KEY,
  NEW_CITIZEN_FIELDS,
  newFormKey,
  precheckRegistration,
  procedureFields,
  readRegistrationInput,
  registeredReceipt,
  registerRequest,
  SCAN_FIELD,
  today,
  type RegistrationInput,
} from './service.js';
import { CONTACT_SLUG, MAIL_REGISTER_URL, MailRegisterPage, NEW_REQUEST_URL, NewRequestPage, RegisteredPage } from './views.js';

const hidden = { hide: true };
const MAX_FILES_PER_POST = 10;
const REGISTER_LIMIT = 2_000;
const MAX_PARAM = 40;

/** A call id from the URL; anything else is simply not found. */
function callIdOf(value: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw notFound('Aucun appel de ce numéro.');
  return Number(value);
}

const registeredUrl = (key: string) => `${NEW_REQUEST_URL}/enregistree/${key}`;

/** Registering a request from another channel, and the postal mail register. */
export async function registrationRoutes(app: App): Promise<void> {
  const { config } = app.ctx;
  const db = () => app.ctx.db.kysely;
  const intakeDeps = () => ({ db: app.ctx.db, timezone: config.TIMEZONE, publicUrl: config.publicUrl });
  const attachmentDeps = () => ({ db: app.ctx.db, storage: app.ctx.storage, maxBytes: config.ATTACHMENT_MAX_BYTES });
  const pdfDeps = () => ({ timezone: config.TIMEZONE, publicUrl: config.publicUrl });
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: config.ATTACHMENT_MAX_BYTES, files: MAX_FILES_PER_POST, fields: 2000, fieldSize: 100_000, parts: 2000 + MAX_FILES_PER_POST },
  });

  /** The organisation's procedures, « Contact / autre demande » first; offline ones too (a counter takes them). */
  async function procedureChoices(organisationId: number): Promise<Procedure[]> {
    const all = await procedureRepository.list(db(), organisationId, { onlineOnly: false });
    return [...all.filter((p) => p.slug === CONTACT_SLUG), ...all.filter((p) => p.slug !== CONTACT_SLUG)];
  }

  interface Screen {
    input: RegistrationInput;
    procedure: Procedure | null;
    errors: FieldError[];
    runSearch: boolean;
  }

  async function sendScreen(request: FastifyRequest, reply: FastifyReply, session: AgentSession, screen: Screen) {
    const { input, procedure, errors } = screen;
    const scope = await scopeOf(request, session);
    const procedures = await procedureChoices(session.organisationId);
    const values = { ...input.data, ...input.citizen, ...rawMeta(input), [SCAN_FIELD.name]: input.scanIds };
    const uploads = new Map<string, UploadedFile>(
      (await attachmentRepository.listForDraft(db(), input.key)).map((a) => [a.id, { id: a.id, filename: a.filename, size: a.size, mimeType: a.mimeType }]),
    );
    const context: FieldRenderContext = {
      values,
      errors: new Map(errors.map((e) => [e.field, e.message])),
      householdMembers: [],
      uploads,
      vault: [],
      addressApi: config.ADDRESS_API_URL !== '',
      maxUploadBytes: config.ATTACHMENT_MAX_BYTES,
      map: config.MAP_TILE_URL ? { tileUrl: config.MAP_TILE_URL, attribution: config.MAP_ATTRIBUTION } : null,
    };
    let hits: CitizenHit[] | null = null;
    if (screen.runSearch && input.search) {
      hits = await searchCitizens(db(), session.organisationId, input.search, 10);
      await logAccess(request, session, { action: 'search_citizens', detail: 'nouvelle demande' });
    }
    const picked = await pickedCitizen(request, session, input.citizenId);
    return sendBackofficePage(request, reply, {
      status: errors.length > 0 ? 422 : 200,
      title: `${errors.length > 0 ? 'Erreur — ' : ''}Nouvelle demande`,
      session,
      scope,
      section: 'new-request',
      body: (
        <NewRequestPage
          csrf={session.csrf}
          formKey={input.key}
          procedures={procedures}
          procedure={procedure}
          pages={procedure ? visiblePages(procedure.form, normalisedAnswers(procedure.form, input.data)) : []}
          context={context}
          errors={errors}
          hits={hits}
          picked={picked}
          search={input.search}
          callId={input.callId ?? ''}
        />
      ),
    });
  }

  /** The citizen already chosen, shown again (their name is personal data: the display is logged). */
  async function pickedCitizen(request: FastifyRequest, session: AgentSession, citizenId: string) {
    if (!/^[1-9]\d{0,14}$/.test(citizenId)) return null;
    const id = Number(citizenId);
    if (!(await citizenRepository.exists(db(), session.organisationId, id))) return null;
    const summary = await citizenRepository.findSummary(db(), id);
    if (!summary) return null;
    await logAccess(request, session, { action: 'view_citizen', citizenId: id, detail: 'nouvelle demande' });
    return { id, label: [summary.fullName || `Usager n° ${id}`, summary.email, summary.phone].filter(Boolean).join(' — ') };
  }

  app.get(NEW_REQUEST_URL, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, unknown>;
    const slug = typeof query['demarche'] === 'string' ? query['demarche'].slice(0, 100) : '';
    const procedure = slug ? ((await procedureRepository.findBySlug(db(), session.organisationId, slug)) ?? null) : null;
    // From a telephone call (`?appel=<id>`, one the agent may see): channel « phone », and the
    // caller's record — or a new citizen with the number — already chosen.
    const call = typeof query['appel'] === 'string' ? await visibleCall(db(), await scopeOf(request, session), callIdOf(query['appel'])) : null;
    const citizenId = call?.citizen ? String(call.citizen.id) : typeof query['usager'] === 'string' ? query['usager'].slice(0, 16) : '';
    const input: RegistrationInput = {
      ...readRegistrationInput({ canal: call ? 'phone' : query['canal'] }),
      key: newFormKey(),
      procedureSlug: procedure?.slug ?? '',
      citizenMode: citizenId ? 'existant' : call && call.matches === 0 ? 'nouveau' : '',
      citizenId,
      // The number is on records but verified on none (or several): the agent checks who calls.
      search: call && !call.citizen && call.matches > 0 && call.e164 ? call.e164 : '',
      receivedOn: today(config.TIMEZONE),
      callId: call ? String(call.id) : '',
      citizen: call && !call.citizen && call.matches === 0 && call.e164 ? { usagerPhone: call.e164 } : {},
      data: {},
      scanIds: [],
    };
    // Records hold the number without naming the caller: the search for it is shown, the agent picks.
    if (input.search) return sendScreen(request, reply, session, { input: { ...input, citizenMode: 'existant' }, procedure, errors: [], runSearch: true });
    return sendScreen(request, reply, session, { input, procedure, errors: [], runSearch: false });
  });

  app.post(NEW_REQUEST_URL, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const posted = await readPostedForm(request);
    checkAgentCsrf(session, posted.body['_csrf']);
    const meta = readRegistrationInput(posted.body);
    if (!FORM_KEY.test(meta.key)) throw new AppError('bad_request', 'Ce formulaire est incomplet : rechargez la page « Nouvelle demande ».');
    // Registered from a call: only one the agent may see is linked to the case.
    if (meta.callId) await visibleCall(db(), await scopeOf(request, session), callIdOf(meta.callId));
    // Sent already (a double click, the back button): the first submission made the case.
    if (await registeredReceipt(db(), session.agentId, meta.key)) return reply.redirect(registeredUrl(meta.key), 303);

    const procedure = meta.procedureSlug ? ((await procedureRepository.findBySlug(db(), session.organisationId, meta.procedureSlug)) ?? null) : null;
    const fields = procedure ? procedureFields(procedure) : [];
    const values: Record<string, unknown> = { ...readPostedValues(fields, posted.body), ...readPostedValues([SCAN_FIELD], posted.body) };
    // The portal's upload code, with the form key as the « draft » owning the files: only files
    // uploaded through this very form can be cited by it.
    const uploadErrors = await applyFileChanges(
      attachmentDeps(),
      { organisationId: session.organisationId, draftId: meta.key, citizenId: null, vault: [] },
      [...fields, SCAN_FIELD],
      posted,
      values,
    );
    const scanIds = Array.isArray(values[SCAN_FIELD.name]) ? (values[SCAN_FIELD.name] as string[]) : [];
    delete values[SCAN_FIELD.name];
    const input: RegistrationInput = { ...meta, citizen: readPostedValues(NEW_CITIZEN_FIELDS, posted.body), data: values, scanIds };
    const uploadProblems = [...uploadErrors].map(([field, message]) => ({ field, code: 'upload_refused', message }));

    const action = typeof posted.body['_action'] === 'string' ? posted.body['_action'] : '';
    if (action !== 'envoyer') {
      return sendScreen(request, reply, session, { input, procedure, errors: uploadProblems, runSearch: true });
    }
    if (!procedure) {
      const errors = [...uploadProblems, { field: 'demarche', code: 'required', message: 'Choisissez la démarche concernée, ou « Contact / autre demande ».' }];
      return sendScreen(request, reply, session, { input, procedure, errors, runSearch: false });
    }
    const ctx = { organisationId: session.organisationId, agentId: session.agentId, procedure, timezone: config.TIMEZONE };
    if (uploadProblems.length > 0) {
      // Nothing is registered without the file the agent meant to attach; the other errors are said at once.
      const { errors } = await precheckRegistration(db(), ctx, input);
      return sendScreen(request, reply, session, { input, procedure, errors: [...uploadProblems, ...errors.filter((e) => !uploadErrors.has(e.field))], runSearch: false });
    }
    const outcome = await registerRequest(intakeDeps(), ctx, input);
    if (!outcome.ok) return sendScreen(request, reply, session, { input, procedure, errors: outcome.errors, runSearch: false });
    return reply.redirect(registeredUrl(meta.key), 303);
  });

  app.get(`${NEW_REQUEST_URL}/enregistree/:key`, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const receipt = await registeredReceipt(db(), session.agentId, (request.params as { key: string }).key);
    if (!receipt) throw notFound();
    const scope = await scopeOf(request, session);
    const canOpen = canSeeCase(scope, { organisationId: session.organisationId, department: { id: receipt.department.id }, assignedAgentId: null });
    const journal = await caseRepository.listJournal(db(), receipt.caseId);
    const ack = journal.find((e) => e.type === 'acknowledgment.sent' || e.type === 'acknowledgment.not_sent');
    return sendBackofficePage(request, reply, {
      title: `Demande enregistrée — ${receipt.reference}`,
      session,
      scope,
      section: 'new-request',
      body: (
        <RegisteredPage
          receipt={receipt}
          registerNumber={(await mailRegisterRepository.numberOfCase(db(), receipt.caseId)) ?? null}
          canOpen={canOpen}
          acknowledgment={ack ? { channel: String(ack.payload['channel']), sent: ack.type === 'acknowledgment.sent' } : null}
          letterUrl={`${registeredUrl((request.params as { key: string }).key)}/accuse-reception.pdf`}
          timezone={config.TIMEZONE}
        />
      ),
    });
  });

  /**
   * The acknowledgment letter of a request this agent just registered: they may print it even when
   * the case went to a department they do not see (the key of their own registration is the proof).
   */
  app.get(`${NEW_REQUEST_URL}/enregistree/:key/accuse-reception.pdf`, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const receipt = await registeredReceipt(db(), session.agentId, (request.params as { key: string }).key);
    if (!receipt) throw notFound();
    const found = await acknowledgmentPdfFor(db(), pdfDeps(), { by: 'organisation', organisationId: session.organisationId, reference: receipt.reference }, 'letter');
    if (!found) throw notFound();
    await logAccess(request, session, { action: 'export_case', caseId: receipt.caseId, citizenId: receipt.citizen?.id ?? null, detail: 'accusé de réception (courrier)' });
    return sendPdf(reply, found);
  });

  app.get('/backoffice/dossiers/:reference/accuse-reception.pdf', { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const { view } = await loadCaseForAgent(request, session, (request.params as { reference: string }).reference.slice(0, MAX_PARAM));
    const found = await acknowledgmentPdfFor(db(), pdfDeps(), { by: 'organisation', organisationId: session.organisationId, reference: view.reference }, 'letter');
    if (!found) throw notFound();
    await logAccess(request, session, { action: 'export_case', caseId: view.id, citizenId: view.citizenId, detail: 'accusé de réception (courrier)' });
    return sendPdf(reply, found);
  });

  /** The register's period from the query: this month by default; the errors of bad dates. */
  function period(query: Record<string, unknown>): { from: string; to: string; errors: FieldError[] } {
    const now = DateTime.now().setZone(config.TIMEZONE);
    const errors: FieldError[] = [];
    const read = (name: string, fallback: string) => {
      const raw = typeof query[name] === 'string' ? query[name].trim() : '';
      if (!raw) return fallback;
      const date = parseDateInput(raw.slice(0, 10));
      if (!date) errors.push({ field: name, code: 'invalid', message: `La date « ${raw.slice(0, 20)} » n’est pas valide : utilisez le format JJ/MM/AAAA.` });
      return date ?? fallback;
    };
    const from = read('du', now.startOf('month').toISODate()!);
    const to = read('au', now.toISODate()!);
    if (from > to) errors.push({ field: 'au', code: 'invalid', message: 'La date de fin doit suivre la date de début.' });
    return { from, to, errors };
  }

  async function registerLines(request: FastifyRequest, session: AgentSession, from: string, to: string) {
    const scope = await scopeOf(request, session);
    const entries = await mailRegisterRepository.list(db(), {
      organisationId: session.organisationId,
      from,
      to,
      visible: { departmentIds: scope.departmentIds, agentId: scope.agentId },
      limit: REGISTER_LIMIT,
    });
    // The repository filters by the same set; the policy has the last word.
    const visible = entries.filter((e) => canSeeCase(scope, { organisationId: session.organisationId, department: e.case.department, assignedAgentId: e.case.assignedAgentId }));
    return { scope, lines: await withStatusLabels(db(), visible) };
  }

  app.get(MAIL_REGISTER_URL, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const { from, to, errors } = period(request.query as Record<string, unknown>);
    const { scope, lines } = errors.length > 0 ? { scope: await scopeOf(request, session), lines: [] } : await registerLines(request, session, from, to);
    // Senders are personal data: the display of the register is logged.
    if (lines.length > 0) await logAccess(request, session, { action: 'view_case', detail: `registre du courrier ${from} → ${to}` });
    return sendBackofficePage(request, reply, {
      status: errors.length > 0 ? 422 : 200,
      title: `${errors.length > 0 ? 'Erreur — ' : ''}Registre du courrier`,
      session,
      scope,
      section: 'mail',
      body: <MailRegisterPage from={from} to={to} lines={lines} errors={errors} limit={REGISTER_LIMIT} csvUrl={`${MAIL_REGISTER_URL}.csv?du=${from}&au=${to}`} />,
    });
  });

  app.get(`${MAIL_REGISTER_URL}.csv`, { schema: hidden }, async (request, reply) => {
    const session = await requireAgent(request, reply);
    if (!session) return reply;
    const { from, to, errors } = period(request.query as Record<string, unknown>);
    if (errors.length > 0) throw new AppError('validation_failed', errors.map((e) => e.message).join(' '), errors);
    const { lines } = await registerLines(request, session, from, to);
    await logAccess(request, session, { action: 'export_case', detail: `registre du courrier ${from} → ${to} (CSV)` });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="registre-courrier-${from}-${to}.csv"`)
      .header('cache-control', 'private, no-store')
      .send(registerCsv(lines));
  });
}

/** The screen's own answers under their input names, to fill the inputs again. */
function rawMeta(input: RegistrationInput): Record<string, unknown> {
  return {
    canal: input.channel,
    usager: input.citizenMode,
    dateReception: input.receivedOn,
    expediteur: input.sender,
    objetCourrier: input.mailSubject,
    accuse: input.acknowledgment,
  };
}

function sendPdf(reply: FastifyReply, found: { reference: string; pdf: Buffer }): FastifyReply {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="accuse-reception-${found.reference}.pdf"`)
    .header('cache-control', 'private, no-store')
    .send(found.pdf);
}
