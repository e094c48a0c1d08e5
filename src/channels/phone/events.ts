/**
 * The call events a telephony system (PBX) posts, in the shape of Zammad's « CTI (generic) »
 * API, which most PBXs and their connectors already speak: `event` (newCall, answer, hangup),
 * `from`, `to`, `direction` (in, out), `callId`, `user[]` (the people involved), `answeringNumber`
 * (who answered) and, on hangup, `cause`. Guichet adds an optional `extension`: the agent's
 * extension that rings. JSON and form-encoded bodies read the same.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { FieldError } from '../../http/errors.js';
import { toE164 } from '../../procedures/form/phone.js';

export const CALL_EVENTS = ['newCall', 'answer', 'hangup'] as const;
export type CallEventName = (typeof CALL_EVENTS)[number];

export interface CallEvent {
  event: CallEventName;
  callId: string;
  from: string;
  to: string;
  direction: 'in' | 'out';
  /** Names of the users involved (`user` or `user[]`), as the PBX knows them. */
  users: string[];
  /** The agent's extension: `extension`, else `answeringNumber`; null when the PBX sent neither. */
  extension: string | null;
  /** Why the call ended (hangup only): normalClearing, busy, cancel, noAnswer… */
  cause: string | null;
}

/** The hang-up causes Zammad's API names, in the agents' words; others are kept as sent. */
export const CAUSE_LABELS: Record<string, string> = {
  normalClearing: 'raccroché normalement',
  busy: 'occupé',
  cancel: 'abandonné par l’appelant',
  noAnswer: 'sans réponse',
  congestion: 'réseau saturé',
  notFound: 'numéro inexistant',
  forwarded: 'transféré',
};

const MAX_CALL_ID = 250;
const MAX_NUMBER = 100;
const MAX_EXTENSION = 50;
const MAX_USERS = 20;
const CAUSE = /^[A-Za-z][A-Za-z0-9_-]{0,49}$/;

const hasControlCharacter = (value: string) => [...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

const text = (value: unknown): string | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  return value.trim();
};

/**
 * Reads and checks an event's body; all problems at once, each with a French message naming
 * the field as the PBX sends it.
 */
export function parseCallEvent(body: unknown): { ok: true; value: CallEvent } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const event = text(b['event']);
  if (!event || !(CALL_EVENTS as readonly string[]).includes(event)) {
    errors.push({ field: 'event', code: 'invalid', message: 'L’événement (event) doit valoir newCall, answer ou hangup.' });
  }
  const callId = text(b['callId']);
  if (!callId || callId.length > MAX_CALL_ID || hasControlCharacter(callId)) {
    errors.push({ field: 'callId', code: callId ? 'invalid' : 'required', message: `L’identifiant de l’appel (callId) est obligatoire : ${MAX_CALL_ID} caractères au plus, sans caractère de contrôle.` });
  }
  const from = text(b['from']);
  if (!from || from.length > MAX_NUMBER) {
    errors.push({ field: 'from', code: from ? 'invalid' : 'required', message: `Le numéro appelant (from) est obligatoire (${MAX_NUMBER} caractères au plus ; « anonymous » pour un numéro masqué).` });
  }
  const to = text(b['to']);
  if (!to || to.length > MAX_NUMBER) {
    errors.push({ field: 'to', code: to ? 'invalid' : 'required', message: `Le numéro appelé (to) est obligatoire (${MAX_NUMBER} caractères au plus).` });
  }
  const direction = text(b['direction']);
  if (direction !== 'in' && direction !== 'out') {
    errors.push({ field: 'direction', code: 'invalid', message: 'La direction de l’appel (direction) doit valoir in (entrant) ou out (sortant).' });
  }
  const rawUsers = b['user[]'] ?? b['user'];
  const users = (Array.isArray(rawUsers) ? rawUsers : rawUsers === undefined ? [] : [rawUsers]).map(text);
  if (users.length > MAX_USERS || users.some((u) => u === undefined || u.length > 200)) {
    errors.push({ field: 'user', code: 'invalid', message: `Les utilisateurs (user[]) doivent être des noms de 200 caractères au plus, ${MAX_USERS} au plus.` });
  }
  const extension = text(b['extension']) || text(b['answeringNumber']) || null;
  if (extension !== null && extension.length > MAX_EXTENSION) {
    errors.push({ field: b['extension'] !== undefined ? 'extension' : 'answeringNumber', code: 'invalid', message: `Le poste (extension ou answeringNumber) doit faire ${MAX_EXTENSION} caractères au plus.` });
  }
  const cause = text(b['cause']) || null;
  if (cause !== null && !CAUSE.test(cause)) {
    errors.push({ field: 'cause', code: 'invalid', message: 'La cause de fin d’appel (cause) doit être un mot comme normalClearing, busy, cancel ou noAnswer.' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      event: event as CallEventName,
      callId: callId!,
      from: from!,
      to: to!,
      direction: direction as 'in' | 'out',
      users: users.filter((u): u is string => !!u),
      extension,
      cause: event === 'hangup' ? cause : null,
    },
  };
}

/**
 * The citizen's number in E.164, or null for a hidden or unreadable one. PBXs write numbers
 * the national way (0612345678), with `+` or `00`, or — as in Zammad's examples — international
 * digits without any prefix (33612345678).
 */
export function callerE164(raw: string): string | null {
  const value = raw.trim();
  if (!/\d/.test(value)) return null;
  const direct = toE164(value);
  if (direct) return direct;
  if (/^[1-9]\d{7,14}$/.test(value)) {
    const parsed = parsePhoneNumberFromString(`+${value}`);
    if (parsed?.isValid()) return parsed.number;
  }
  return null;
}
