import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { attachmentRepository } from '../../attachments/repository.js';
import { citizenProfile, householdMembers, type CitizenProfile, type HouseholdMember } from '../../citizens/profile.js';
import type { App } from '../../http/context.js';
import { AppError, notFound, type FieldError } from '../../http/errors.js';
import type { Field, FormPage } from '../../procedures/form/definition.js';
import { procedureRepository, type Procedure } from '../../procedures/repository.js';
import { portalOrganisation, sendPortalPage } from '../page.js';
import { checkCsrf, citizenSessionOf, csrfToken, requireCitizen, visitorIdOf, type CitizenSession } from '../session.js';
import { vaultRepository, type VaultDocument } from '../space/vault-repository.js';
import { applyGroupAction, FormFields, readPostedValues, type FieldRenderContext, type UploadedFile } from './fields/index.js';
import { draftAccess } from './policy.js';
import { prefilledAnswers } from './prefill.js';
import { draftRepository, type Draft } from './repository.js';
import {
  checkContact,
  CONTACT_STEP,
  contactForm,
  newDraftId,
  nextStep,
  normalisedAnswers,
  pageErrors,
  pageOfErrors,
  parseContact,
  previousStep,
  REVIEW_STEP,
  stepsOf,
  topLevelName,
  validateDraft,
  visiblePages,
  type Step,
} from './service.js';
import { submitDraft, submittedReceipt } from './submission.js';
import { applyFileChanges, readPostedForm, type PostedForm } from './uploads.js';
import { ConfirmationPage, DraftsPage } from './views/confirmation.js';
import { DECLARATION, ReviewPage } from './views/review.js';
import { StepForm } from './views/step.js';

const hidden = { hide: true };
const DRAFT_ID = /^[A-Za-z0-9_-]{22}$/;
const SLUG = /^[a-z0-9-]{1,100}$/;
/** Multipart: a page seldom has more than a few file inputs; the bound keeps memory use predictable. */
const MAX_FILES_PER_POST = 10;

const stepUrl = (slug: string, draftId: string, step: string) => `/demarches/${slug}/brouillons/${draftId}/${step}`;

/** The procedure page's online start: the CSRF value and the signed-in citizen's draft to resume. */
export async function formStartOf(request: FastifyRequest, reply: FastifyReply, organisationId: number, slug: string) {
  const db = request.server.ctx.db.kysely;
  const session = await citizenSessionOf(request);
  const procedure = session ? await procedureRepository.findBySlug(db, organisationId, slug) : undefined;
  const draftId = session && procedure ? ((await draftRepository.latestUnfinished(db, session.citizenId, procedure.id)) ?? null) : null;
  return { csrf: csrfToken(request, reply), draftId, signedIn: session !== null };
}

/** Everything a draft's pages need, loaded once per request after the owner is checked. */
interface DraftScope {
  organisationId: number;
  procedure: Procedure;
  draft: Draft;
  session: CitizenSession | null;
  profile: CitizenProfile | undefined;
  members: HouseholdMember[];
  householdMemberIds: string[] | undefined;
  vault: VaultDocument[];
}

/** A procedure's online form: start, pages, contact step, check-your-answers, submission, confirmation, "Mes brouillons". */
export async function formRoutes(app: App): Promise<void> {
  const { config } = app.ctx;
  const db = () => app.ctx.db.kysely;
  const attachmentDeps = () => ({ db: app.ctx.db, storage: app.ctx.storage, maxBytes: config.ATTACHMENT_MAX_BYTES });
  const intakeDeps = () => ({ db: app.ctx.db, timezone: config.TIMEZONE, publicUrl: config.publicUrl });
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: config.ATTACHMENT_MAX_BYTES, files: MAX_FILES_PER_POST, fields: 2000, fieldSize: 100_000, parts: 2000 + MAX_FILES_PER_POST },
  });

  /** The procedure, if open online in the portal's town; otherwise the visitor is told it does not exist. */
  async function onlineProcedure(request: FastifyRequest, slug: string): Promise<{ organisationId: number; procedure: Procedure }> {
    const org = await portalOrganisation(request);
    if (org.id === null || !SLUG.test(slug)) throw notFound();
    const procedure = await procedureRepository.findBySlug(db(), org.id, slug);
    if (!procedure?.isOnline) throw notFound();
    return { organisationId: org.id, procedure };
  }

  async function household(session: CitizenSession | null) {
    const profile = session ? await citizenProfile(db(), session.citizenId) : undefined;
    const members = profile?.householdId ? await householdMembers(db(), profile.householdId) : [];
    return { profile, members };
  }

  /** The draft of the URL, if this browser may open it (404 otherwise, whether it exists or not). */
  async function openDraft(request: FastifyRequest, reply: FastifyReply, slug: string, draftId: string): Promise<DraftScope> {
    const { organisationId, procedure } = await onlineProcedure(request, slug);
    if (!DRAFT_ID.test(draftId)) throw notFound();
    const draft = await draftRepository.find(db(), organisationId, draftId);
    if (!draft || draft.procedureId !== procedure.id) throw notFound();
    const session = await citizenSessionOf(request);
    const access = draftAccess(draft, { citizenId: session?.citizenId ?? null, visitorId: visitorIdOf(request, reply) });
    if (access === 'none') throw notFound();
    // A draft already sent stays as it was sent (its case is not the citizen's): it is only shown.
    if (access === 'adopt' && session && draft.caseId === null) {
      await draftRepository.adopt(db(), draft.id, session.citizenId, new Date().toISOString());
      draft.citizenId = session.citizenId;
    }
    const { profile, members } = await household(session);
    const vault = session ? await vaultRepository.listForCitizen(db(), session.citizenId) : [];
    return { organisationId, procedure, draft, session, profile, members, householdMemberIds: session ? members.map((m) => String(m.id)) : undefined, vault };
  }

  /** Where the draft stands: its visible pages (for its current answers) and the steps. */
  function progress(scope: DraftScope, data: Record<string, unknown>) {
    const values = normalisedAnswers(scope.procedure.form, data, scope.householdMemberIds);
    const pages = visiblePages(scope.procedure.form, values);
    return { values, pages, steps: stepsOf(pages, scope.session !== null) };
  }

  async function renderContext(scope: DraftScope, values: Record<string, unknown>, errors: FieldError[]): Promise<FieldRenderContext> {
    const uploads = new Map<string, UploadedFile>(
      (await attachmentRepository.listForDraft(db(), scope.draft.id)).map((a) => [a.id, { id: a.id, filename: a.filename, size: a.size, mimeType: a.mimeType }]),
    );
    return {
      values,
      errors: new Map(errors.map((e) => [e.field, e.message])),
      householdMembers: scope.members,
      uploads,
      vault: scope.vault,
      addressApi: config.ADDRESS_API_URL !== '',
      maxUploadBytes: config.ATTACHMENT_MAX_BYTES,
      map: config.MAP_TILE_URL ? { tileUrl: config.MAP_TILE_URL, attribution: config.MAP_ATTRIBUTION } : null,
    };
  }

  async function sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: DraftScope,
    page: FormPage,
    steps: Step[],
    data: Record<string, unknown>,
    errors: FieldError[],
    saved: boolean,
  ) {
    const { procedure, draft } = scope;
    const context = await renderContext(scope, data, errors);
    return sendPortalPage(request, reply, {
      status: errors.length > 0 ? 422 : 200,
      title: `${errors.length > 0 ? 'Erreur — ' : ''}${page.title} — ${procedure.title}`,
      cacheControl: 'no-store',
      body: (
        <StepForm
          procedure={procedure}
          steps={steps}
          current={page.id}
          title={page.title}
          description={page.description}
          action={stepUrl(procedure.slug, draft.id, page.id)}
          csrf={csrfToken(request, reply)}
          multipart={hasFileField(page.fields)}
          errors={errors}
          hasOwnButtons={page.fields.some((f) => f.type === 'group')}
          first={steps[0]?.id === page.id}
          saved={saved ? (scope.session ? 'citizen' : 'visitor') : null}
        >
          <FormFields fields={page.fields} context={context} />
        </StepForm>
      ),
    });
  }

  async function sendContact(request: FastifyRequest, reply: FastifyReply, scope: DraftScope, steps: Step[], raw: Record<string, unknown>, errors: FieldError[], saved: boolean) {
    const { procedure, draft } = scope;
    const form = contactForm(procedure.allowAnonymous);
    const context = await renderContext(scope, raw, errors);
    const retour = stepUrl(procedure.slug, draft.id, CONTACT_STEP);
    return sendPortalPage(request, reply, {
      status: errors.length > 0 ? 422 : 200,
      title: `${errors.length > 0 ? 'Erreur — ' : ''}Vos coordonnées — ${procedure.title}`,
      cacheControl: 'no-store',
      body: (
        <StepForm
          procedure={procedure}
          steps={steps}
          current={CONTACT_STEP}
          title="Vos coordonnées"
          description={
            procedure.allowAnonymous
              ? 'Indiquez qui fait la demande et comment vous répondre, ou restez anonyme.'
              : 'Indiquez qui fait la demande et comment vous répondre : au moins une adresse électronique, un téléphone ou une adresse postale.'
          }
          action={retour}
          csrf={csrfToken(request, reply)}
          multipart={false}
          errors={errors}
          hasOwnButtons={false}
          first={false}
          saved={saved ? 'visitor' : null}
        >
          <p class="notice">
            Vous avez un compte ? <a href={`/connexion?retour=${encodeURIComponent(retour)}`}>Connectez-vous</a> pour ne pas avoir à saisir vos coordonnées
            et suivre votre demande dans votre espace. Connectez-vous depuis ce navigateur : vos réponses déjà saisies y seront reprises.
          </p>
          <FormFields fields={form.pages[0]!.fields} context={context} />
        </StepForm>
      ),
    });
  }

  async function sendReview(request: FastifyRequest, reply: FastifyReply, scope: DraftScope, errors: FieldError[]) {
    const { procedure, draft, session } = scope;
    const { values, pages, steps } = progress(scope, draft.data);
    const checked = validateDraft(procedure.form, draft.data, { householdMemberIds: scope.householdMemberIds });
    const context = await renderContext(scope, draft.data, []);
    return sendPortalPage(request, reply, {
      status: errors.length > 0 ? 422 : 200,
      title: `${errors.length > 0 ? 'Erreur — ' : ''}Vérification — ${procedure.title}`,
      cacheControl: 'no-store',
      body: (
        <ReviewPage
          procedure={procedure}
          steps={steps}
          pages={pages}
          values={checked.ok ? checked.value : values}
          context={context}
          stepUrl={(step) => stepUrl(procedure.slug, draft.id, step)}
          action={stepUrl(procedure.slug, draft.id, REVIEW_STEP)}
          csrf={csrfToken(request, reply)}
          signedIn={session ? { displayName: session.displayName, email: scope.profile?.email ?? session.email } : null}
          contact={parseContact(draft.contact)}
          errors={errors}
        />
      ),
    });
  }

  app.post('/demarches/:slug/commencer', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, (request.body as Record<string, unknown> | undefined)?.['_csrf']);
    const { organisationId, procedure } = await onlineProcedure(request, (request.params as { slug: string }).slug);
    const session = await citizenSessionOf(request);
    const { profile, members } = await household(session);
    const data = session ? prefilledAnswers(procedure.form, profile ?? null, members) : {};
    const pages = visiblePages(procedure.form, normalisedAnswers(procedure.form, data));
    const first = pages[0]?.id ?? REVIEW_STEP;
    const id = newDraftId();
    await draftRepository.insert(
      db(),
      { id, organisationId, procedureId: procedure.id, citizenId: session?.citizenId ?? null, visitorId: session ? null : visitorIdOf(request, reply), data, pageId: first },
      new Date().toISOString(),
    );
    return reply.redirect(stepUrl(procedure.slug, id, first), 303);
  });

  app.get('/demarches/:slug/brouillons/:draftId', { schema: hidden }, async (request, reply) => {
    const { slug, draftId } = request.params as { slug: string; draftId: string };
    const scope = await openDraft(request, reply, slug, draftId);
    if (scope.draft.caseId !== null) return reply.redirect(`/demarches/${slug}/envoyee/${draftId}`, 303);
    const { steps } = progress(scope, scope.draft.data);
    const resume = steps.find((s) => s.id === scope.draft.pageId) ?? steps[0]!;
    return reply.redirect(stepUrl(slug, draftId, resume.id), 303);
  });

  app.get('/demarches/:slug/brouillons/:draftId/:step', { schema: hidden }, async (request, reply) => {
    const { slug, draftId, step } = request.params as { slug: string; draftId: string; step: string };
    const scope = await openDraft(request, reply, slug, draftId);
    if (scope.draft.caseId !== null) return reply.redirect(`/demarches/${slug}/envoyee/${draftId}`, 303);
    const saved = (request.query as Record<string, unknown>)['enregistre'] === '1';
    const { pages, steps } = progress(scope, scope.draft.data);
    if (step === REVIEW_STEP) {
      if (!scope.session && !parseContact(scope.draft.contact)) return reply.redirect(stepUrl(slug, draftId, CONTACT_STEP), 303);
      return sendReview(request, reply, scope, []);
    }
    if (step === CONTACT_STEP) {
      if (scope.session) return reply.redirect(stepUrl(slug, draftId, REVIEW_STEP), 303);
      const raw = (scope.draft.contact?.['raw'] as Record<string, unknown> | undefined) ?? {};
      return sendContact(request, reply, scope, steps, raw, [], saved);
    }
    const page = pages.find((p) => p.id === step);
    if (!page) {
      if (scope.procedure.form.pages.some((p) => p.id === step)) return reply.redirect(stepUrl(slug, draftId, steps[0]!.id), 303);
      throw notFound();
    }
    return sendPage(request, reply, scope, page, steps, scope.draft.data, [], saved);
  });

  app.post('/demarches/:slug/brouillons/:draftId/:step', { schema: hidden }, async (request, reply) => {
    const { slug, draftId, step } = request.params as { slug: string; draftId: string; step: string };
    const scope = await openDraft(request, reply, slug, draftId);
    const posted = await readPostedForm(request);
    checkCsrf(request, posted.body['_csrf']);
    if (scope.draft.caseId !== null) return reply.redirect(`/demarches/${slug}/envoyee/${draftId}`, 303);
    if (step === REVIEW_STEP) return postReview(request, reply, scope, posted);
    if (step === CONTACT_STEP) return postContact(request, reply, scope, posted);
    const page = progress(scope, scope.draft.data).pages.find((p) => p.id === step);
    if (!page) throw notFound();
    return postPage(request, reply, scope, page, posted);
  });

  async function postPage(request: FastifyRequest, reply: FastifyReply, scope: DraftScope, page: FormPage, posted: PostedForm) {
    const { procedure, draft } = scope;
    const answers = readPostedValues(page.fields, posted.body);
    const uploadErrors = await applyFileChanges(
      attachmentDeps(),
      { organisationId: scope.organisationId, draftId: draft.id, citizenId: scope.session?.citizenId ?? null, vault: scope.vault },
      page.fields,
      posted,
      answers,
    );
    const names = new Set(page.fields.map((f) => f.name));
    let data: Record<string, unknown> = { ...Object.fromEntries(Object.entries(draft.data).filter(([key]) => !names.has(key))), ...answers };
    const action = typeof posted.body['_action'] === 'string' ? posted.body['_action'] : null;
    if (action) data = applyGroupAction(page.fields, data, action) ?? data;
    const now = new Date().toISOString();
    await draftRepository.saveAnswers(db(), draft.id, data, page.id, now);

    const { pages, steps } = progress(scope, data);
    const here = stepUrl(procedure.slug, draft.id, page.id);
    const nav = posted.body['_nav'];
    if (action && uploadErrors.size === 0) return reply.redirect(here, 303);
    if (nav === 'back' && uploadErrors.size === 0) {
      const previous = previousStep(steps, page.id);
      return reply.redirect(previous ? stepUrl(procedure.slug, draft.id, previous) : `/demarches/${procedure.slug}`, 303);
    }
    if (nav === 'save' && uploadErrors.size === 0) return reply.redirect(`${here}?enregistre=1`, 303);

    const errors = [
      ...[...uploadErrors].map(([field, message]) => ({ field, code: 'upload_refused', message })),
      ...pageErrors(procedure.form, page, data, { householdMemberIds: scope.householdMemberIds }).filter((e) => !uploadErrors.has(e.field)),
    ];
    if (errors.length > 0 || !pages.some((p) => p.id === page.id)) {
      const shown = pages.find((p) => p.id === page.id);
      if (!shown) return reply.redirect(stepUrl(procedure.slug, draft.id, steps[0]!.id), 303);
      return sendPage(request, reply, scope, shown, steps, data, errors, false);
    }
    return reply.redirect(stepUrl(procedure.slug, draft.id, nextStep(steps, page.id)), 303);
  }

  async function postContact(request: FastifyRequest, reply: FastifyReply, scope: DraftScope, posted: PostedForm) {
    const { procedure, draft } = scope;
    if (scope.session) return reply.redirect(stepUrl(procedure.slug, draft.id, REVIEW_STEP), 303);
    const raw = readPostedValues(contactForm(procedure.allowAnonymous).pages[0]!.fields, posted.body);
    const checked = checkContact(procedure.allowAnonymous, raw);
    const now = new Date().toISOString();
    await draftRepository.saveContact(db(), draft.id, checked.ok ? checked.contact : { raw }, now);
    const { steps } = progress(scope, draft.data);
    const nav = posted.body['_nav'];
    if (nav === 'back') return reply.redirect(stepUrl(procedure.slug, draft.id, previousStep(steps, CONTACT_STEP) ?? steps[0]!.id), 303);
    if (nav === 'save') return reply.redirect(`${stepUrl(procedure.slug, draft.id, CONTACT_STEP)}?enregistre=1`, 303);
    if (!checked.ok) return sendContact(request, reply, scope, steps, raw, checked.errors, false);
    return reply.redirect(stepUrl(procedure.slug, draft.id, REVIEW_STEP), 303);
  }

  /** Sends the draft through THE intake, once: a double click or a retry replays the first answer. */
  async function postReview(request: FastifyRequest, reply: FastifyReply, scope: DraftScope, posted: PostedForm) {
    const { procedure, draft, session } = scope;
    const contact = parseContact(draft.contact);
    if (!session && !contact) return reply.redirect(stepUrl(procedure.slug, draft.id, CONTACT_STEP), 303);
    const { pages, steps } = progress(scope, draft.data);
    const checked = validateDraft(procedure.form, draft.data, { householdMemberIds: scope.householdMemberIds });
    if (!checked.ok) return sendPageErrors(request, reply, scope, pages, steps, checked.errors);
    if (posted.body[DECLARATION] !== 'oui') {
      return sendReview(request, reply, scope, [{ field: DECLARATION, code: 'required', message: 'Cochez la case pour certifier l’exactitude des informations fournies.' }]);
    }
    const outcome = await submitDraft(intakeDeps(), {
      organisationId: scope.organisationId,
      procedure,
      draft,
      citizenId: session?.citizenId ?? null,
      profile: scope.profile,
      contact,
      householdMemberIds: scope.householdMemberIds,
    });
    if (outcome.ok) return reply.redirect(`/demarches/${procedure.slug}/envoyee/${draft.id}`, 303);
    if (outcome.on === 'citizen' && !session) return sendContact(request, reply, scope, steps, contact?.raw ?? {}, outcome.errors, false);
    return sendPageErrors(request, reply, scope, pages, steps, outcome.errors);
  }

  /** Errors found at submission are shown on the page where they can be corrected. */
  async function sendPageErrors(request: FastifyRequest, reply: FastifyReply, scope: DraftScope, pages: FormPage[], steps: Step[], errors: FieldError[]) {
    const page = pageOfErrors(pages, errors);
    if (!page) throw new AppError('validation_failed', errors.map((e) => e.message).join(' '));
    const names = new Set(page.fields.map((f) => f.name));
    return sendPage(request, reply, scope, page, steps, scope.draft.data, errors.filter((e) => names.has(topLevelName(e.field))), false);
  }

  app.get('/demarches/:slug/envoyee/:draftId', { schema: hidden }, async (request, reply) => {
    const { slug, draftId } = request.params as { slug: string; draftId: string };
    const scope = await openDraft(request, reply, slug, draftId);
    if (scope.draft.caseId === null) return reply.redirect(`/demarches/${slug}/brouillons/${draftId}`, 303);
    const receipt = await submittedReceipt(intakeDeps(), draftId);
    if (!receipt) throw notFound();
    return sendPortalPage(request, reply, {
      title: `Demande envoyée — ${scope.procedure.title}`,
      cacheControl: 'no-store',
      body: <ConfirmationPage receipt={receipt} timezone={config.TIMEZONE} signedIn={scope.session !== null && receipt.citizen?.id === scope.session.citizenId} />,
    });
  });

  app.get('/mes-brouillons', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const drafts = await draftRepository.listUnfinished(db(), session.citizenId);
    const deleted = (request.query as Record<string, unknown>)['supprime'] === '1';
    return sendPortalPage(request, reply, {
      title: 'Mes brouillons',
      body: <DraftsPage drafts={drafts} csrf={csrfToken(request, reply)} timezone={config.TIMEZONE} deleted={deleted} />,
    });
  });

  app.post('/mes-brouillons/:draftId/supprimer', { schema: hidden }, async (request, reply) => {
    checkCsrf(request, (request.body as Record<string, unknown> | undefined)?.['_csrf']);
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const { draftId } = request.params as { draftId: string };
    const org = await portalOrganisation(request);
    const draft = DRAFT_ID.test(draftId) && org.id !== null ? await draftRepository.find(db(), org.id, draftId) : undefined;
    if (!draft || draft.citizenId !== session.citizenId || draft.caseId !== null) throw notFound();
    if (await draftRepository.deleteUnfinished(db(), draft.id)) await attachmentRepository.deleteUnusedOfDraft(db(), draft.id);
    return reply.redirect('/mes-brouillons?supprime=1', 303);
  });
}

function hasFileField(fields: Field[]): boolean {
  return fields.some((f) => f.type === 'file' || (f.type === 'group' && f.fields.some((s) => s.type === 'file')));
}
