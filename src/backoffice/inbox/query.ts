import { DateTime } from 'luxon';
import { CHANNELS, type Channel } from '../../cases/repository.js';
import { INBOX_SORTS, type InboxCursor, type InboxFilter, type InboxSort } from '../../cases/inbox-repository.js';
import type { FieldProblem } from '../../http/ui/layout.js';

/**
 * The inbox's query string (French parameter names, shared with the dashboard and saved views
 * that link to it) parsed into a filter. Bad values never reach SQL: each becomes a problem shown
 * in the page's error summary, linked to its field, and the filter leaves it out.
 */

/** Every parameter the inbox understands, in the order of the form. */
export const INBOX_PARAMS = [
  'q',
  'departement',
  'demarche',
  'statut',
  'canal',
  'attribution',
  'delai',
  'etat',
  'recu_du',
  'recu_au',
  'clos_du',
  'clos_au',
  'secteur',
  'satisfaction',
  'tri',
] as const;
export type InboxParam = (typeof INBOX_PARAMS)[number];

/** The id of a filter's input (the error summary links to it). */
export const fieldId = (param: InboxParam | 'apres') => `filtre-${param.replace('_', '-')}`;

export interface ParsedInboxQuery {
  filter: InboxFilter;
  /** The procedure slug given (`demarche`), resolved by the caller into `filter.procedureId`. */
  procedureSlug: string | null;
  after: InboxCursor | null;
  /** The parameters as given (trimmed), to fill the form again. */
  values: Partial<Record<InboxParam, string>>;
  problems: FieldProblem[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const IDENTIFIER = /^[a-z][a-z0-9_-]{0,63}$/;

/** Parses the inbox's parameters; `departmentIds` are the departments the agent may pick. */
export function parseInboxQuery(params: URLSearchParams, departmentIds: readonly number[], timezone: string): ParsedInboxQuery {
  const values: Partial<Record<InboxParam, string>> = {};
  for (const name of INBOX_PARAMS) {
    const value = params.get(name)?.trim();
    if (value) values[name] = value.slice(0, 200);
  }
  const problems: FieldProblem[] = [];
  const problem = (param: InboxParam | 'apres', message: string) => problems.push({ target: fieldId(param), message });

  const sort = (values.tri ?? 'recus') as InboxSort;
  if (!INBOX_SORTS.includes(sort)) problem('tri', 'Choisissez un tri proposé dans la liste.');
  const stateValue = values.etat ?? 'ouverts';
  const state = ({ ouverts: 'open', clos: 'closed', tous: 'all' } as const)[stateValue as 'ouverts' | 'clos' | 'tous'];
  if (!state) problem('etat', 'Choisissez l’état des dossiers : ouverts, clos ou tous.');
  const filter: InboxFilter = { state: state ?? 'open', sort: INBOX_SORTS.includes(sort) ? sort : 'recus' };

  if (values.departement !== undefined) {
    const id = Number(values.departement);
    if (Number.isInteger(id) && departmentIds.includes(id)) filter.departmentId = id;
    else problem('departement', 'Choisissez un de vos services.');
  }
  let procedureSlug: string | null = null;
  if (values.demarche !== undefined) {
    if (IDENTIFIER.test(values.demarche)) procedureSlug = values.demarche;
    else problem('demarche', 'Choisissez une démarche proposée dans la liste.');
  }
  if (values.statut !== undefined) {
    if (IDENTIFIER.test(values.statut)) filter.status = values.statut;
    else problem('statut', 'Choisissez un statut proposé dans la liste.');
  }
  if (values.canal !== undefined) {
    if ((CHANNELS as readonly string[]).includes(values.canal)) filter.channel = values.canal as Channel;
    else problem('canal', 'Choisissez un canal proposé dans la liste.');
  }
  if (values.attribution !== undefined) {
    const assignment = ({ moi: 'me', aucune: 'none' } as const)[values.attribution as 'moi' | 'aucune'];
    if (assignment) filter.assignment = assignment;
    else problem('attribution', 'Choisissez « à moi » ou « non attribués ».');
  }
  if (values.delai !== undefined) {
    const delay = ({ 'a-risque': 'at_risk', 'en-retard': 'overdue' } as const)[values.delai as 'a-risque' | 'en-retard'];
    if (delay) filter.delay = delay;
    else problem('delai', 'Choisissez « à risque » ou « en retard ».');
  }
  const received = dateRange(values.recu_du, values.recu_au, timezone, 'recu_du', 'recu_au', 'réception', problem);
  if (received.from) filter.receivedFrom = received.from;
  if (received.to) filter.receivedTo = received.to;
  const closed = dateRange(values.clos_du, values.clos_au, timezone, 'clos_du', 'clos_au', 'clôture', problem);
  if (closed.from) filter.closedFrom = closed.from;
  if (closed.to) filter.closedTo = closed.to;
  if (values.secteur !== undefined) filter.sector = values.secteur.slice(0, 100);
  if (values.satisfaction !== undefined) {
    if (values.satisfaction === 'repondu') filter.satisfactionAnswered = true;
    else problem('satisfaction', 'Le filtre de satisfaction n’accepte que « avis donné ».');
  }
  if (values.q !== undefined) filter.text = values.q;

  let after: InboxCursor | null = null;
  const cursor = params.get('apres');
  if (cursor) {
    after = decodeCursor(cursor, cursorShape(filter));
    if (!after) problem('apres', 'Cette page de résultats n’existe plus : revenez à la première page.');
  }
  return { filter, procedureSlug, after, values, problems };
}

function dateRange(
  fromValue: string | undefined,
  toValue: string | undefined,
  timezone: string,
  fromParam: InboxParam,
  toParam: InboxParam,
  what: string,
  problem: (param: InboxParam, message: string) => void,
): { from?: string; to?: string } {
  const from = fromValue !== undefined ? localDayStart(fromValue, timezone) : undefined;
  const to = toValue !== undefined ? localDayStart(toValue, timezone, 1) : undefined;
  if (from === null) problem(fromParam, `La date de début de ${what} doit être une date valide (jj/mm/aaaa).`);
  if (to === null) problem(toParam, `La date de fin de ${what} doit être une date valide (jj/mm/aaaa).`);
  if (from && to && from >= to) problem(toParam, `La date de fin de ${what} doit suivre la date de début.`);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** The instant a local day starts (plus `addDays`), in UTC ISO; null for an invalid date. */
function localDayStart(value: string, timezone: string, addDays = 0): string | null {
  if (!DATE.test(value)) return null;
  const day = DateTime.fromISO(value, { zone: timezone });
  if (!day.isValid || day.year < 1900 || day.year > 2999) return null;
  return day.plus({ days: addDays }).toUTC().toISO();
}

type CursorPart = 'instant' | 'rank' | 'id';

/** What the cursor of a filter's order holds (see inbox-repository's orderOf). */
function cursorShape(filter: InboxFilter): CursorPart[] {
  if (filter.text !== undefined && filter.text.trim() !== '' && filter.sort === 'recus') return ['id'];
  return filter.sort === 'priorite' ? ['rank', 'instant', 'id'] : ['instant', 'id'];
}

/** The `apres` parameter for a page ending with a row of this sort key. */
export function encodeCursor(cursor: InboxCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function decodeCursor(value: string, shape: CursorPart[]): InboxCursor | null {
  if (value.length > 200) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== shape.length) return null;
    const ok = shape.every((kind, i) => {
      const part: unknown = parsed[i];
      if (kind === 'instant') return typeof part === 'string' && INSTANT.test(part) && !Number.isNaN(Date.parse(part));
      return typeof part === 'number' && Number.isSafeInteger(part) && part >= 0;
    });
    return ok ? (parsed as InboxCursor) : null;
  } catch {
    return null;
  }
}

/**
 * The canonical query string of a list (no empty values, no cursor), to link back to it, save it
 * as a view or carry it to the case page (`?liste=`). `changes` overrides some values.
 */
export function inboxQueryString(values: Partial<Record<InboxParam, string>>, changes: Partial<Record<InboxParam, string | null>> = {}): string {
  const params = new URLSearchParams();
  for (const name of INBOX_PARAMS) {
    const value = name in changes ? changes[name] : values[name];
    if (value) params.set(name, value);
  }
  return params.toString();
}
