import { attachmentRepository } from '../attachments/repository.js';
import type { Actor } from '../cases/journal.js';
import { formatReference, newTrackingCode } from '../cases/codes.js';
import { caseRepository, type Channel } from '../cases/repository.js';
import { matchOrCreateCitizen, type CitizenClaim, type CitizenMatch } from '../citizens/matching.js';
import { citizenRepository, type ContactOrigin, type ContactSource } from '../citizens/repository.js';
import type { Db } from '../db/database.js';
import { transaction, type Executor } from '../db/transaction.js';
import { computeDueAt, departmentCalendar, type Calendar } from '../deadlines/business-time.js';
import { implicitDecisionDate } from '../deadlines/silence.js';
import { AppError, invalid, type FieldError } from '../http/errors.js';
import type { Department } from '../organisations/repository.js';
import type { Field, FileField, FormDefinition } from '../procedures/form/definition.js';
import { validateSubmission } from '../procedures/form/validate.js';
import { procedureRepository, type Procedure } from '../procedures/repository.js';
import { routeCase } from '../routing/service.js';
import type { RoutingDecision } from '../routing/rules.js';
import { citizenForm } from './citizen-form.js';
import { idempotencyRepository, type IdempotencyKey } from './idempotency.js';
import { cachedConfiguration } from '../configuration/cache.js';
import { enterInitialStatus, workflowForNewCase } from '../workflow/service.js';
import { localDate } from '../deadlines/local-date.js';
import { defaultAcknowledgmentChannel, queueAcknowledgment, type AcknowledgmentChannel } from '../acknowledgments/service.js';

/** What a channel hands to the intake: the request as received, not yet trusted. */
export interface IntakeRequest {
  organisationId: number;
  procedureSlug: string;
  channel: Channel;
  actor: Actor;
  /** Who is asking, unvalidated; null for an anonymous request. */
  citizen: Record<string, unknown> | null;
  /**
   * The citizen already known for sure (signed in on the portal, picked by an agent): no matching;
   * the contact details of `citizen`, if any, are added to the record when missing.
   */
  citizenId?: number;
  /** A verified identity, set only by channels that verified it (FranceConnect, an agent at the counter). */
  verified?: CitizenClaim['verified'];
  /**
   * Where the citizen's contacts come from and which ones the channel verified (ADR 0002). By
   * default the channel's source, every contact declared: declared input never binds to an
   * existing record.
   */
  contactOrigin?: ContactOrigin;
  data: unknown;
  location?: { address?: string; lat?: number; lon?: number };
  /** The legal receipt time when it differs from now (a letter registered the day after it arrived). */
  receivedAt?: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  subject?: string;
  /** API and web forms reject a hidden conditional field sent anyway; some channels drop it. */
  hiddenFields: 'reject' | 'drop';
  idempotency?: IdempotencyKey;
  /**
   * How the acknowledgment of receipt (CRPA L112-11) goes out; by default e-mail for the web and
   * mobile channels, none for the others (the back-office and the e-mail channel choose their own).
   */
  acknowledgment?: AcknowledgmentChannel;
  /**
   * The submitter was told, before sending, that the report is public (Open311 applications; a
   * portal form whose procedure publishes reports): only such cases reach the public Open311 feed.
   */
  publicReport?: boolean;
  /**
   * Run inside the intake's transaction once the case and its journal are written: a channel's own
   * records (the postal mail register) are committed with the case or not at all.
   */
  withinTransaction?: (trx: Executor, created: { caseId: number; reference: string }) => Promise<void>;
}

/** Everything an acknowledgment of receipt (CRPA L112-11) needs, returned to the channel. */
export interface IntakeReceipt {
  caseId: number;
  reference: string;
  trackingCode: string;
  receivedAt: string;
  dueAt: string | null;
  implicitDecisionAt: string | null;
  procedure: { slug: string; title: string; target: Procedure['target']; silence: Procedure['silence'] };
  department: { id: number; name: string; email: string | null; phone: string | null; address: string | null };
  routing: { by: RoutingDecision['by']; rule: string };
  citizen: { id: number; matchedBy: string; possibleDuplicateOf: number | null } | null;
  contactEmail: string | null;
}

export interface IntakeDeps {
  db: Db;
  timezone: string;
  /** Base of links in messages the workflow sends on receipt. */
  publicUrl?: string;
}

/**
 * THE one entry point through which every channel creates a case. It validates against the
 * procedure's form, finds or creates the citizen, numbers, schedules and routes the case, then
 * writes case, journal, outbox and idempotency key in one transaction: if the caller is told the
 * case exists, it does, exactly once.
 */
export async function submitCase(deps: IntakeDeps, request: IntakeRequest): Promise<{ receipt: IntakeReceipt; replayed: boolean }> {
  const { db } = deps;
  if (request.idempotency) {
    const previous = await replay(db.kysely, request.idempotency);
    if (previous) return { receipt: previous, replayed: true };
  }
  const procedure = await cachedConfiguration(db.kysely, `procedure:${request.organisationId}:${request.procedureSlug}`, () =>
    procedureRepository.findBySlug(db.kysely, request.organisationId, request.procedureSlug),
  );
  if (!procedure) throw new AppError('unknown_procedure', `Aucune démarche « ${request.procedureSlug} ».`, [
    { field: 'procedure', code: 'unknown_procedure', message: 'Cette démarche n’existe pas.' },
  ]);
  if (!procedure.isOnline && ['web', 'mobile', 'api', 'open311'].includes(request.channel)) {
    throw new AppError('procedure_closed', `La démarche « ${procedure.title} » n’est pas ouverte en ligne.`);
  }
  const checked = validateRequest(procedure, request);
  const receivedAt = request.receivedAt ?? new Date().toISOString();
  try {
    const plan = await planCase(deps, procedure, request, checked, receivedAt);
    const receipt = await transaction(db, (trx) => persist(trx, deps, procedure, request, checked, plan));
    return { receipt, replayed: false };
  } catch (error) {
    // A concurrent request with the same key won the race: answer as it was answered.
    if (request.idempotency) {
      const previous = await replay(db.kysely, request.idempotency);
      if (previous) return { receipt: previous, replayed: true };
    }
    throw error;
  }
}

async function replay(db: Executor, key: IdempotencyKey): Promise<IntakeReceipt | undefined> {
  const previous = await idempotencyRepository.find<IntakeReceipt>(db, key.scope, key.key);
  if (!previous) return undefined;
  if (previous.requestHash !== key.requestHash) throw new AppError('idempotency_key_reused');
  return previous.response;
}

interface CheckedRequest {
  data: Record<string, unknown>;
  claim: CitizenClaim | null;
  attachmentIds: Map<string, FileField>;
  location: { address: string | null; lat: number | null; lon: number | null } | null;
}

/** Validates everything that can be checked without the database, collecting every field error. */
function validateRequest(procedure: Procedure, request: IntakeRequest): CheckedRequest {
  const errors: FieldError[] = [];
  const form = validateSubmission(procedure.form, request.data ?? {}, { hiddenFields: request.hiddenFields });
  if (!form.ok) errors.push(...form.errors.map((e) => ({ ...e, field: e.field ? `data.${e.field}` : 'data' })));

  let claim: CitizenClaim | null = null;
  if (request.citizen === null && request.citizenId === undefined) {
    if (!procedure.allowAnonymous) {
      errors.push({ field: 'citizen', code: 'required', message: 'Cette démarche ne peut pas être faite de façon anonyme : indiquez qui fait la demande.' });
    }
  } else {
    const citizen = validateSubmission(citizenForm, request.citizen ?? {}, { hiddenFields: 'reject' });
    if (!citizen.ok) errors.push(...citizen.errors.map((e) => ({ ...e, field: e.field ? `citizen.${e.field}` : 'citizen' })));
    else claim = toClaim(citizen.value, request.contactOrigin ?? { source: CHANNEL_SOURCE[request.channel] }, request.verified);
    if (citizen.ok && !claim?.contacts.email && !claim?.contacts.phone && !claim?.contacts.address && !request.verified && request.citizenId === undefined) {
      errors.push({ field: 'citizen.email', code: 'required', message: 'Indiquez au moins un moyen de vous répondre : adresse électronique, téléphone ou adresse postale.' });
    }
  }

  const location = locationOf(procedure, form.ok ? form.value : {}, request.location);
  if (location && (location.lat === null) !== (location.lon === null)) {
    errors.push({ field: 'location', code: 'invalid', message: 'Indiquez la latitude et la longitude ensemble.' });
  }
  if (errors.length > 0 || !form.ok) throw invalid(errors);
  return { data: form.value, claim, attachmentIds: fileFieldValues(procedure.form, form.value), location };
}

/** What can be decided before the transaction: reads and computations that hold no lock. */
interface CasePlan {
  receivedAt: string;
  department: { department: Department; decision: RoutingDecision; sector: string | null };
  calendar: Calendar;
  dueAt: string;
  implicitDecisionAt: string | null;
  year: number;
  /** Taken ahead on PostgreSQL only; see planCase. */
  reference: string | null;
  /** The procedure's current workflow, whose initial status the case starts in. */
  workflow: Awaited<ReturnType<typeof workflowForNewCase>>;
}

/**
 * Routes and schedules the case outside the write transaction, so that the transaction holds its
 * locks only for the writes. On PostgreSQL the reference number is taken here too, in its own
 * statement: inside the transaction the counter row would stay locked until the commit and every
 * concurrent intake would queue behind it. An intake that then fails leaves a gap in the
 * numbering; references are unique, not gapless. SQLite has a single writer anyway, so there the
 * number is taken inside the transaction and the sequence has no gaps.
 */
async function planCase(deps: IntakeDeps, procedure: Procedure, request: IntakeRequest, checked: CheckedRequest, receivedAt: string): Promise<CasePlan> {
  const { db } = deps;
  const department = await routeCase(db.kysely, request.organisationId, procedure, { data: checked.data, location: checked.location });
  const received = new Date(receivedAt);
  const calendar = departmentCalendar(department.department.openingHours, deps.timezone);
  const dueAt = computeDueAt(received, procedure.target, calendar).toISOString();
  const implicitDecisionAt =
    procedure.silence.regime !== 'none' && procedure.silence.delay
      ? (implicitDecisionDate(received, procedure.silence.delay, deps.timezone)?.toISOString() ?? null)
      : null;
  const year = Number(localDate(received, deps.timezone).slice(0, 4));
  const reference =
    db.dialect === 'postgres' ? formatReference(year, await caseRepository.nextReferenceNumber(db.kysely, request.organisationId, year)) : null;
  const workflow = await cachedConfiguration(db.kysely, `workflow:${procedure.id}`, () => workflowForNewCase(db.kysely, procedure.id));
  return { receivedAt, department, calendar, dueAt, implicitDecisionAt, year, reference, workflow };
}

async function persist(trx: Executor, deps: IntakeDeps, procedure: Procedure, request: IntakeRequest, checked: CheckedRequest, plan: CasePlan): Promise<IntakeReceipt> {
  const now = new Date().toISOString();
  const organisationId = request.organisationId;
  const { receivedAt, department, dueAt, implicitDecisionAt } = plan;
  await checkAttachments(trx, organisationId, checked.attachmentIds);

  const citizen = await citizenOf(trx, request, checked.claim, now);
  const reference = plan.reference ?? formatReference(plan.year, await caseRepository.nextReferenceNumber(trx, organisationId, plan.year));
  const trackingCode = newTrackingCode();
  const contactEmail = checked.claim?.contacts.email ?? null;

  const caseId = await caseRepository.insert(
    trx,
    {
      organisationId,
      reference,
      trackingCode,
      procedureId: procedure.id,
      citizenId: citizen?.citizenId ?? null,
      channel: request.channel,
      status: plan.workflow?.initial.id ?? 'new',
      workflowId: plan.workflow?.workflowId ?? null,
      departmentId: department.department.id,
      priority: request.priority ?? 'normal',
      subject: request.subject?.trim() || procedure.title,
      location: checked.location,
      data: checked.data,
      contactEmail,
      contactPhone: checked.claim?.contacts.phone ?? null,
      receivedAt,
      dueAt,
      implicitDecisionAt,
      sector: department.sector,
      publicReport: request.publicReport === true,
    },
    now,
  );
  const linked = await attachmentRepository.linkToCase(trx, [...checked.attachmentIds.keys()], caseId);
  if (linked !== checked.attachmentIds.size) throw new AppError('unknown_attachment');

  const routing = { by: department.decision.by, rule: ruleLabel(department.decision, department.department) };
  await caseRepository.appendJournal(
    trx,
    caseId,
    reference,
    [
      {
        type: 'case.created',
        actor: request.actor,
        payload: {
          channel: request.channel,
          procedure: procedure.slug,
          receivedAt,
          status: plan.workflow?.initial.id ?? 'new',
          attachments: [...checked.attachmentIds.keys()],
        },
      },
      ...(citizen
        ? [{ type: 'citizen.matched', actor: SYSTEM, payload: { citizenId: citizen.citizenId, by: citizen.by, possibleDuplicateOf: citizen.possibleDuplicateOf } }]
        : []),
      {
        type: 'case.routed',
        actor: SYSTEM,
        payload: { departmentId: department.department.id, by: department.decision.by, rule: routing.rule, ruleId: department.decision.by === 'rule' ? department.decision.rule.id : null },
      },
    ],
    now,
    { newCase: true },
  );
  await caseRepository.enqueueOutbox(
    trx,
    'case.created',
    caseId,
    { reference, procedure: procedure.slug, channel: request.channel, departmentId: department.department.id, receivedAt },
    now,
  );

  if (plan.workflow) {
    const workflowDeps = { db: deps.db, timezone: deps.timezone, publicUrl: deps.publicUrl ?? '' };
    await enterInitialStatus(trx, workflowDeps, { caseId, departmentId: department.department.id, calendar: plan.calendar }, plan.workflow.initial, now);
  }

  const receipt: IntakeReceipt = {
    caseId,
    reference,
    trackingCode,
    receivedAt,
    dueAt,
    implicitDecisionAt,
    procedure: { slug: procedure.slug, title: procedure.title, target: procedure.target, silence: procedure.silence },
    department: {
      id: department.department.id,
      name: department.department.name,
      email: department.department.email,
      phone: department.department.phone,
      address: department.department.address,
    },
    routing,
    citizen: citizen ? { id: citizen.citizenId, matchedBy: citizen.by, possibleDuplicateOf: citizen.possibleDuplicateOf } : null,
    contactEmail,
  };
  await queueAcknowledgment(
    trx,
    { timezone: deps.timezone, publicUrl: deps.publicUrl ?? '' },
    receipt,
    { organisationId, channel: request.acknowledgment ?? defaultAcknowledgmentChannel(request.channel), phone: checked.claim?.contacts.phone ?? null },
    now,
  );
  if (request.withinTransaction) await request.withinTransaction(trx, { caseId, reference });
  if (request.idempotency) await idempotencyRepository.insert(trx, request.idempotency, caseId, receipt, now);
  return receipt;
}

const SYSTEM: Actor = { type: 'system', id: null };

/** Where a channel's contacts come from when it does not say (an SMS arrives on channel `phone`, and says so). */
const CHANNEL_SOURCE: Record<Channel, ContactSource> = {
  web: 'web_form',
  mobile: 'web_form',
  email: 'email_channel',
  phone: 'phone_call',
  counter: 'counter',
  mail: 'postal_mail',
  social: 'api',
  api: 'api',
  open311: 'open311',
};

/**
 * The known citizen (with the contacts they gave added when missing, as declared), a bound or new
 * one, or none. `citizenId` comes only from a signed-in session, an agent's pick or a channel's own
 * verified binding — never from a request body.
 */
async function citizenOf(trx: Executor, request: IntakeRequest, claim: CitizenClaim | null, now: string): Promise<CitizenMatch | null> {
  if (request.citizenId !== undefined) {
    if (!(await citizenRepository.exists(trx, request.organisationId, request.citizenId))) throw new AppError('bad_request', 'Usager inconnu.');
    if (claim) await citizenRepository.addMissingContacts(trx, request.citizenId, claim.contacts, claim.origin, now);
    return { citizenId: request.citizenId, by: 'account', possibleDuplicateOf: null };
  }
  return claim ? matchOrCreateCitizen(trx, request.organisationId, claim, now) : null;
}

function ruleLabel(decision: RoutingDecision, department: Department): string {
  switch (decision.by) {
    case 'rule':
      return decision.rule.name;
    case 'procedure_default':
      return `Service responsable de la démarche (${department.name})`;
    case 'reception_fallback':
      return `Repli vers l’accueil (${department.name})`;
  }
}

/** Attachments cited by file fields must exist, be unused, and match the field's accepted types and size. */
async function checkAttachments(trx: Executor, organisationId: number, cited: Map<string, FileField>): Promise<void> {
  if (cited.size === 0) return;
  const found = new Map((await attachmentRepository.findMany(trx, organisationId, [...cited.keys()])).map((a) => [a.id, a]));
  const errors: FieldError[] = [];
  for (const [id, field] of cited) {
    const attachment = found.get(id);
    if (!attachment || attachment.caseId !== null) {
      errors.push({ field: `data.${field.name}`, code: 'unknown_attachment', message: 'Ce fichier est introuvable : déposez-le à nouveau.' });
    } else if (field.accept && !field.accept.some((type) => type === attachment.mimeType || (type.endsWith('/*') && attachment.mimeType.startsWith(type.slice(0, -1))))) {
      errors.push({ field: `data.${field.name}`, code: 'attachment_type_refused', message: `Ce type de fichier n’est pas accepté ici (${field.accept.join(', ')}).` });
    } else if (field.maxSizeBytes !== undefined && attachment.size > field.maxSizeBytes) {
      errors.push({ field: `data.${field.name}`, code: 'too_large', message: `Ce fichier dépasse ${Math.ceil(field.maxSizeBytes / 1048576)} Mo.` });
    }
  }
  if (errors.length > 0) throw invalid(errors);
}

/** Attachment ids cited by the form's file fields (top level and in repeatable groups). */
function fileFieldValues(form: FormDefinition, data: Record<string, unknown>): Map<string, FileField> {
  const ids = new Map<string, FileField>();
  const collect = (fields: Field[], values: Record<string, unknown>) => {
    for (const field of fields) {
      const value = values[field.name];
      if (field.type === 'file' && Array.isArray(value)) for (const id of value) ids.set(String(id), field);
      if (field.type === 'group' && Array.isArray(value)) for (const item of value) collect(field.fields, item as Record<string, unknown>);
    }
  };
  for (const page of form.pages) collect(page.fields, data);
  return ids;
}

/**
 * Where the request is about: the explicit location, else the form's point or address — the latter
 * only for located procedures, where an address names a place (a pothole), not the citizen's home.
 */
function locationOf(procedure: Procedure, data: Record<string, unknown>, explicit: IntakeRequest['location']): CheckedRequest['location'] {
  if (explicit && (explicit.address !== undefined || explicit.lat !== undefined || explicit.lon !== undefined)) {
    return { address: explicit.address ?? null, lat: explicit.lat ?? null, lon: explicit.lon ?? null };
  }
  if (!procedure.isLocated) return null;
  for (const page of procedure.form.pages) {
    for (const field of page.fields) {
      const value = data[field.name] as Record<string, unknown> | undefined;
      if (!value) continue;
      if (field.type === 'geolocation') {
        const point = typeof value.lat === 'number' && typeof value.lon === 'number';
        return { address: typeof value.address === 'string' ? value.address : null, lat: point ? (value.lat as number) : null, lon: point ? (value.lon as number) : null };
      }
      if (field.type === 'address') {
        return { address: [value.line1, value.line2, `${String(value.postcode)} ${String(value.city)}`].filter(Boolean).join(', '), lat: null, lon: null };
      }
    }
  }
  return null;
}

function toClaim(v: Record<string, unknown>, origin: ContactOrigin, verified: CitizenClaim['verified']): CitizenClaim {
  const s = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : undefined);
  const email = s('email')?.toLowerCase();
  return {
    identity: {
      ...(s('civility') ? { civility: s('civility') as 'M' | 'Mme' } : {}),
      ...(s('firstNames') ? { firstNames: s('firstNames') } : {}),
      ...(s('lastName') ? { lastName: s('lastName') } : {}),
      ...(s('usageName') ? { usageName: s('usageName') } : {}),
      ...(s('birthDate') ? { birthDate: s('birthDate') } : {}),
    },
    contacts: {
      ...(email ? { email } : {}),
      ...(s('phone') ? { phone: s('phone') } : {}),
      ...(v.address ? { address: v.address as NonNullable<CitizenClaim['contacts']['address']> } : {}),
    },
    origin,
    ...(verified ? { verified } : {}),
  };
}
