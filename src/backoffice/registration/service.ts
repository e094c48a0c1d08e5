/**
 * Registering a request that reached the town hall by phone, at the counter, by post or as a
 * forwarded e-mail: the agent fills the procedure's form on the citizen's behalf, and the request
 * goes through THE intake like any other, with the legal receipt date the agent gives. A letter
 * is written in the postal mail register in the same transaction as its case.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { attachmentRepository } from '../../attachments/repository.js';
import type { AcknowledgmentChannel } from '../../acknowledgments/service.js';
import type { Actor } from '../../cases/journal.js';
import { caseRepository, type Channel } from '../../cases/repository.js';
import { citizenRepository } from '../../citizens/repository.js';
import { citizenForm } from '../../intake/citizen-form.js';
import { hashRequest, idempotencyRepository } from '../../intake/idempotency.js';
import { submitCase, type IntakeDeps, type IntakeReceipt } from '../../intake/service.js';
import { localDate } from '../../deadlines/local-date.js';
import type { Executor } from '../../db/transaction.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { registerLetter } from '../../mail-register/service.js';
import { linkCallToCase } from '../calls/service.js';
import type { Field, FileField, FormDefinition, LeafField } from '../../procedures/form/definition.js';
import { parseDateInput } from '../../procedures/form/dates.js';
import { validateSubmission } from '../../procedures/form/validate.js';
import type { Procedure } from '../../procedures/repository.js';

/** The channels an agent registers a request from, in the words of the screen. */
export const REGISTRATION_CHANNELS = [
  { value: 'phone', label: 'Téléphone' },
  { value: 'counter', label: 'Accueil physique' },
  { value: 'mail', label: 'Courrier postal' },
  { value: 'email', label: 'Courriel transféré' },
] as const satisfies readonly { value: Channel; label: string }[];
export type RegistrationChannel = (typeof REGISTRATION_CHANNELS)[number]['value'];

/** How the acknowledgment of receipt goes out, in the words of the screen. */
export const ACKNOWLEDGMENT_CHOICES = [
  { value: 'email', label: 'Par courriel', hint: 'À l’adresse électronique de l’usager.' },
  { value: 'sms', label: 'Par SMS', hint: 'Au numéro de mobile de l’usager.' },
  { value: 'letter', label: 'Par courrier à imprimer', hint: 'Un accusé de réception en PDF, à imprimer et à envoyer ou à remettre.' },
  { value: 'none', label: 'Aucun', hint: 'Pour un simple appel ou une question qui n’en appelle pas (le dossier garde la trace de ce choix).' },
] as const satisfies readonly { value: AcknowledgmentChannel; label: string; hint: string }[];

/** Who asks: a citizen found in the records, a new one, or nobody (where the procedure allows it). */
export const CITIZEN_MODES = [
  { value: 'existant', label: 'Usager déjà connu' },
  { value: 'nouveau', label: 'Nouvel usager' },
  { value: 'anonyme', label: 'Demande anonyme' },
] as const;
export type CitizenMode = (typeof CITIZEN_MODES)[number]['value'];

/** Where the idempotency keys of this screen live, per agent: a key only ever replays its own agent's request. */
export const idempotencyScopeOf = (agentId: number) => `backoffice-registration:${agentId}`;

/** The key a rendered form carries: a double submit (or a retry) of that form makes one case. */
export const FORM_KEY = /^[A-Za-z0-9_-]{22}$/;
export function newFormKey(): string {
  return randomBytes(16).toString('base64url');
}

/** The intake's citizen fields, named apart from any procedure field (`usagerEmail`, `usagerAddress.postcode`…). */
const CITIZEN_PREFIX = 'usager';
const CITIZEN_NAMES = ['civility', 'firstNames', 'lastName', 'usageName', 'birthDate', 'email', 'phone', 'address'] as const;
const prefixed = (name: string) => `${CITIZEN_PREFIX}${name[0]!.toUpperCase()}${name.slice(1)}`;

/** The new citizen's inputs: the intake's own fields (same rules, same messages), names required. */
export const NEW_CITIZEN_FIELDS: LeafField[] = CITIZEN_NAMES.map((name) => {
  const field = citizenForm.pages[0]!.fields.find((f) => f.name === name) as LeafField;
  const required = name === 'firstNames' || name === 'lastName';
  return { ...field, name: prefixed(name), ...(required ? { required: true } : {}) } as LeafField;
});
const newCitizenForm: FormDefinition = { version: 1, pages: [{ id: 'usager', title: 'Nouvel usager', fields: NEW_CITIZEN_FIELDS }] };

/** The scanned letter or document, attached to the case whatever its procedure's form holds. */
export const SCAN_FIELD: FileField = {
  type: 'file',
  name: 'courrierNumerise',
  label: 'Courrier ou document numérisé',
  hint: 'Le courrier reçu, scanné, ou un document remis au guichet.',
  accept: ['application/pdf', 'image/jpeg', 'image/png'],
  maxFiles: 3,
};

/** The screen's own inputs, as posted (raw strings), besides the procedure's answers. */
export interface RegistrationInput {
  key: string;
  channel: string;
  citizenMode: string;
  citizenId: string;
  search: string;
  procedureSlug: string;
  receivedOn: string;
  sender: string;
  mailSubject: string;
  acknowledgment: string;
  /** The new citizen's raw answers, under their `usager…` names. */
  citizen: Record<string, unknown>;
  /** The procedure's raw answers. */
  data: Record<string, unknown>;
  /** Attachment ids of the scanned letter, already restricted to this form's own uploads. */
  scanIds: string[];
  /** The telephone call the request was registered from (`appel`), empty otherwise; checked by the route. */
  callId?: string;
}

const one = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '').trim();

/** The screen's own inputs read from a posted body (the procedure answers and files are read by the portal's code). */
export function readRegistrationInput(body: Record<string, unknown>): Omit<RegistrationInput, 'citizen' | 'data' | 'scanIds'> {
  return {
    key: one(body['_cle']),
    channel: one(body['canal']),
    citizenMode: one(body['usager']),
    citizenId: one(body['citizenId']),
    search: one(body['usagerRecherche']).slice(0, 200),
    procedureSlug: one(body['demarche']).slice(0, 100),
    receivedOn: parseDateInput(one(body['dateReception'])) ?? one(body['dateReception']),
    sender: one(body['expediteur']).slice(0, 300),
    mailSubject: one(body['objetCourrier']).slice(0, 300),
    acknowledgment: one(body['accuse']),
    callId: one(body['appel']).slice(0, 16),
  };
}

/** Today in the organisation's time zone, `YYYY-MM-DD`. */
export function today(timezone: string, now = new Date()): string {
  return localDate(now, timezone);
}

/**
 * The legal receipt time of a request: now when it arrived today, else the start of the day it
 * arrived (the deadlines run from it, CRPA L112-11), in the organisation's time zone.
 */
export function receiptInstant(receivedOn: string, timezone: string, now = new Date()): string {
  if (receivedOn === today(timezone, now)) return now.toISOString();
  return DateTime.fromISO(receivedOn, { zone: timezone }).startOf('day').toUTC().toISO()!;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The checks of the screen's own inputs (the intake checks the citizen and the procedure's answers). */
export function checkRegistration(input: RegistrationInput, procedure: Procedure, timezone: string, now = new Date()): FieldError[] {
  const errors: FieldError[] = [];
  if (!REGISTRATION_CHANNELS.some((c) => c.value === input.channel)) {
    errors.push({ field: 'canal', code: 'required', message: 'Indiquez par quel canal la demande est arrivée.' });
  }
  if (!CITIZEN_MODES.some((m) => m.value === input.citizenMode)) {
    errors.push({ field: 'usager', code: 'required', message: 'Indiquez qui fait la demande : un usager connu, un nouvel usager, ou une demande anonyme.' });
  } else if (input.citizenMode === 'existant' && !/^[1-9]\d{0,14}$/.test(input.citizenId)) {
    errors.push({ field: 'usagerRecherche', code: 'required', message: 'Recherchez l’usager puis choisissez-le dans la liste des résultats.' });
  } else if (input.citizenMode === 'anonyme' && !procedure.allowAnonymous) {
    errors.push({ field: 'usager', code: 'anonymous_not_allowed', message: `La démarche « ${procedure.title} » ne peut pas être faite de façon anonyme : indiquez l’usager.` });
  }
  const date = DateTime.fromISO(input.receivedOn, { zone: timezone });
  if (!ISO_DATE.test(input.receivedOn) || !date.isValid) {
    errors.push({ field: 'dateReception', code: 'invalid', message: 'Indiquez la date de réception au format JJ/MM/AAAA.' });
  } else if (input.receivedOn > today(timezone, now)) {
    errors.push({ field: 'dateReception', code: 'future', message: 'La date de réception ne peut pas être dans le futur.' });
  } else if (input.receivedOn < '2000-01-01') {
    errors.push({ field: 'dateReception', code: 'too_early', message: 'La date de réception est trop ancienne : vérifiez l’année.' });
  }
  if (!ACKNOWLEDGMENT_CHOICES.some((a) => a.value === input.acknowledgment)) {
    errors.push({ field: 'accuse', code: 'required', message: 'Indiquez comment envoyer l’accusé de réception, ou « Aucun ».' });
  } else if (input.acknowledgment === 'email' && input.citizenMode === 'nouveau' && !one(input.citizen[prefixed('email')])) {
    errors.push({ field: prefixed('email'), code: 'required', message: 'Indiquez l’adresse électronique de l’usager pour lui envoyer l’accusé de réception par courriel.' });
  } else if (input.acknowledgment === 'sms' && input.citizenMode === 'nouveau' && !one(input.citizen[prefixed('phone')])) {
    errors.push({ field: prefixed('phone'), code: 'required', message: 'Indiquez le numéro de mobile de l’usager pour lui envoyer l’accusé de réception par SMS.' });
  } else if (input.citizenMode === 'anonyme' && (input.acknowledgment === 'email' || input.acknowledgment === 'sms')) {
    errors.push({ field: 'accuse', code: 'invalid', message: 'Une demande anonyme ne laisse ni adresse ni numéro : choisissez le courrier à imprimer ou « Aucun ».' });
  }
  if (input.channel === 'mail' && input.citizenMode === 'anonyme' && !input.sender) {
    errors.push({ field: 'expediteur', code: 'required', message: 'Indiquez l’expéditeur du courrier, tel qu’il figure sur l’enveloppe ou la lettre.' });
  }
  return errors;
}

/** The new citizen as the intake receives it, or the errors under the screen's input names. */
function newCitizenOf(raw: Record<string, unknown>): { ok: true; citizen: Record<string, unknown> } | { ok: false; errors: FieldError[] } {
  const checked = validateSubmission(newCitizenForm, raw, { hiddenFields: 'drop' });
  if (!checked.ok) return checked;
  const citizen: Record<string, unknown> = {};
  for (const name of CITIZEN_NAMES) if (checked.value[prefixed(name)] !== undefined) citizen[name] = checked.value[prefixed(name)];
  if (!citizen['email'] && !citizen['phone'] && !citizen['address']) {
    return { ok: false, errors: [{ field: prefixed('email'), code: 'required', message: 'Indiquez au moins un moyen de répondre à l’usager : adresse électronique, téléphone ou adresse postale.' }] };
  }
  return { ok: true, citizen };
}

/** An intake error path brought back to the input it concerns on this screen. */
function screenField(field: string): string {
  if (field.startsWith('data.')) return field.slice('data.'.length);
  if (field.startsWith('citizen.')) {
    const [name, ...rest] = field.slice('citizen.'.length).split('.');
    return [prefixed(name!), ...rest].join('.');
  }
  if (field === 'citizen') return 'usager';
  return field;
}

export interface RegistrationContext {
  organisationId: number;
  agentId: number;
  procedure: Procedure;
  timezone: string;
}

export type RegistrationOutcome = { ok: true; receipt: IntakeReceipt } | { ok: false; errors: FieldError[] };

/**
 * Every check that can be made before the intake, all errors at once: the screen's inputs, the
 * new citizen, the procedure's answers (the intake's own validator), the citizen picked.
 */
export async function precheckRegistration(
  db: Executor,
  ctx: RegistrationContext,
  input: RegistrationInput,
): Promise<{ errors: FieldError[]; citizen: Record<string, unknown> | null }> {
  const errors = checkRegistration(input, ctx.procedure, ctx.timezone);
  let citizen: Record<string, unknown> | null = null;
  if (input.citizenMode === 'nouveau') {
    const checked = newCitizenOf(input.citizen);
    if (!checked.ok) errors.push(...checked.errors);
    else citizen = checked.citizen;
  }
  const answers = validateSubmission(ctx.procedure.form, input.data, { hiddenFields: 'drop' });
  if (!answers.ok) errors.push(...answers.errors);
  if (input.citizenMode === 'existant' && errors.every((e) => e.field !== 'usagerRecherche')) {
    const summary = (await citizenRepository.exists(db, ctx.organisationId, Number(input.citizenId))) ? await citizenRepository.findSummary(db, Number(input.citizenId)) : undefined;
    if (!summary) errors.push({ field: 'usagerRecherche', code: 'unknown', message: 'Cet usager est introuvable : recherchez-le à nouveau.' });
    // The record's own contacts, so the acknowledgment reaches them by e-mail or SMS (as the portal does for a signed-in citizen).
    else citizen = summary.email || summary.phone ? { ...(summary.email ? { email: summary.email } : {}), ...(summary.phone ? { phone: summary.phone } : {}) } : null;
  }
  return { errors: dedupe(errors), citizen };
}

/**
 * Sends the request through the intake, once per form key: its channel, the citizen picked or
 * created, the answers, the legal receipt date and the acknowledgment chosen. Inside the intake's
 * transaction the scanned letter joins the case and a letter is written in the mail register.
 */
export async function registerRequest(deps: IntakeDeps, ctx: RegistrationContext, input: RegistrationInput): Promise<RegistrationOutcome> {
  const { errors, citizen } = await precheckRegistration(deps.db.kysely, ctx, input);
  if (errors.length > 0) return { ok: false, errors };

  const channel = input.channel as RegistrationChannel;
  const actor: Actor = { type: 'agent', id: String(ctx.agentId) };
  const citizenId = input.citizenMode === 'existant' ? Number(input.citizenId) : undefined;
  const mailSubject = input.mailSubject || ctx.procedure.title;
  const request = {
    channel,
    citizenId: citizenId ?? null,
    citizen,
    procedure: ctx.procedure.slug,
    data: input.data,
    receivedOn: input.receivedOn,
    acknowledgment: input.acknowledgment,
    scanIds: [...input.scanIds].sort(),
    sender: input.sender,
    mailSubject,
  };
  try {
    const { receipt } = await submitCase(deps, {
      organisationId: ctx.organisationId,
      procedureSlug: ctx.procedure.slug,
      channel,
      actor,
      citizen,
      ...(citizenId !== undefined ? { citizenId } : {}),
      data: input.data,
      // A letter's subject, when the agent gives one, names the case too.
      ...(channel === 'mail' && input.mailSubject ? { subject: input.mailSubject } : {}),
      receivedAt: receiptInstant(input.receivedOn, ctx.timezone),
      hiddenFields: 'drop',
      acknowledgment: input.acknowledgment as AcknowledgmentChannel,
      idempotency: { scope: idempotencyScopeOf(ctx.agentId), key: input.key, requestHash: hashRequest(request) },
      withinTransaction: async (trx, created) => {
        const now = new Date().toISOString();
        await attachScans(trx, created, input.scanIds, actor, now);
        if (input.callId) await linkCallToCase(trx, ctx.organisationId, Number(input.callId), created.caseId);
        if (channel !== 'mail') return;
        const sender = input.sender || (await senderName(trx, created.caseId)) || 'Expéditeur non indiqué';
        await registerLetter(trx, { organisationId: ctx.organisationId, caseId: created.caseId, reference: created.reference, receivedOn: input.receivedOn, sender, subject: mailSubject, agentId: ctx.agentId, actor }, now);
      },
    });
    return { ok: true, receipt };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // The same form sent again with other answers (a second tab): the first one made the case.
    if (error.code === 'idempotency_key_reused') {
      const earlier = await registeredReceipt(deps.db.kysely, ctx.agentId, input.key);
      if (earlier) return { ok: true, receipt: earlier };
    }
    if (error.errors.length > 0) return { ok: false, errors: dedupe(error.errors.map((e) => ({ ...e, field: screenField(e.field) }))) };
    throw error;
  }
}

/** What the intake answered for a form key of this agent, if it was sent. */
export async function registeredReceipt(db: Executor, agentId: number, key: string): Promise<IntakeReceipt | undefined> {
  if (!FORM_KEY.test(key)) return undefined;
  return (await idempotencyRepository.find<IntakeReceipt>(db, idempotencyScopeOf(agentId), key))?.response;
}

/** The citizen's name as a register's sender, from the case just created. */
async function senderName(trx: Executor, caseId: number): Promise<string | null> {
  const view = await caseRepository.findById(trx, caseId);
  if (!view?.citizenId) return null;
  const summary = await citizenRepository.findSummary(trx, view.citizenId);
  if (!summary?.fullName) return null;
  return [summary.civility === 'Mme' ? 'Mme' : summary.civility === 'M' ? 'M.' : null, summary.fullName].filter(Boolean).join(' ');
}

/** The scanned letter joins the case, journaled; a file taken meanwhile fails the whole intake. */
async function attachScans(trx: Executor, created: { caseId: number; reference: string }, ids: string[], actor: Actor, now: string): Promise<void> {
  if (ids.length === 0) return;
  const linked = await attachmentRepository.linkToCase(trx, ids, created.caseId);
  if (linked !== ids.length) throw new AppError('unknown_attachment');
  await caseRepository.appendJournal(
    trx,
    created.caseId,
    created.reference,
    [{ type: 'attachment.added', actor, payload: { attachmentIds: ids, description: 'Courrier ou document numérisé joint à l’enregistrement de la demande' } }],
    now,
  );
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => (seen.has(e.field) ? false : (seen.add(e.field), true)));
}

/** Every field the procedure's form shows at once on this screen (all its pages). */
export function procedureFields(procedure: Procedure): Field[] {
  return procedure.form.pages.flatMap((p) => p.fields);
}
