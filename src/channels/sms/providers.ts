/**
 * The shapes in which SMS providers deliver a received SMS, each with its own signature: what a
 * provider sends is checked against the shared secret on the raw bytes, then translated into one
 * `InboundSms`. Nothing here touches the database.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AppError, type FieldError } from '../../http/errors.js';

export const SMS_PROVIDERS = ['generic', 'twilio'] as const;
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

/** A received SMS, whatever the provider. */
export interface InboundSms {
  /** The provider's message id: the de-duplication key of its retries. */
  id: string;
  /** The sender's number as the provider wrote it. */
  from: string;
  to: string | null;
  text: string;
  /** When the provider received it (ISO-8601), if it says. */
  receivedAt: string | null;
  /** Pictures of an MMS: counted, not fetched. */
  media: number;
}

/** The HTTP request as the provider sent it: raw bytes (the signature covers them) and the public URL it called. */
export interface ProviderRequest {
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** PUBLIC_URL + path and query: the URL configured at the provider, which Twilio signs. */
  publicUrl: string;
}

/** How far a generic delivery's timestamp may be from our clock: beyond, it is a replay. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * Checks the signature, then reads the SMS; throws `unauthenticated` (401) for a bad or stale
 * signature, `unsupported_media_type` (415) or `bad_request`/`malformed_json` (400) for a body that
 * is not the provider's shape.
 */
export function readProviderSms(provider: SmsProviderName, request: ProviderRequest, secret: string, now: Date): InboundSms {
  return provider === 'twilio' ? readTwilio(request, secret) : readGeneric(request, secret, now);
}

/** What the provider expects in return for a delivery it may consider done. */
export function providerAnswer(provider: SmsProviderName, outcome: string): { contentType: string; body: string } {
  // Twilio reads the answer as TwiML instructions: an empty <Response> sends no automatic reply.
  if (provider === 'twilio') return { contentType: 'text/xml; charset=utf-8', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' };
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ received: true, outcome }) };
}

/**
 * Guichet's own shape, for a relay or a provider configurable to post JSON: `{id, from, to, text,
 * receivedAt?}`, signed `X-Guichet-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * with `X-Guichet-Timestamp: <Unix seconds>` — the timestamp is signed, so an old delivery
 * replayed later is refused.
 */
export function signGeneric(secret: string, timestamp: number, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

function readGeneric(request: ProviderRequest, secret: string, now: Date): InboundSms {
  const timestamp = Number(header(request.headers, 'x-guichet-timestamp'));
  if (!Number.isInteger(timestamp) || timestamp <= 0) throw new AppError('unauthenticated', 'L’en-tête X-Guichet-Timestamp (secondes Unix) manque ou est invalide.');
  if (Math.abs(now.getTime() / 1000 - timestamp) > MAX_CLOCK_SKEW_SECONDS) {
    throw new AppError('unauthenticated', 'L’horodatage X-Guichet-Timestamp s’écarte de plus de 5 minutes de l’heure du serveur : envoi rejoué ou horloge déréglée.');
  }
  const signature = header(request.headers, 'x-guichet-signature') ?? '';
  if (!sameSecret(signature, signGeneric(secret, timestamp, request.body))) throw new AppError('unauthenticated', 'La signature X-Guichet-Signature ne correspond pas au contenu.');
  if (!isType(request.headers, 'application/json')) throw new AppError('unsupported_media_type', 'Le SMS doit être envoyé en application/json.');
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new AppError('malformed_json');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AppError('bad_request', 'Le corps doit être un objet JSON.');
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const id = requiredText(b, 'id', 'Indiquez l’identifiant du message chez le fournisseur.', errors);
  const from = requiredText(b, 'from', 'Indiquez le numéro de l’expéditeur.', errors);
  const to = optionalText(b, 'to', errors);
  if (typeof b.text !== 'string') errors.push({ field: 'text', code: 'required', message: 'Indiquez le texte du SMS (une chaîne, vide pour un MMS sans texte).' });
  else if (b.text.length > 10_000) errors.push({ field: 'text', code: 'too_long', message: 'Le texte dépasse 10 000 caractères.' });
  let receivedAt: string | null = null;
  if (b.receivedAt !== undefined) {
    const date = typeof b.receivedAt === 'string' ? new Date(b.receivedAt) : null;
    if (!date || Number.isNaN(date.getTime())) errors.push({ field: 'receivedAt', code: 'invalid_date', message: 'Indiquez une date ISO 8601, par exemple 2026-11-29T13:05:00Z.' });
    else receivedAt = date.toISOString();
  }
  if (errors.length > 0) throw new AppError('bad_request', 'Le SMS reçu est incomplet ou mal formé.', errors);
  return { id: id!, from: from!, to, text: b.text as string, receivedAt, media: 0 };
}

/**
 * Twilio's Messaging webhook: a form (MessageSid, From, To, Body, NumMedia, MediaUrl0…) signed in
 * `X-Twilio-Signature` = base64 HMAC-SHA1, keyed by the account's Auth Token, of the full URL
 * followed by every parameter's name and value, sorted by name (twilio.com/docs/usage/security).
 * Twilio sends no timestamp: its retries carry the same MessageSid, which the receipt deduplicates.
 */
export function signTwilio(authToken: string, url: string, params: URLSearchParams): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) byName.set(name, [...(byName.get(name) ?? []), value]);
  let data = url;
  for (const name of [...byName.keys()].sort()) for (const value of byName.get(name)!.sort()) data += name + value;
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function readTwilio(request: ProviderRequest, secret: string): InboundSms {
  if (!isType(request.headers, 'application/x-www-form-urlencoded')) throw new AppError('unsupported_media_type', 'Twilio envoie les SMS en application/x-www-form-urlencoded.');
  const params = new URLSearchParams(request.body.toString('utf8'));
  const signature = header(request.headers, 'x-twilio-signature') ?? '';
  if (!sameSecret(signature, signTwilio(secret, request.publicUrl, params))) {
    throw new AppError('unauthenticated', 'La signature X-Twilio-Signature ne correspond pas (vérifiez le jeton d’authentification et PUBLIC_URL).');
  }
  const fields = Object.fromEntries(params);
  const errors: FieldError[] = [];
  const id = requiredText(fields, 'MessageSid', 'Le paramètre MessageSid manque.', errors);
  const from = requiredText(fields, 'From', 'Le paramètre From (numéro de l’expéditeur) manque.', errors);
  const media = fields.NumMedia === undefined ? 0 : Number(fields.NumMedia);
  if (!Number.isInteger(media) || media < 0) errors.push({ field: 'NumMedia', code: 'invalid', message: 'NumMedia doit être un nombre entier.' });
  if (errors.length > 0) throw new AppError('bad_request', 'Le SMS reçu de Twilio est incomplet.', errors);
  return { id: id!, from: from!, to: fields.To ?? null, text: fields.Body ?? '', receivedAt: null, media };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isType(headers: IncomingHttpHeaders, type: string): boolean {
  return (header(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase() === type;
}

/** Constant-time comparison, so the time taken does not reveal how much of a guess was right. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requiredText(body: Record<string, unknown>, field: string, message: string, errors: FieldError[]): string | undefined {
  const value = body[field];
  if (typeof value === 'string' && value.trim() !== '' && value.length <= 200) return value.trim();
  errors.push({ field, code: typeof value === 'string' && value.length > 200 ? 'too_long' : 'required', message });
  return undefined;
}

function optionalText(body: Record<string, unknown>, field: string, errors: FieldError[]): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.length <= 200) return value.trim();
  errors.push({ field, code: 'invalid', message: 'Ce champ doit être une chaîne de 200 caractères au plus.' });
  return null;
}
