import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { ACCEPTED_TYPES, describeTypes, formatSize, storeAttachment } from '../../attachments/service.js';
import { profileRepository } from '../../citizens/profile-repository.js';
import { citizenProfile, householdMembers, type CitizenProfile } from '../../citizens/profile.js';
import type { App } from '../../http/context.js';
import { AppError, notFound, type FieldError } from '../../http/errors.js';
import { organisationRepository } from '../../organisations/repository.js';
import { isMobile } from '../../workflow/effects.js';
import { portalContext, portalOrganisation, sendPortalPage } from '../page.js';
import { checkCsrf, closeCitizenSession, requireCitizen, type CitizenSession } from '../session.js';
import { spaceAccountRepository } from './account-repository.js';
import { exportMyData } from './my-data.js';
import {
  addHouseholdMember,
  checkDeletionConfirmation,
  checkDocument,
  checkMember,
  checkPreferences,
  checkProfile,
  errorsByField,
  requestAccountDeletion,
  saveProfile,
  validityOf,
  type FormState,
  type PostedForm,
} from './service.js';
import { vaultRepository } from './vault-repository.js';
import { DashboardPage, DeleteAccountPage, DeletionRequestedPage, MyDataPage, NotificationsPage } from './views/account.js';
import { DeleteDocumentPage, DocumentsPage } from './views/documents.js';
import { emptyState } from './views/fields.js';
import { HouseholdPage, MemberFormPage, memberValues, RemoveMemberPage } from './views/household.js';
import { ProfilePage, profileValues } from './views/profile.js';

const hidden = { hide: true };
const DOCUMENT_ACCEPT = [...ACCEPTED_TYPES, '.heic'].join(',');

/** Messages shown once after a change, chosen by the `fait` query value of the redirect. */
const DONE: Record<string, string> = {
  ajout: 'La personne a été ajoutée à votre foyer.',
  modification: 'Les informations ont été enregistrées.',
  retrait: 'La personne a été retirée de votre foyer.',
  depot: 'Le document a été ajouté à votre porte-documents.',
  suppression: 'Le document a été supprimé de votre porte-documents.',
};

/** The form fields of an urlencoded body, first value of each, as text. */
function postedForm(body: unknown): PostedForm {
  const posted: PostedForm = {};
  if (typeof body !== 'object' || body === null) return posted;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') posted[key] = first;
  }
  return posted;
}

/** A positive id from the URL, or a 404: a malformed id is as unknown as someone else's. */
function idParam(request: FastifyRequest): number {
  const raw = (request.params as { id?: string }).id ?? '';
  if (!/^[1-9]\d{0,9}$/.test(raw)) throw notFound();
  return Number(raw);
}

const doneOf = (request: FastifyRequest): string | null => {
  const key = (request.query as Record<string, unknown>)['fait'];
  return typeof key === 'string' ? (DONE[key] ?? null) : null;
};

/** Today's date where the town is, as `YYYY-MM-DD`. */
function todayIn(timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function invalidState(values: PostedForm, errors: FieldError[]): FormState {
  return { values, errors: errorsByField(errors) };
}

/** « Mon espace »: profile, household, document safe, notification preferences, data export and account deletion. */
export async function spaceRoutes(app: App): Promise<void> {
  const db = () => app.ctx.db.kysely;
  const timezone = app.ctx.config.TIMEZONE;
  const maxBytes = app.ctx.config.ATTACHMENT_MAX_BYTES;
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 10_000, parts: 12 } });

  const page = (request: FastifyRequest, reply: FastifyReply, title: string, body: ComponentChildren, status = 200) =>
    sendPortalPage(request, reply, { title: status === 422 ? `Erreur — ${title}` : title, body, status });
  const csrfOf = async (request: FastifyRequest, reply: FastifyReply) => (await portalContext(request, reply)).csrf;

  /** The signed-in citizen's profile; a session whose citizen is gone is no session. */
  async function profileOf(session: CitizenSession): Promise<CitizenProfile> {
    const profile = await citizenProfile(db(), session.citizenId);
    if (!profile) throw notFound();
    return profile;
  }

  /** A member of the citizen's own household that they may edit, or a 404. */
  async function ownMember(session: CitizenSession, memberId: number) {
    const profile = await profileOf(session);
    const members = profile.householdId === null ? [] : await householdMembers(db(), profile.householdId);
    const member = members.find((m) => m.id === memberId && m.citizenId === null);
    if (!member || profile.householdId === null) throw notFound();
    return { profile, member, householdId: profile.householdId };
  }

  app.get('/mon-espace', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const profile = await profileOf(session);
    const today = todayIn(timezone);
    const [members, documents, account] = await Promise.all([
      profile.householdId === null ? [] : householdMembers(db(), profile.householdId),
      vaultRepository.listForCitizen(db(), session.citizenId),
      spaceAccountRepository.account(db(), session.citizenId),
    ]);
    const summary = {
      displayName: session.displayName,
      identityCertified: profile.identityAssurance !== 'declared',
      members: members.filter((m) => m.citizenId !== session.citizenId).length,
      documents: documents.length,
      expiredDocuments: documents.filter((d) => validityOf(d.expiresOn, today).state === 'expired').length,
      notify: { email: account?.notifyEmail ?? true, sms: account?.notifySms ?? false },
      deletionRequestedAt: account?.deletionRequestedAt ?? null,
    };
    return page(request, reply, 'Mon espace', <DashboardPage summary={summary} timezone={timezone} />);
  });

  // Profile: identity (locked when certified) and contacts.
  app.get('/mon-espace/profil', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const profile = await profileOf(session);
    const saved = doneOf(request) !== null;
    const body = <ProfilePage profile={profile} accountEmail={session.email} state={emptyState(profileValues(profile))} csrf={await csrfOf(request, reply)} saved={saved} />;
    return page(request, reply, 'Mon profil', body);
  });

  app.post('/mon-espace/profil', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const posted = postedForm(request.body);
    checkCsrf(request, posted['_csrf']);
    const profile = await profileOf(session);
    const checked = checkProfile(profile, posted, todayIn(timezone));
    if (!checked.ok) {
      const state = invalidState({ ...profileValues(profile), ...posted }, checked.errors);
      const body = <ProfilePage profile={profile} accountEmail={session.email} state={state} csrf={await csrfOf(request, reply)} saved={false} />;
      return page(request, reply, 'Mon profil', body, 422);
    }
    await saveProfile(app.ctx.db, session.citizenId, checked.value, new Date().toISOString());
    return reply.redirect('/mon-espace/profil?fait=modification', 303);
  });

  // Household: members the forms offer.
  app.get('/mon-espace/foyer', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const profile = await profileOf(session);
    const members = profile.householdId === null ? [] : await householdMembers(db(), profile.householdId);
    return page(request, reply, 'Mon foyer', <HouseholdPage members={members} citizenId={session.citizenId} saved={doneOf(request)} />);
  });

  app.get('/mon-espace/foyer/ajouter', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const body = <MemberFormPage action="/mon-espace/foyer/ajouter" title="Ajouter une personne à mon foyer" state={emptyState()} csrf={await csrfOf(request, reply)} />;
    return page(request, reply, 'Ajouter une personne à mon foyer', body);
  });

  app.post('/mon-espace/foyer/ajouter', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const posted = postedForm(request.body);
    checkCsrf(request, posted['_csrf']);
    const checked = checkMember(posted, todayIn(timezone));
    if (!checked.ok) {
      const body = <MemberFormPage action="/mon-espace/foyer/ajouter" title="Ajouter une personne à mon foyer" state={invalidState(posted, checked.errors)} csrf={await csrfOf(request, reply)} />;
      return page(request, reply, 'Ajouter une personne à mon foyer', body, 422);
    }
    await addHouseholdMember(app.ctx.db, await profileOf(session), checked.value, new Date().toISOString());
    return reply.redirect('/mon-espace/foyer?fait=ajout', 303);
  });

  app.get('/mon-espace/foyer/:id/modifier', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const { member } = await ownMember(session, idParam(request));
    const title = `Modifier ${member.firstNames} ${member.lastName}`;
    const body = <MemberFormPage action={`/mon-espace/foyer/${member.id}/modifier`} title={title} state={emptyState(memberValues(member))} csrf={await csrfOf(request, reply)} />;
    return page(request, reply, title, body);
  });

  app.post('/mon-espace/foyer/:id/modifier', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const posted = postedForm(request.body);
    checkCsrf(request, posted['_csrf']);
    const { member, householdId } = await ownMember(session, idParam(request));
    const checked = checkMember(posted, todayIn(timezone));
    if (!checked.ok) {
      const title = `Modifier ${member.firstNames} ${member.lastName}`;
      const body = <MemberFormPage action={`/mon-espace/foyer/${member.id}/modifier`} title={title} state={invalidState(posted, checked.errors)} csrf={await csrfOf(request, reply)} />;
      return page(request, reply, title, body, 422);
    }
    if (!(await profileRepository.updateMember(db(), householdId, member.id, checked.value))) throw notFound();
    return reply.redirect('/mon-espace/foyer?fait=modification', 303);
  });

  app.get('/mon-espace/foyer/:id/retirer', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const { member } = await ownMember(session, idParam(request));
    return page(request, reply, `Retirer ${member.firstNames} ${member.lastName} de mon foyer`, <RemoveMemberPage member={member} csrf={await csrfOf(request, reply)} />);
  });

  app.post('/mon-espace/foyer/:id/retirer', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    checkCsrf(request, postedForm(request.body)['_csrf']);
    const { member, householdId } = await ownMember(session, idParam(request));
    if (!(await profileRepository.removeMember(db(), householdId, member.id))) throw notFound();
    return reply.redirect('/mon-espace/foyer?fait=retrait', 303);
  });

  // Document safe.
  const limits = { types: describeTypes(), maxSize: formatSize(maxBytes), accept: DOCUMENT_ACCEPT };
  const documentsPage = async (request: FastifyRequest, reply: FastifyReply, session: CitizenSession, state: FormState, status = 200) => {
    const documents = await vaultRepository.listForCitizen(db(), session.citizenId);
    const body = (
      <DocumentsPage documents={documents} today={todayIn(timezone)} timezone={timezone} state={state} csrf={await csrfOf(request, reply)} saved={status === 200 ? doneOf(request) : null} limits={limits} />
    );
    return page(request, reply, 'Mon porte-documents', body, status);
  };

  app.get('/mon-espace/documents', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    return documentsPage(request, reply, session, emptyState());
  });

  app.post('/mon-espace/documents', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'Envoyez le formulaire de dépôt (multipart/form-data).');
    const posted: PostedForm = {};
    let file: { bytes: Buffer; filename: string } | null = null;
    let tooLarge = false;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.filename) file = { bytes, filename: part.filename };
        } else if (typeof part.value === 'string') {
          posted[part.fieldname] = part.value;
        }
      }
    } catch (error) {
      // Over the limit, the rest of the upload is dropped; what came before (the CSRF value first) is kept.
      if (!(error instanceof request.server.multipartErrors.RequestFileTooLargeError)) throw error;
      tooLarge = true;
    }
    checkCsrf(request, posted['_csrf']);
    const today = todayIn(timezone);
    const checked = checkDocument(posted, today);
    const errors: FieldError[] = checked.ok ? [] : [...checked.errors];
    if (tooLarge) errors.push({ field: 'file', code: 'too_large', message: `Le fichier dépasse la taille maximale de ${formatSize(maxBytes)}.` });
    else if (!file || file.bytes.length === 0) errors.push({ field: 'file', code: 'required', message: 'Choisissez le fichier à déposer.' });
    if (checked.ok && file && errors.length === 0) {
      try {
        const stored = await storeAttachment({ db: app.ctx.db, storage: app.ctx.storage, maxBytes }, session.organisationId, file.bytes, file.filename, { owner: { citizenId: session.citizenId } });
        await vaultRepository.insert(db(), session.citizenId, { attachmentId: stored.id, ...checked.value }, new Date().toISOString());
        return reply.redirect('/mon-espace/documents?fait=depot', 303);
      } catch (error) {
        if (!(error instanceof AppError) || !['attachment_type_refused', 'payload_too_large', 'bad_request'].includes(error.code)) throw error;
        const message = error.code === 'attachment_type_refused' ? `Ce type de fichier n’est pas accepté. Formats acceptés : ${describeTypes()}.` : error.message;
        errors.push({ field: 'file', code: error.code, message });
      }
    }
    return documentsPage(request, reply, session, invalidState(posted, errors), 422);
  });

  app.get('/mon-espace/documents/:id/fichier', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const document = await vaultRepository.findForCitizen(db(), session.citizenId, idParam(request));
    if (!document) throw notFound();
    const bytes = await app.ctx.storage.read(document.sha256);
    const ascii = document.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return reply
      .type(document.mimeType)
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(document.filename)}`)
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });

  app.get('/mon-espace/documents/:id/supprimer', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const document = await vaultRepository.findForCitizen(db(), session.citizenId, idParam(request));
    if (!document) throw notFound();
    return page(request, reply, `Supprimer « ${document.label} »`, <DeleteDocumentPage document={document} csrf={await csrfOf(request, reply)} />);
  });

  app.post('/mon-espace/documents/:id/supprimer', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    checkCsrf(request, postedForm(request.body)['_csrf']);
    if (!(await vaultRepository.softDelete(db(), session.citizenId, idParam(request), new Date().toISOString()))) throw notFound();
    return reply.redirect('/mon-espace/documents?fait=suppression', 303);
  });

  // Notification preferences.
  const mobileOf = (profile: CitizenProfile) => (profile.phone && isMobile(profile.phone) ? profile.phone : null);
  const notificationsPage = async (request: FastifyRequest, reply: FastifyReply, session: CitizenSession, state: FormState | null, status = 200) => {
    const [profile, account] = await Promise.all([profileOf(session), spaceAccountRepository.account(db(), session.citizenId)]);
    if (!account) throw notFound();
    const shown = state ?? emptyState({ notifyEmail: account.notifyEmail ? '1' : '', notifySms: account.notifySms ? '1' : '' });
    const body = <NotificationsPage email={account.email} mobile={mobileOf(profile)} state={shown} csrf={await csrfOf(request, reply)} saved={status === 200 && doneOf(request) !== null} />;
    return page(request, reply, 'Mes notifications', body, status);
  };

  app.get('/mon-espace/notifications', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    return notificationsPage(request, reply, session, null);
  });

  app.post('/mon-espace/notifications', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const posted = postedForm(request.body);
    checkCsrf(request, posted['_csrf']);
    const checked = checkPreferences(posted, mobileOf(await profileOf(session)));
    if (!checked.ok) return notificationsPage(request, reply, session, invalidState(posted, checked.errors), 422);
    await profileRepository.setNotificationPreferences(db(), session.citizenId, checked.value, new Date().toISOString());
    return reply.redirect('/mon-espace/notifications?fait=modification', 303);
  });

  // My data (RGPD articles 15 and 20).
  app.get('/mon-espace/mes-donnees', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const organisation = await portalOrganisation(request);
    return page(request, reply, 'Mes données', <MyDataPage organisationName={organisation.name} />);
  });

  app.get('/mon-espace/mes-donnees.json', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const organisation = await organisationRepository.findById(db(), session.organisationId);
    const now = new Date().toISOString();
    const data = await exportMyData(db(), session.citizenId, organisation?.name ?? '', now);
    if (!data) throw notFound();
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="mes-donnees-${now.slice(0, 10)}.json"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(JSON.stringify(data, null, 2));
  });

  // Account deletion request.
  const deletionPage = async (request: FastifyRequest, reply: FastifyReply, session: CitizenSession, state: FormState, status = 200) => {
    const account = await spaceAccountRepository.account(db(), session.citizenId);
    if (!account) throw notFound();
    const body = <DeleteAccountPage requestedAt={account.deletionRequestedAt} timezone={timezone} state={state} csrf={await csrfOf(request, reply)} />;
    return page(request, reply, 'Supprimer mon compte', body, status);
  };

  app.get('/mon-espace/supprimer-mon-compte', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    return deletionPage(request, reply, session, emptyState());
  });

  app.post('/mon-espace/supprimer-mon-compte', { schema: hidden }, async (request, reply) => {
    const session = await requireCitizen(request, reply);
    if (!session) return reply;
    const posted = postedForm(request.body);
    checkCsrf(request, posted['_csrf']);
    const [account, profile, organisation] = await Promise.all([
      spaceAccountRepository.account(db(), session.citizenId),
      profileOf(session),
      organisationRepository.findById(db(), session.organisationId),
    ]);
    if (!account || !organisation) throw notFound();
    const checked = checkDeletionConfirmation(posted, account.email);
    if (!checked.ok) return deletionPage(request, reply, session, invalidState({ ...posted, email: posted['email'] ?? '' }, checked.errors), 422);
    const recipient = organisation.email ?? mailAddressOf(app.ctx.config.MAIL_FROM);
    const citizenName = [profile.firstNames, profile.usageName ?? profile.birthName].filter(Boolean).join(' ') || account.email;
    await requestAccountDeletion(
      app.ctx.db,
      { citizenId: session.citizenId, organisationId: session.organisationId, recipient, citizenName, accountEmail: account.email, publicUrl: app.ctx.config.publicUrl },
      new Date().toISOString(),
    );
    await closeCitizenSession(request, reply);
    return reply.redirect('/mon-espace/suppression-demandee', 303);
  });

  // Shown after the session ended: it holds nothing personal.
  app.get('/mon-espace/suppression-demandee', { schema: hidden }, async (request, reply) => page(request, reply, 'Demande de suppression enregistrée', <DeletionRequestedPage />));
}

/** The address of a `Name <address>` sender. */
function mailAddressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}
