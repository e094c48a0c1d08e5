/**
 * « Mes demandes »: what a signed-in citizen may see and do on their cases and on those of the
 * members of their household. Whatever is refused is "not found" (`null` here, a 404 page for the
 * routes): a citizen never learns that someone else's case or file exists.
 */
import { storeAttachment, type AttachmentDeps } from '../../attachments/service.js';
import type { CaseView } from '../../cases/repository.js';
import { caseRepository } from '../../cases/repository.js';
import { citizenProfile, householdMembers, type HouseholdMember } from '../../citizens/profile.js';
import { cachedConfiguration } from '../../configuration/cache.js';
import type { Executor } from '../../db/transaction.js';
import { AppError, invalid, type FieldError } from '../../http/errors.js';
import { openInformationRequest, recordCitizenReply } from '../../messages/citizen-reply.js';
import { messageRepository } from '../../messages/repository.js';
import type { Field } from '../../procedures/form/definition.js';
import { isVisible } from '../../procedures/form/validate.js';
import { procedureRepository } from '../../procedures/repository.js';
import type { Status, StatusCategory } from '../../workflow/definition.js';
import { isClosedCategory } from '../../workflow/engine.js';
import { workflowRepository } from '../../workflow/repository.js';
import type { WorkflowDeps } from '../../workflow/service.js';
import { myCasesRepository, type CaseFile, type FollowedCitizen } from './repository.js';

export const PAGE_SIZE = 50;

/** Who looks: the signed-in citizen of the portal's organisation. */
export interface Viewer {
  citizenId: number;
  organisationId: number;
}

/** How a request reached the town hall, in the citizen's words. */
export const CHANNEL_LABELS: Record<string, string> = {
  web: 'En ligne',
  mobile: 'Application mobile',
  email: 'Par courriel',
  phone: 'Par téléphone',
  counter: 'Au guichet',
  mail: 'Par courrier',
  social: 'Réseaux sociaux',
  api: 'Par un service partenaire',
  open311: 'Application de signalement',
};

/** The status as the citizen reads it; a case without workflow is « en cours » or « terminée ». */
export interface CitizenStatus {
  label: string;
  category: StatusCategory | null;
  closed: boolean;
  /** The town waits for the citizen's answer. */
  awaitingCitizen: boolean;
}

export interface MyCaseItem {
  reference: string;
  title: string;
  subject: string;
  channel: string;
  receivedAt: string;
  status: CitizenStatus;
  /** The household member the case is for; null for the viewer's own. */
  ownerName: string | null;
  /** Reply-by date of the information request, when the town waits for the citizen. */
  replyBy: string | null;
}

export interface MyCasesPage {
  items: MyCaseItem[];
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
  state: 'all' | 'open' | 'closed';
}

/** Statuses of a workflow version: versions never change, so the process may keep them. */
async function statusesOf(db: Executor, workflowId: number): Promise<Map<string, Status>> {
  return cachedConfiguration(db, `workflow-statuses:${workflowId}`, async () => {
    const workflow = await workflowRepository.byId(db, workflowId);
    return new Map((workflow?.definition.statuses ?? []).map((s) => [s.id, s]));
  });
}

async function citizenStatus(db: Executor, c: { workflowId: number | null; status: string; closedAt: string | null }): Promise<CitizenStatus> {
  const status = c.workflowId !== null ? (await statusesOf(db, c.workflowId)).get(c.status) : undefined;
  if (!status) return { label: c.closedAt ? 'Demande terminée' : 'Demande en cours de traitement', category: null, closed: c.closedAt !== null, awaitingCitizen: false };
  return { label: status.citizenLabel, category: status.category, closed: isClosedCategory(status.category), awaitingCitizen: status.category === 'waiting_citizen' };
}

/** `received_at|id` of the last row: the next page starts after it. */
function encodeCursor(row: { receivedAt: string; id: number }): string {
  return Buffer.from(`${row.receivedAt}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { receivedAt: string; id: number } | undefined {
  if (!cursor || cursor.length > 100) return undefined;
  const [receivedAt, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!receivedAt || !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(receivedAt) || !id || !/^\d{1,12}$/.test(id)) return undefined;
  return { receivedAt, id: Number(id) };
}

/** One page of the cases the viewer follows (theirs and their household's), newest first. */
export async function listMyCases(db: Executor, viewer: Viewer, query: { state?: string; after?: string }): Promise<MyCasesPage> {
  const state = query.state === 'en-cours' ? 'open' : query.state === 'terminees' ? 'closed' : 'all';
  const followed = await myCasesRepository.followedCitizens(db, viewer.citizenId);
  const names = new Map(followed.map((f) => [f.citizenId, f.name]));
  const after = decodeCursor(query.after);
  const page = await myCasesRepository.list(db, {
    organisationId: viewer.organisationId,
    citizenIds: followed.map((f) => f.citizenId),
    state,
    ...(after ? { after } : {}),
    limit: PAGE_SIZE,
  });
  const items = await Promise.all(
    page.items.map(async (row) => {
      const status = await citizenStatus(db, row);
      return {
        reference: row.reference,
        title: row.procedureTitle ?? row.subject,
        subject: row.subject,
        channel: CHANNEL_LABELS[row.channel] ?? row.channel,
        receivedAt: row.receivedAt,
        status,
        ownerName: names.get(row.citizenId) ?? null,
        replyBy: status.awaitingCitizen ? row.replyBy : null,
      };
    }),
  );
  const last = page.items.at(-1);
  return { items, next: page.hasMore && last ? encodeCursor(last) : null, state };
}

/**
 * The case at `reference` if the viewer may follow it (theirs, or a current household member's),
 * else undefined.
 */
async function followedCase(db: Executor, viewer: Viewer, reference: string): Promise<{ view: CaseView; owner: FollowedCitizen } | undefined> {
  if (reference.length > 40) return undefined;
  const view = await caseRepository.findByReference(db, viewer.organisationId, reference);
  if (!view || view.citizenId === null) return undefined;
  if (view.citizenId === viewer.citizenId) return { view, owner: { citizenId: viewer.citizenId, name: null } };
  const owner = (await myCasesRepository.followedCitizens(db, viewer.citizenId)).find((f) => f.citizenId === view.citizenId);
  return owner ? { view, owner } : undefined;
}

export interface FileLink {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
}

export type TimelineEntry =
  | { kind: 'step'; at: string; label: string }
  | { kind: 'message'; at: string; direction: 'in' | 'out'; subject: string; body: string; files: FileLink[] };

/** What `AnswerList` needs to show the answers of the form with its labels. */
export interface CaseAnswers {
  fields: Field[];
  values: Record<string, unknown>;
  householdMembers: HouseholdMember[];
  uploads: Map<string, FileLink>;
}

export interface CasePage {
  reference: string;
  title: string;
  subject: string;
  channel: string;
  ownerName: string | null;
  status: CitizenStatus;
  receivedAt: string;
  dueAt: string | null;
  implicitDecisionAt: string | null;
  timeline: TimelineEntry[];
  answers: CaseAnswers | null;
  /** What the citizen sent: files of the form and of their replies. */
  files: FileLink[];
  /** Documents the town issued (generated by the workflow). */
  documents: (FileLink & { title: string })[];
  openRequest: { subject: string; body: string; replyBy: string | null } | null;
  satisfaction: { rating: number; comment: string | null } | 'ask' | null;
}

/**
 * Files of a case its citizen may see: those sent with the request, those of their replies, and
 * the documents issued to them. Agents' working files (a scanned decision given as a transition
 * input) stay internal.
 */
function visibleFiles(files: CaseFile[], journal: Awaited<ReturnType<typeof caseRepository.listJournal>>, incomingMessageIds: Set<number>) {
  const sent = new Set<string>();
  const issued = new Map<string, string>();
  for (const event of journal) {
    if (event.type === 'case.created' && Array.isArray(event.payload['attachments'])) for (const id of event.payload['attachments']) sent.add(String(id));
    if (event.type === 'document.generated' && typeof event.payload['attachmentId'] === 'string') issued.set(event.payload['attachmentId'], String(event.payload['title'] ?? ''));
  }
  const link = (f: CaseFile): FileLink => ({ id: f.id, filename: f.filename, mimeType: f.mimeType, size: f.size });
  return {
    sent: files.filter((f) => sent.has(f.id) || (f.messageId !== null && incomingMessageIds.has(f.messageId))).map(link),
    issued: files.filter((f) => issued.has(f.id)).map((f) => ({ ...link(f), title: issued.get(f.id) || f.filename })),
    byMessage: (messageId: number) => files.filter((f) => f.messageId === messageId && incomingMessageIds.has(messageId)).map(link),
  };
}

/** Everything the case page shows, or undefined when the viewer may not follow the case. */
export async function myCasePage(db: Executor, viewer: Viewer, reference: string): Promise<CasePage | undefined> {
  const found = await followedCase(db, viewer, reference);
  if (!found) return undefined;
  const { view, owner } = found;
  const [journal, messages, files, satisfaction, status] = await Promise.all([
    caseRepository.listJournal(db, view.id),
    messageRepository.listForCase(db, view.id),
    myCasesRepository.files(db, view.id),
    myCasesRepository.satisfaction(db, view.id),
    citizenStatus(db, view),
  ]);
  const statuses = view.workflowId !== null ? await statusesOf(db, view.workflowId) : new Map<string, Status>();
  const citizenMessages = messages.filter((m) => m.direction === 'in' || m.channel !== 'agent_email');
  const visible = visibleFiles(files, journal, new Set(messages.filter((m) => m.direction === 'in').map((m) => m.id)));

  const steps = journal.flatMap((e): TimelineEntry[] => {
    if (e.type === 'case.created') return [{ kind: 'step', at: e.createdAt, label: 'Demande reçue' }];
    if (e.type === 'status.changed' && e.payload['from'] !== e.payload['to']) {
      const to = statuses.get(String(e.payload['to']));
      return to ? [{ kind: 'step', at: e.createdAt, label: to.citizenLabel }] : [];
    }
    if (e.type === 'decision.implicit') {
      return [{ kind: 'step', at: e.createdAt, label: e.payload['regime'] === 'accord' ? 'Accord implicite (silence de l’administration)' : 'Rejet implicite (silence de l’administration)' }];
    }
    if (e.type === 'document.generated') return [{ kind: 'step', at: e.createdAt, label: `Document disponible : ${String(e.payload['title'] ?? '')}` }];
    return [];
  });
  const exchanged = citizenMessages.map((m): TimelineEntry => ({
    kind: 'message',
    at: m.created_at,
    direction: m.direction,
    subject: m.subject,
    body: m.body_text,
    files: visible.byMessage(m.id),
  }));
  // Steps first on equal times: a status change comes before the message it sends.
  const timeline = [...steps, ...exchanged].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  const request = status.awaitingCitizen ? openInformationRequest(journal) : null;
  const requestMessage = request?.messageId != null ? messages.find((m) => m.id === request.messageId) : undefined;
  return {
    reference: view.reference,
    title: view.procedure?.title ?? view.subject,
    subject: view.subject,
    channel: CHANNEL_LABELS[view.channel] ?? view.channel,
    ownerName: owner.name,
    status,
    receivedAt: view.receivedAt,
    dueAt: status.closed ? null : view.dueAt,
    implicitDecisionAt: status.closed ? null : view.implicitDecisionAt,
    timeline,
    answers: await answersOf(db, view, files),
    files: visible.sent,
    documents: visible.issued,
    openRequest: request ? { subject: requestMessage?.subject ?? 'Demande d’informations', body: requestMessage?.body_text ?? '', replyBy: request.replyBy } : null,
    satisfaction: satisfaction ? { rating: satisfaction.rating, comment: satisfaction.comment } : status.closed ? 'ask' : null,
  };
}

/**
 * The form's answers as `AnswerList` shows them: the fields of the pages the answers showed, the
 * values, the household members a field may name and the files a file field cites.
 */
async function answersOf(db: Executor, view: CaseView, files: CaseFile[]): Promise<CaseAnswers | null> {
  const procedure = view.procedureId !== null ? await procedureRepository.findById(db, view.procedureId) : undefined;
  if (!procedure) return null;
  const fields = procedure.form.pages.filter((page) => !page.visibleWhen || isVisible(page.visibleWhen, view.data)).flatMap((page) => page.fields);
  const namesMember = fields.some((f) => f.type === 'householdMember' || (f.type === 'group' && f.fields.some((g) => g.type === 'householdMember')));
  const profile = namesMember && view.citizenId !== null ? await citizenProfile(db, view.citizenId) : undefined;
  return {
    fields,
    values: view.data,
    householdMembers: profile?.householdId ? await householdMembers(db, profile.householdId) : [],
    uploads: new Map(files.map((f) => [f.id, { id: f.id, filename: f.filename, size: f.size, mimeType: f.mimeType }])),
  };
}

/** A file of a followed case the viewer may download, with where its bytes are; else undefined. */
export async function myCaseFile(db: Executor, viewer: Viewer, reference: string, attachmentId: string): Promise<CaseFile | undefined> {
  if (attachmentId.length > 64) return undefined;
  const found = await followedCase(db, viewer, reference);
  if (!found) return undefined;
  const [journal, messages, files] = await Promise.all([
    caseRepository.listJournal(db, found.view.id),
    messageRepository.listForCase(db, found.view.id),
    myCasesRepository.files(db, found.view.id),
  ]);
  const visible = visibleFiles(files, journal, new Set(messages.filter((m) => m.direction === 'in').map((m) => m.id)));
  const allowed = [...visible.sent, ...visible.issued].some((f) => f.id === attachmentId);
  return allowed ? files.find((f) => f.id === attachmentId) : undefined;
}

/** A file the browser sent with a reply. */
export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

export const MAX_REPLY_FILES = 5;
export const MAX_REPLY_LENGTH = 10_000;

/**
 * Checks a reply typed on the case page; the errors name the form's fields (`body`, `files`).
 */
export function checkReply(input: { body: string; files: UploadedFile[] }): FieldError[] {
  const errors: FieldError[] = [];
  const body = input.body.trim();
  if (!body && input.files.length === 0) errors.push({ field: 'body', code: 'required', message: 'Écrivez votre message ou joignez un fichier.' });
  if (body.length > MAX_REPLY_LENGTH) errors.push({ field: 'body', code: 'too_long', message: `Votre message dépasse ${MAX_REPLY_LENGTH.toLocaleString('fr-FR')} caractères : raccourcissez-le.` });
  if (input.files.length > MAX_REPLY_FILES) errors.push({ field: 'files', code: 'too_many', message: `Vous pouvez joindre au plus ${MAX_REPLY_FILES} fichiers.` });
  return errors;
}

/**
 * Sends the viewer's reply on a followed case: the files are stored first (as the viewer's
 * uploads), then the reply is recorded with them in one transaction. Undefined when the case is
 * not theirs to follow.
 */
export async function replyOnMyCase(
  deps: WorkflowDeps & { attachments: AttachmentDeps },
  viewer: Viewer,
  reference: string,
  input: { subject?: string; body: string; files: UploadedFile[] },
): Promise<{ transition: string | null } | undefined> {
  const found = await followedCase(deps.db.kysely, viewer, reference);
  if (!found) return undefined;
  const errors = checkReply(input);
  if (errors.length > 0) throw invalid(errors);
  const attachmentIds: string[] = [];
  for (const [index, file] of input.files.entries()) {
    try {
      const stored = await storeAttachment(deps.attachments, viewer.organisationId, file.bytes, file.filename, { owner: { citizenId: viewer.citizenId } });
      attachmentIds.push(stored.id);
    } catch (error) {
      if (error instanceof AppError) {
        throw invalid([{ field: 'files', code: error.code, message: `${file.filename} : ${error.message}` }], `Le fichier n° ${index + 1} est refusé.`);
      }
      throw error;
    }
  }
  const recorded = await recordCitizenReply(deps, {
    organisationId: viewer.organisationId,
    caseId: found.view.id,
    citizenId: viewer.citizenId,
    channel: 'portal',
    ...(input.subject ? { subject: input.subject } : {}),
    body: input.body.trim(),
    attachmentIds,
    receivedAt: new Date().toISOString(),
  });
  return { transition: recorded.transition };
}

/** Words of each rating, as the question offers them. */
export const RATINGS = [
  { value: 1, label: 'Très insatisfait' },
  { value: 2, label: 'Insatisfait' },
  { value: 3, label: 'Moyennement satisfait' },
  { value: 4, label: 'Satisfait' },
  { value: 5, label: 'Très satisfait' },
] as const;
export const MAX_COMMENT = 2_000;

/**
 * Records the viewer's satisfaction on a closed followed case, once. Undefined when the case is
 * not theirs to follow; 'not_closed' or 'already' when it cannot be answered (any more).
 */
export async function answerSatisfaction(
  db: Executor,
  viewer: Viewer,
  reference: string,
  input: { rating: unknown; comment: unknown },
): Promise<'recorded' | 'not_closed' | 'already' | undefined> {
  const found = await followedCase(db, viewer, reference);
  if (!found) return undefined;
  const status = await citizenStatus(db, found.view);
  if (!status.closed) return 'not_closed';
  const errors: FieldError[] = [];
  const rating = typeof input.rating === 'string' && /^[1-5]$/.test(input.rating) ? Number(input.rating) : null;
  if (rating === null) errors.push({ field: 'rating', code: 'invalid_choice', message: 'Choisissez une note de 1 (très insatisfait) à 5 (très satisfait).' });
  const comment = typeof input.comment === 'string' ? input.comment.trim() : '';
  if (comment.length > MAX_COMMENT) errors.push({ field: 'comment', code: 'too_long', message: `Votre commentaire dépasse ${MAX_COMMENT.toLocaleString('fr-FR')} caractères : raccourcissez-le.` });
  if (errors.length > 0) throw invalid(errors);
  const inserted = await myCasesRepository.answerSatisfaction(db, { caseId: found.view.id, citizenId: viewer.citizenId, rating: rating!, comment: comment || null }, new Date().toISOString());
  return inserted ? 'recorded' : 'already';
}
