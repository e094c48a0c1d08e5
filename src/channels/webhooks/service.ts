/**
 * The generic inbound webhook: a platform (a Decidim instance, a Facebook page relay, a
 * neighbourhood app) posts signed JSON; its source's declarative mapping turns it into an intake
 * request on channel `social`. Every authenticated delivery is recorded before processing and
 * settled with its outcome — a case, or a quarantine with its reason — so nothing is lost and a
 * redelivery never makes a second case. Unauthenticated requests leave no row, only a log line.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AttachmentStorage } from '../../attachments/storage.js';
import type { Actor } from '../../cases/journal.js';
import { caseRepository } from '../../cases/repository.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import type { Executor } from '../../db/transaction.js';
import { AppError, invalid, notFound, type FieldError } from '../../http/errors.js';
import { outboundFor } from '../../http/outbound.js';
import { submitCase, type IntakeRequest } from '../../intake/service.js';
import type { Field, FileField } from '../../procedures/form/definition.js';
import { validateSubmission } from '../../procedures/form/validate.js';
import { procedureRepository, type Procedure } from '../../procedures/repository.js';
import { inboundRepository } from '../inbound-repository.js';
import { channelOrganisation } from '../organisation.js';
import { fetchAttachments, type FailedAttachment } from './fetch.js';
import { applyMapping, checkMapping, type MappedDelivery } from './mapping.js';
import { SIGNATURE_FORMATS, WEBHOOK_SOURCE_PREFIX, webhookSourceRepository, type SignatureFormat, type WebhookSource, type WebhookSourceSummary } from './repository.js';
import { verifySignature, type SignatureRefusal } from './signature.js';
import { answersFromText } from './triage.js';

export interface WebhookDeps {
  db: Db;
  config: Config;
  storage: AttachmentStorage;
}

/** A delivery as the HTTP layer hands it over: the raw bytes, for the signature. */
export interface Delivery {
  slug: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type DeliveryOutcome =
  | { kind: 'created'; reference: string }
  | { kind: 'replayed'; reference: string }
  | { kind: 'refused'; reason: SignatureRefusal };

/** Guichet's own signing scheme, the default for a new source. */
export const DEFAULT_SCHEME = { signatureHeader: 'X-Guichet-Signature', signatureFormat: 'timestamp.body' as SignatureFormat, timestampHeader: 'X-Guichet-Timestamp', deliveryHeader: 'X-Guichet-Delivery' };

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;
const HEADER = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Receives one delivery: the source must exist and be enabled (else 404), the signature and the
 * timestamp must hold (else `refused`, nothing recorded). Then the delivery is recorded, mapped
 * and handed to the intake; a mapping or intake refusal quarantines it and answers 4xx.
 */
export async function receiveDelivery(deps: WebhookDeps, delivery: Delivery, now = new Date()): Promise<DeliveryOutcome> {
  const { db } = deps;
  const organisation = await channelOrganisation(db.kysely, deps.config);
  const source = organisation && (await webhookSourceRepository.findBySlug(db.kysely, organisation.id, delivery.slug));
  if (!source || !source.enabled) throw notFound('Aucune source de webhook active à cette adresse.');
  const refusal = verifySignature(source, delivery.headers, delivery.body, Math.floor(now.getTime() / 1000));
  if (refusal) return { kind: 'refused', reason: refusal };

  const parsed = parseJson(delivery.body);
  const mapped = parsed.ok ? await applyMapping(source.mapping, parsed.value) : null;
  const deliveryId =
    headerValue(delivery.headers, source.deliveryHeader) ?? (mapped?.ok ? mapped.value.deliveryId : null) ?? createHash('sha256').update(delivery.body).digest('hex');

  const receivedAt = now.toISOString();
  const externalId = `${source.slug}:${deliveryId}`;
  const summaryOf = (m: MappedDelivery | null) => (m ? (m.subject ?? m.text)?.slice(0, 200) ?? null : null);
  const { id: inbound, previous } = await inboundRepository.receive(
    db.kysely,
    {
      organisationId: source.organisationId,
      channel: 'social',
      source: `${WEBHOOK_SOURCE_PREFIX}${source.slug}`,
      externalId,
      sender: mapped?.ok ? (mapped.value.author.email?.toLowerCase() ?? mapped.value.author.phone ?? mapped.value.author.externalId) : null,
      summary: summaryOf(mapped?.ok ? mapped.value : null),
      rawSize: delivery.body.length,
      payload: parsed.ok ? parsed.value : delivery.body.toString('utf8'),
    },
    receivedAt,
  );
  if (previous) {
    if (previous.caseId !== null) {
      const existing = await caseRepository.findById(db.kysely, previous.caseId);
      if (existing) return { kind: 'replayed', reference: existing.reference };
    }
    if (previous.status === 'quarantined') {
      throw invalid([], `Cet envoi a déjà été reçu et mis en quarantaine : ${previous.error ?? previous.reason ?? 'raison inconnue'}.`);
    }
    // Still pending: the first attempt crashed or is running; the intake's idempotency key makes a second try safe.
  }
  const quarantine = async (reason: string, error: AppError): Promise<never> => {
    const detail = [error.detail ?? error.message, ...error.errors.map((e) => `${e.field} : ${e.message}`)].join(' — ');
    await inboundRepository.settle(db.kysely, inbound, { status: 'quarantined', reason, error: detail }, new Date().toISOString());
    throw error;
  };

  if (!parsed.ok) return quarantine('invalid_json', new AppError('malformed_json', 'Le corps de l’envoi n’est pas un JSON valide : il est conservé en quarantaine.'));
  if (!mapped?.ok) return quarantine('mapping_failed', invalid(mapped?.errors ?? [], 'La correspondance de cette source n’a pas pu lire l’envoi : il est conservé en quarantaine.'));

  try {
    const reference = await createCase(deps, source, mapped.value, delivery.body, deliveryId, inbound, receivedAt);
    return reference.replayed ? { kind: 'replayed', reference: reference.reference } : { kind: 'created', reference: reference.reference };
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return quarantine(error.code, error);
    throw error;
  }
}

/** Translates the mapped delivery into an intake request and submits it; settles the receipt in the case's transaction. */
async function createCase(
  deps: WebhookDeps,
  source: WebhookSource,
  mapped: MappedDelivery,
  body: Buffer,
  deliveryId: string,
  inboundId: number,
  receivedAt: string,
): Promise<{ reference: string; replayed: boolean }> {
  const { db, config } = deps;
  const { procedure, fallbackNote } = await chooseProcedure(db.kysely, source, mapped.procedure, config.CHANNELS_TRIAGE_PROCEDURE);
  const claim = citizenClaim(mapped.author);
  if (!claim && !procedure.allowAnonymous) {
    throw invalid(
      [{ field: 'author', code: 'required', message: `La démarche « ${procedure.title} » ne peut pas être faite de façon anonyme : la correspondance doit donner l’adresse électronique ou le téléphone de l’auteur.` }],
      'L’auteur n’a laissé aucun moyen de lui répondre.',
    );
  }

  // The mapping's answers are written for the procedure it aimed at: when that procedure is
  // missing (fallback) or the mapping gives none, the form is filled from the post's text.
  const useMapped = !fallbackNote && Object.keys(mapped.data).length > 0;
  const data: Record<string, unknown> = useMapped
    ? { ...mapped.data }
    : answersFromText(procedure.form, { subject: mapped.subject, text: mapped.text, sourceName: source.name, hasEmail: !!mapped.author.email, hasPhone: !!mapped.author.phone });
  const fileField = firstFileField(procedure);
  // The form's own validator, run before any download: a delivery the intake would refuse anyway
  // fetches nothing (no stored file left without a case). The intake validates again, with the files.
  const precheck = validateSubmission(procedure.form, data, { hiddenFields: 'drop' });
  if (!precheck.ok) {
    const errors = precheck.errors.filter((e) => !fileField || e.field !== fileField.name);
    if (errors.length > 0) throw invalid(errors.map((e) => ({ ...e, field: e.field ? `data.${e.field}` : 'data' })));
  }
  const wanted = fileField ? mapped.attachments.slice(0, fileField.maxFiles ?? 1) : [];
  const { fetched, failed } = wanted.length
    ? await fetchAttachments(
        { db, storage: deps.storage, maxBytes: config.ATTACHMENT_MAX_BYTES, timeoutMs: config.WEBHOOKS_FETCH_TIMEOUT_MS, outbound: outboundFor(config) },
        source.organisationId,
        wanted,
        { ...(fileField?.accept ? { types: fileField.accept } : {}), ...(fileField?.maxSizeBytes !== undefined ? { maxBytes: fileField.maxSizeBytes } : {}) },
      )
    : { fetched: [], failed: [] };
  const notFetched: FailedAttachment[] = [
    ...failed,
    ...mapped.attachments.slice(wanted.length).map((a) => ({ url: a.url, reason: fileField ? 'nombre maximal de fichiers atteint' : 'la démarche n’a pas de champ de fichier' })),
  ];
  if (fileField && fetched.length > 0) {
    const given = Array.isArray(data[fileField.name]) ? (data[fileField.name] as unknown[]) : [];
    data[fileField.name] = [...given, ...fetched.map((f) => f.attachmentId)];
  }

  const actor: Actor = { type: 'integration', id: `${WEBHOOK_SOURCE_PREFIX}${source.slug}` };
  const request: IntakeRequest = {
    organisationId: source.organisationId,
    procedureSlug: procedure.slug,
    channel: 'social',
    actor,
    citizen: claim,
    data,
    ...(mapped.location ? { location: mapped.location } : {}),
    ...(mapped.receivedAt ? { receivedAt: mapped.receivedAt } : {}),
    ...(mapped.subject ? { subject: mapped.subject } : {}),
    hiddenFields: 'drop',
    idempotency: { scope: `channel:webhook:${source.slug}`, key: deliveryId, requestHash: createHash('sha256').update(body).digest('hex') },
    withinTransaction: async (trx, created) => {
      const note = provenanceNote(source, mapped, fetched.length, notFetched, fallbackNote);
      await caseRepository.appendJournal(trx, created.caseId, created.reference, [{ type: 'note', actor, payload: note }], new Date().toISOString());
      await inboundRepository.settle(trx, inboundId, { status: 'created', caseId: created.caseId }, new Date().toISOString());
    },
  };
  const { receipt, replayed } = await submitCase({ db, timezone: config.TIMEZONE, publicUrl: config.publicUrl }, request);
  if (replayed) await inboundRepository.settle(db.kysely, inboundId, { status: 'created', caseId: receipt.caseId }, receivedAt);
  return { reference: receipt.reference, replayed };
}

/**
 * Where the request came from, kept on the case in the same transaction as the case itself: the
 * source, its link, the author's handle as the platform knows it, the text as posted, and the
 * attachments that could not be fetched (their URLs, so an agent can open them). The procedure's
 * form cannot hold these (it refuses fields it does not define), so they go to the journal, shown
 * as a note in the back-office timeline.
 */
function provenanceNote(source: WebhookSource, mapped: MappedDelivery, fetchedCount: number, notFetched: FailedAttachment[], fallbackNote: string | null) {
  const author = [mapped.author.name, mapped.author.externalId && `(${mapped.author.externalId})`].filter(Boolean).join(' ');
  const lines = [
    `Reçu de « ${source.name} » (webhook ${source.slug}).`,
    ...(mapped.sourceUrl ? [`Lien d’origine : ${mapped.sourceUrl}`] : []),
    ...(author ? [`Auteur : ${author}`] : []),
    ...(fallbackNote ? [fallbackNote] : []),
    ...(mapped.text ? [`Texte reçu : ${mapped.text}`] : []),
    ...(fetchedCount > 0 ? [`${fetchedCount} pièce(s) jointe(s) téléchargée(s).`] : []),
    ...notFetched.map((f) => `Pièce jointe non récupérée (${f.reason}) : ${f.url}`),
  ];
  return {
    text: lines.join('\n'),
    source: `${WEBHOOK_SOURCE_PREFIX}${source.slug}`,
    sourceUrl: mapped.sourceUrl,
    author: { name: mapped.author.name, handle: mapped.author.externalId },
    attachmentsNotFetched: notFetched,
  };
}

/** The mapping's choice if it names a procedure of the organisation, else the source's default, else triage. */
async function chooseProcedure(db: Executor, source: WebhookSource, mappedSlug: string | null, triageSlug: string): Promise<{ procedure: Procedure; fallbackNote: string | null }> {
  const find = (slug: string) => procedureRepository.findBySlug(db, source.organisationId, slug);
  const chosen = mappedSlug ? await find(mappedSlug) : undefined;
  if (chosen) return { procedure: chosen, fallbackNote: null };
  const fallbackNote = mappedSlug ? `La démarche « ${mappedSlug} » désignée par l’envoi n’existe pas : demande placée dans la démarche par défaut.` : null;
  for (const slug of [source.procedureSlug, triageSlug]) {
    const procedure = slug ? await find(slug) : undefined;
    if (procedure) return { procedure, fallbackNote };
  }
  throw new AppError('unknown_procedure', `Ni la démarche de la source ni la démarche de tri « ${triageSlug} » n’existent.`);
}

/** The author as a citizen claim when they left a way to be answered; null (anonymous) otherwise. */
function citizenClaim(author: MappedDelivery['author']): Record<string, unknown> | null {
  if (!author.email && !author.phone) return null;
  const name = author.name?.trim().split(/\s+/) ?? [];
  return {
    ...(name.length > 1 ? { firstNames: name[0], lastName: name.slice(1).join(' ') } : name.length === 1 ? { lastName: name[0] } : {}),
    ...(author.email ? { email: author.email } : {}),
    ...(author.phone ? { phone: author.phone } : {}),
  };
}

function firstFileField(procedure: Procedure): FileField | undefined {
  for (const page of procedure.form.pages) {
    const field = page.fields.find((f: Field): f is FileField => f.type === 'file' && !f.visibleWhen);
    if (field) return field;
  }
  return undefined;
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

function headerValue(headers: Delivery['headers'], name: string | null): string | null {
  if (!name) return null;
  const value = headers[name.toLowerCase()];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text ? text.slice(0, 200) : null;
}

// ── Administration of sources (the `guichet channels webhook` command) ──

export interface NewSourceInput {
  slug: string;
  name: string;
  mapping: unknown;
  procedureSlug?: string | null;
  signatureHeader?: string;
  signatureFormat?: string;
  /** Empty string: the source sends no timestamp. */
  timestampHeader?: string;
  /** Empty string: no delivery header (the mapping's `deliveryId`, else the body's hash). */
  deliveryHeader?: string;
}

/** A fresh secret: 32 random bytes, hex, as relays paste it into their configuration. */
export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Adds a source after checking everything a delivery will rely on: the slug, the signing scheme,
 * the procedure, and the mapping (each expression compiled, unknown keys refused). Returns the
 * secret, which is shown this once.
 */
export async function addSource(db: Db, organisationId: number, input: NewSourceInput): Promise<{ secret: string }> {
  const errors: FieldError[] = [];
  if (!SLUG.test(input.slug)) errors.push({ field: 'slug', code: 'invalid', message: 'L’identifiant court s’écrit en minuscules, chiffres et tirets (ex. decidim).' });
  if (!input.name.trim()) errors.push({ field: 'name', code: 'required', message: 'Donnez un nom à la source.' });
  const format = input.signatureFormat ?? DEFAULT_SCHEME.signatureFormat;
  if (!(SIGNATURE_FORMATS as readonly string[]).includes(format)) errors.push({ field: 'signatureFormat', code: 'invalid', message: `Format de signature inconnu : ${SIGNATURE_FORMATS.join(' ou ')}.` });
  const signatureHeader = input.signatureHeader ?? DEFAULT_SCHEME.signatureHeader;
  const timestampHeader = input.timestampHeader ?? (format === 'body' ? '' : DEFAULT_SCHEME.timestampHeader);
  const deliveryHeader = input.deliveryHeader ?? DEFAULT_SCHEME.deliveryHeader;
  for (const [field, value] of [['signatureHeader', signatureHeader], ['timestampHeader', timestampHeader], ['deliveryHeader', deliveryHeader]] as const) {
    if (value !== '' && !HEADER.test(value)) errors.push({ field, code: 'invalid', message: `« ${value} » n’est pas un nom d’en-tête HTTP.` });
  }
  if (!signatureHeader) errors.push({ field: 'signatureHeader', code: 'required', message: 'Un en-tête de signature est nécessaire.' });
  if (format === 'timestamp.body' && !timestampHeader) {
    errors.push({ field: 'timestampHeader', code: 'required', message: 'Le format « timestamp.body » signe l’horodatage : indiquez son en-tête.' });
  }
  if (input.procedureSlug && !(await procedureRepository.findBySlug(db.kysely, organisationId, input.procedureSlug))) {
    errors.push({ field: 'procedure', code: 'unknown_procedure', message: `Aucune démarche « ${input.procedureSlug} ».` });
  }
  const mapping = checkMapping(input.mapping);
  if (!mapping.ok) errors.push(...mapping.errors);
  if (!errors.length && (await webhookSourceRepository.findBySlug(db.kysely, organisationId, input.slug))) {
    errors.push({ field: 'slug', code: 'taken', message: `Une source « ${input.slug} » existe déjà.` });
  }
  if (errors.length > 0 || !mapping.ok) throw invalid(errors, 'La source n’a pas été ajoutée.');
  const secret = newSecret();
  await webhookSourceRepository.insert(
    db.kysely,
    {
      organisationId,
      slug: input.slug,
      name: input.name.trim(),
      secret,
      signatureHeader,
      signatureFormat: format as SignatureFormat,
      timestampHeader: timestampHeader || null,
      deliveryHeader: deliveryHeader || null,
      mapping: mapping.definition,
      procedureSlug: input.procedureSlug || null,
    },
    new Date().toISOString(),
  );
  return { secret };
}

/** Disables a source: its deliveries answer 404 from now on (its history stays). */
export async function disableSource(db: Db, organisationId: number, slug: string): Promise<void> {
  if (!(await webhookSourceRepository.setEnabled(db.kysely, organisationId, slug, false))) throw notFound(`Aucune source « ${slug} ».`);
}

/** Replaces a source's secret; the old one stops working at once. Returns the new one, shown this once. */
export async function rotateSecret(db: Db, organisationId: number, slug: string): Promise<{ secret: string }> {
  const secret = newSecret();
  if (!(await webhookSourceRepository.setSecret(db.kysely, organisationId, slug, secret, new Date().toISOString()))) throw notFound(`Aucune source « ${slug} ».`);
  return { secret };
}

export async function listSources(db: Db, organisationId: number): Promise<WebhookSourceSummary[]> {
  return webhookSourceRepository.listWithLastDelivery(db.kysely, organisationId);
}
