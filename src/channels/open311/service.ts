/**
 * The Open311 GeoReport v2 channel: procedures with a service code are the services, their form
 * fields the attributes; a POST becomes a case through the intake, like any other channel's item.
 * Everything here speaks the spec's vocabulary and raises `Open311Error`, so the routes only
 * parse and render. GET answers are public: they never carry the reporter's identity or contacts.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import { cachedConfiguration } from '../../configuration/cache.js';
import type { Db } from '../../db/database.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../http/errors.js';
import { hashRequest } from '../../intake/idempotency.js';
import { submitCase } from '../../intake/service.js';
import { organisationRepository } from '../../organisations/repository.js';
import { procedureRepository } from '../../procedures/repository.js';
import { authenticateToken, type TokenPrincipal } from '../../tokens/service.js';
import { tokenRepository } from '../../tokens/repository.js';
import type { Status } from '../../workflow/definition.js';
import { isClosedCategory } from '../../workflow/engine.js';
import { workflowRepository } from '../../workflow/repository.js';
import { inboundRepository } from '../inbound-repository.js';
import { channelOrganisation } from '../organisation.js';
import { attributePath, attributesToData, planForm, type Attribute } from './attributes.js';
import { Open311Error } from './format.js';
import { withoutContacts } from './redact.js';
import { open311Repository, type Open311Case, type Open311Service } from './repository.js';
import { updateStatus, type UpdateStatus } from './status-mapping.js';

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** Date of the last change to what this server offers (the discovery's changeset). */
export const CHANGESET = '2026-11-29T00:00:00Z';
/** The spec's ceiling on one GET requests answer, and its default window. */
export const MAX_REQUESTS = 1000;
const DEFAULT_WINDOW_MS = 90 * 24 * 3600 * 1000;

export interface Organisation {
  id: number;
  slug: string;
  name: string;
}

export interface Open311Deps {
  db: Db;
  config: Config;
}

/** The organisation a request is about: `jurisdiction_id` is its slug; absent, the installation's. */
export async function resolveJurisdiction(deps: Open311Deps, jurisdictionId: string | undefined): Promise<Organisation> {
  if (jurisdictionId) {
    const found = await cachedConfiguration(deps.db.kysely, `open311-jurisdiction:${jurisdictionId}`, () => organisationRepository.findBySlug(deps.db.kysely, jurisdictionId));
    if (!found) throw new Open311Error(404, [`jurisdiction_id « ${jurisdictionId} » inconnu.`]);
    return { id: found.id, slug: found.slug, name: found.name };
  }
  const organisation = await cachedConfiguration(deps.db.kysely, 'open311-jurisdiction:', () => channelOrganisation(deps.db.kysely, deps.config));
  if (!organisation) throw new Open311Error(404, ['Aucune collectivité n’est configurée sur ce serveur.']);
  return organisation;
}

/** The discovery document: where the endpoint is and what it speaks. */
export function discovery(config: Config, organisation: Organisation) {
  return {
    changeset: CHANGESET,
    contact: config.OPEN311_CONTACT || organisation.name,
    key_service: config.OPEN311_KEY_SERVICE || `Demandez une clé (api_key) à ${organisation.name} : un administrateur la crée avec « guichet token create --name <application> --scopes open311 ».`,
    endpoints: [
      {
        specification: SPECIFICATION,
        url: `${config.publicUrl.replace(/\/$/, '')}/open311/v2`,
        changeset: CHANGESET,
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ],
  };
}

async function services(deps: Open311Deps, organisationId: number): Promise<Open311Service[]> {
  return cachedConfiguration(deps.db.kysely, `open311-services:${organisationId}`, () => open311Repository.listServices(deps.db.kysely, organisationId));
}

async function serviceByCode(deps: Open311Deps, organisationId: number, code: string): Promise<Open311Service | undefined> {
  return (await services(deps, organisationId)).find((s) => s.code === code);
}

/** GET services: one entry per exposed procedure. */
export async function listServices(deps: Open311Deps, organisation: Organisation) {
  return (await services(deps, organisation.id)).map((s) => ({
    service_code: s.code,
    service_name: s.title,
    description: s.description,
    metadata: planForm(s.form).attributes.length > 0,
    type: 'realtime',
    keywords: s.slug.replace(/-/g, ', '),
    group: s.category,
  }));
}

/** GET services/{code}: the form's fields as attributes. */
export async function serviceDefinition(deps: Open311Deps, organisation: Organisation, code: string): Promise<{ service_code: string; attributes: Attribute[] }> {
  const service = await serviceByCode(deps, organisation.id, code);
  if (!service) throw new Open311Error(404, [`service_code « ${code} » inconnu.`]);
  return { service_code: service.code, attributes: planForm(service.form).attributes };
}

/** Statuses of a workflow version; versions never change, so they are cached. */
async function statusOf(db: Executor, workflowId: number | null, id: string): Promise<Status | undefined> {
  if (workflowId === null) return undefined;
  const statuses = await cachedConfiguration(db, `workflow-statuses:${workflowId}`, async () => {
    const workflow = await workflowRepository.byId(db, workflowId);
    return new Map((workflow?.definition.statuses ?? []).map((s) => [s.id, s]));
  });
  return statuses.get(id);
}

/** A case as GET requests shows it: the citizen-facing status label, never the reporter. */
async function requestView(db: Executor, c: Open311Case) {
  const status = await statusOf(db, c.workflowId, c.status);
  const closed = status ? isClosedCategory(status.category) : c.closedAt !== null;
  const plan = planForm(c.form);
  const description = plan.descriptionField ? c.data[plan.descriptionField] : undefined;
  return {
    service_request_id: c.reference,
    status: closed ? 'closed' : 'open',
    status_notes: status?.citizenLabel ?? (closed ? 'Demande terminée' : 'Demande en cours de traitement'),
    service_name: c.serviceName,
    service_code: c.serviceCode,
    description: typeof description === 'string' ? withoutContacts(description) : '',
    agency_responsible: c.department,
    service_notice: '',
    requested_datetime: c.receivedAt,
    updated_datetime: c.updatedAt,
    expected_datetime: c.dueAt ?? '',
    address: c.address ?? '',
    address_id: '',
    zipcode: /\b(\d{5})\b/.exec(c.address ?? '')?.[1] ?? '',
    lat: c.lat ?? '',
    long: c.lon ?? '',
    media_url: c.mediaUrl ?? '',
  };
}

/** A W3C date-time (2026-11-29T10:00:00+01:00) as an ISO instant, or a 400 naming the parameter. */
function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new Open311Error(400, [`${name} : date invalide, attendue au format W3C (ex. 2026-11-29T10:00:00Z).`]);
  return new Date(time).toISOString();
}

/** A start/end window, by default the last 90 days. */
function window(query: { start_date?: string; end_date?: string }): { from: string; to: string } {
  const end = instant('end_date', query.end_date);
  const start = instant('start_date', query.start_date);
  if (start && end && start > end) throw new Open311Error(400, ['start_date doit précéder end_date.']);
  const to = end ?? new Date(Math.max(Date.now(), start ? Date.parse(start) : 0)).toISOString();
  return { from: start ?? new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString(), to };
}

const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);

export interface RequestQuery {
  service_request_id?: string;
  service_code?: string;
  start_date?: string;
  end_date?: string;
  status?: string;
}

/** GET requests: by ids (the other filters then ignored), else by service, status and dates. */
export async function listRequests(deps: Open311Deps, organisation: Organisation, query: RequestQuery) {
  const db = deps.db.kysely;
  const references = query.service_request_id !== undefined ? list(query.service_request_id) : undefined;
  let filter: Parameters<typeof open311Repository.listRequests>[1];
  if (references) filter = { organisationId: organisation.id, references: references.slice(0, MAX_REQUESTS), limit: MAX_REQUESTS };
  else {
    const states = list(query.status);
    const bad = states.filter((s) => s !== 'open' && s !== 'closed');
    if (bad.length > 0) throw new Open311Error(400, [`status : « ${bad.join(', ')} » n’est pas un statut (open ou closed).`]);
    const codes = query.service_code !== undefined ? list(query.service_code) : undefined;
    filter = {
      organisationId: organisation.id,
      ...window(query),
      ...(codes ? { serviceCodes: codes } : {}),
      ...(states.length === 1 ? { state: states[0] as 'open' | 'closed' } : {}),
      limit: MAX_REQUESTS,
    };
  }
  const cases = await open311Repository.listRequests(db, filter);
  return Promise.all(cases.map((c) => requestView(db, c)));
}

/** GET requests/{id}: one case of an exposed procedure, as a one-item list (the spec's shape). */
export async function getRequest(deps: Open311Deps, organisation: Organisation, reference: string) {
  const found = await open311Repository.findRequest(deps.db.kysely, organisation.id, reference);
  if (!found) throw new Open311Error(404, [`Demande « ${reference} » introuvable.`]);
  return [await requestView(deps.db.kysely, found)];
}

/** GET tokens/{token}: the case a POST's token produced (the token is that POST's receipt id). */
export async function lookupToken(deps: Open311Deps, organisation: Organisation, token: string) {
  const found = await open311Repository.referenceOfToken(deps.db.kysely, organisation.id, token);
  if (!found) throw new Open311Error(404, [`Jeton « ${token} » inconnu.`]);
  return [{ service_request_id: found.reference ?? '', token }];
}

/** GET servicerequestupdates (mySociety's extension): every status change of an exposed case. */
export async function listUpdates(deps: Open311Deps, organisation: Organisation, query: { start_date?: string; end_date?: string }) {
  const db = deps.db.kysely;
  const { from, to } = window(query);
  const changes = await open311Repository.listStatusChanges(db, organisation.id, from, to, MAX_REQUESTS);
  return Promise.all(
    changes.map(async (change) => {
      const status = await statusOf(db, change.workflowId, change.to);
      const mapped: UpdateStatus = updateStatus(status, false);
      return {
        update_id: String(change.id),
        service_request_id: change.reference,
        status: mapped,
        updated_datetime: change.at,
        description: status?.citizenLabel ?? '',
        media_url: '',
      };
    }),
  );
}

/** The api_key's token: missing, unknown, revoked or without the open311 scope all answer 403. */
export async function authenticateApiKey(db: Executor, apiKey: unknown): Promise<TokenPrincipal> {
  if (typeof apiKey !== 'string' || apiKey === '') throw new Open311Error(403, ['api_key manquant : une clé est nécessaire pour déposer une demande.']);
  let principal: TokenPrincipal;
  try {
    principal = await authenticateToken(db, apiKey);
  } catch (error) {
    if (error instanceof AppError) throw new Open311Error(403, ['api_key invalide ou révoqué.']);
    throw error;
  }
  if (!principal.scopes.includes('open311')) throw new Open311Error(403, ['Cette api_key n’a pas la portée « open311 ».']);
  return principal;
}

/** A POST body as @fastify/formbody gives it: strings, or lists of strings for repeated keys. */
export type PostBody = Record<string, string | string[] | undefined>;

const one = (body: PostBody, key: string): string | undefined => {
  const value: unknown = body[key];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null || typeof first === 'object') return undefined;
  const text = String(first as string | number | boolean).trim();
  return text === '' ? undefined : text;
};

/** No dot: the key is part of the token, which sits before « .xml » in tokens/{token}.xml. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * POST requests: records the receipt, then hands the request to the intake, which settles the
 * receipt inside the case's transaction. The answer's token is the receipt's id (the client's
 * Idempotency-Key when given, scoped to its api_key): a retry with the same key gets the same case.
 */
export async function createRequest(deps: Open311Deps & { timezone: string }, body: PostBody, idempotencyKey: string | undefined) {
  const db = deps.db.kysely;
  const principal = await authenticateApiKey(db, one(body, 'api_key'));
  const jurisdiction = one(body, 'jurisdiction_id');
  if (jurisdiction) {
    const organisation = await resolveJurisdiction(deps, jurisdiction);
    if (organisation.id !== principal.organisationId) throw new Open311Error(403, ['Cette api_key ne vaut pas pour ce jurisdiction_id.']);
  }
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new Open311Error(400, ['Idempotency-Key : 1 à 100 caractères parmi lettres, chiffres, « _ » et « - ».']);
  }
  const token = idempotencyKey ? `${principal.tokenId}-${idempotencyKey}` : randomUUID();
  const { api_key: _secret, ...publicBody } = body;
  const now = new Date().toISOString();
  const receipt = {
    organisationId: principal.organisationId,
    channel: 'open311' as const,
    source: `api_key:${principal.name}`,
    externalId: token,
    sender: one(body, 'email') ?? one(body, 'device_id') ?? null,
    summary: `${one(body, 'service_code') ?? '?'} – ${(one(body, 'description') ?? '').slice(0, 120)}`,
    payload: { media_url: one(body, 'media_url') ?? null, service_code: one(body, 'service_code') ?? null, device_id: one(body, 'device_id') ?? null, account_id: one(body, 'account_id') ?? null },
  };
  const { id: inboundId } = await inboundRepository.receive(db, receipt, now);

  try {
    const reference = await submit(deps, principal, publicBody, inboundId, idempotencyKey);
    return [{ service_request_id: reference, token, service_notice: '', account_id: '' }];
  } catch (error) {
    const refusal = error instanceof Open311Error ? error.descriptions.join(' ') : error instanceof AppError ? error.message : null;
    if (refusal !== null) await inboundRepository.settle(db, inboundId, { status: 'ignored', reason: 'refused', error: refusal.slice(0, 2000) }, new Date().toISOString());
    else await inboundRepository.settle(db, inboundId, { status: 'quarantined', reason: 'internal_error', error: String(error).slice(0, 2000) }, new Date().toISOString());
    throw error;
  }
}

async function submit(deps: Open311Deps & { timezone: string }, principal: TokenPrincipal, body: PostBody, inboundId: number, idempotencyKey: string | undefined): Promise<string> {
  const code = one(body, 'service_code');
  if (!code) throw new Open311Error(400, ['service_code manquant.']);
  const service = await serviceByCode(deps, principal.organisationId, code);
  if (!service) throw new Open311Error(400, [`service_code « ${code} » inconnu.`]);
  const plan = planForm(service.form);
  const { data, unknown } = attributesToData(plan, body);
  if (unknown.length > 0) throw new Open311Error(400, unknown.map((c) => `attribute[${c}] : cet attribut n’existe pas pour ce service.`));

  const location = readLocation(body);
  const description = one(body, 'description');
  const mediaUrl = one(body, 'media_url');
  if (mediaUrl !== undefined && !/^https?:\/\/\S+$/.test(mediaUrl)) throw new Open311Error(400, ['media_url : adresse web (http ou https) attendue.']);
  if (plan.descriptionField && (description || mediaUrl)) {
    // The photo stays where the app stored it: agents follow the link from the description.
    data[plan.descriptionField] = [description, mediaUrl && `Photo : ${mediaUrl}`].filter(Boolean).join('\n\n');
  }
  if (plan.locationField) {
    data[plan.locationField] = location.lat !== undefined ? { lat: location.lat, lon: location.lon, ...(location.address ? { address: location.address } : {}) } : { address: location.address };
  }
  const citizen = {
    ...(one(body, 'first_name') ? { firstNames: one(body, 'first_name') } : {}),
    ...(one(body, 'last_name') ? { lastName: one(body, 'last_name') } : {}),
    ...(one(body, 'email') ? { email: one(body, 'email') } : {}),
    ...(one(body, 'phone') ? { phone: one(body, 'phone') } : {}),
  };
  const anonymous = Object.keys(citizen).length === 0;
  if (anonymous && !service.allowAnonymous) throw new Open311Error(400, ['Ce service ne s’utilise pas de façon anonyme : indiquez email ou phone.']);

  try {
    const { receipt } = await submitCase(
      { db: deps.db, timezone: deps.timezone, publicUrl: deps.config.publicUrl },
      {
        organisationId: principal.organisationId,
        procedureSlug: service.slug,
        channel: 'open311',
        actor: { type: 'integration', id: String(principal.tokenId) },
        citizen: anonymous ? null : citizen,
        data,
        location: { ...(location.address ? { address: location.address } : {}), ...(location.lat !== undefined ? { lat: location.lat, lon: location.lon } : {}) },
        hiddenFields: 'drop',
        // Street-report applications publish what they send: GeoReport requests are public by nature.
        publicReport: true,
        ...(idempotencyKey ? { idempotency: { scope: `open311:${principal.tokenId}`, key: idempotencyKey, requestHash: hashRequest(body) } } : {}),
        withinTransaction: (trx, created) => inboundRepository.settle(trx, inboundId, { status: 'created', caseId: created.caseId }, new Date().toISOString()),
      },
    );
    return receipt.reference;
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      const details = error.errors.length > 0 ? error.errors.map((e) => `${attributePath(plan, e.field)} : ${e.message}`) : [error.message];
      throw new Open311Error(400, details);
    }
    throw error;
  }
}

/** lat/long (both, as numbers) or address_string; the spec requires one of them. */
function readLocation(body: PostBody): { lat?: number; lon?: number; address?: string } {
  const lat = one(body, 'lat');
  const lon = one(body, 'long');
  const address = one(body, 'address_string');
  if (lat === undefined && lon === undefined) {
    if (!address) throw new Open311Error(400, ['Indiquez le lieu : lat et long, ou address_string.']);
    return { address };
  }
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (lat === undefined || lon === undefined || !Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    throw new Open311Error(400, ['lat/long : indiquez une latitude (−90 à 90) et une longitude (−180 à 180) en degrés décimaux.']);
  }
  return { lat: latitude, lon: longitude, ...(address ? { address } : {}) };
}

/**
 * Whether the procedure's portal form says reports are public, so that they join the Open311 feed.
 * Only reports sent after the change are concerned: each case keeps what its submitter was told.
 */
export async function setPublishesReports(db: Executor, organisationId: number, procedureSlug: string, publishes: boolean): Promise<void> {
  const procedure = await procedureRepository.findBySlug(db, organisationId, procedureSlug);
  if (!procedure) throw new AppError('unknown_procedure', `Aucune démarche « ${procedureSlug} ».`);
  await procedureRepository.setPublishesReports(db, procedure.id, publishes);
}

/** How many services are exposed and how many active tokens may post (the health page). */
export async function channelCounts(db: Executor, organisationId: number): Promise<{ services: number; tokens: number }> {
  const services = await open311Repository.countServices(db, organisationId);
  const tokens = (await tokenRepository.list(db, organisationId)).filter((t) => t.revoked_at === null && t.scopes.split(' ').includes('open311')).length;
  return { services, tokens };
}

/** Service codes appear in URLs (services/{code}.json): no dot, no slash. */
const SERVICE_CODE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Offers a procedure to street-report applications under a service code, or withdraws it (code
 * null). Refused, with a French message, for an unknown procedure, a malformed code or one taken.
 */
export async function setServiceCode(db: Executor, organisationId: number, procedureSlug: string, code: string | null): Promise<void> {
  const procedure = await procedureRepository.findBySlug(db, organisationId, procedureSlug);
  if (!procedure) throw new AppError('unknown_procedure', `Aucune démarche « ${procedureSlug} ».`);
  if (code !== null) {
    if (!SERVICE_CODE.test(code)) throw new AppError('bad_request', 'Code de service : 1 à 64 caractères parmi lettres, chiffres, « _ » et « - ».');
    const holder = await open311Repository.procedureWithCode(db, organisationId, code);
    if (holder !== undefined && holder !== procedureSlug) throw new AppError('bad_request', `Le code de service « ${code} » est déjà celui de la démarche « ${holder} ».`);
  }
  await open311Repository.setServiceCode(db, procedure.id, code);
}
