/**
 * The one timeline of a case for agents: journal events and messages in chronological order,
 * each in plain French with who did it. Pure: the case page loads the rows, this reads them.
 */
import type { Actor } from '../../cases/journal.js';
import { CHANNEL_LABELS } from '../../portal/cases/service.js';
import { formatDate, formatDateTime } from '../../portal/cases/views/dates.js';
import type { WorkflowDefinition } from '../../workflow/definition.js';
import type { CaseAttachment, CaseMessage } from './repository.js';

export interface TimelineJournalEvent {
  seq: number;
  type: string;
  actor: Actor;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface TimelineInput {
  journal: readonly TimelineJournalEvent[];
  messages: readonly CaseMessage[];
  attachments: readonly CaseAttachment[];
  agents: ReadonlyMap<number, string>;
  departments: ReadonlyMap<number, string>;
  /** The case's workflow version, for the agents' labels of statuses and transitions. */
  workflow: WorkflowDefinition | null;
  timezone: string;
}

/** A message as the timeline shows it. */
export interface TimelineMessage {
  id: number;
  direction: 'in' | 'out';
  channel: string;
  /** Delivery status in words (« envoyé », « échec de l’envoi »…). */
  delivery: string;
  failed: boolean;
  /** Sent as a postal letter: the reply module prints it (`/courrier/:id.pdf`). */
  letter: boolean;
  recipient: string | null;
  subject: string;
  body: string;
}

export interface TimelineEntry {
  /** `note`: an internal note (never shown to the citizen); `message`: an exchange with the citizen. */
  kind: 'event' | 'note' | 'message';
  /** Journal type, or `message` for a message without its own event. */
  type: string;
  at: string;
  /** Who did it: an agent's name, « l’usager », « le système », « un service partenaire ». */
  actor: string;
  title: string;
  /** Further facts, one line each. */
  details: string[];
  /** An internal note's text. */
  text: string | null;
  /** Colleagues mentioned in a note. */
  mentions: string[];
  message: TimelineMessage | null;
  files: { id: string; filename: string }[];
}

const MESSAGE_CHANNELS: Record<string, string> = {
  email: 'courriel',
  sms: 'SMS',
  portal: 'message dans l’espace usager',
  letter: 'courrier postal',
  agent_email: 'courriel aux agents',
  phone: 'téléphone',
  counter: 'guichet',
  mail: 'courrier postal',
};

const DELIVERY: Record<string, string> = {
  queued: 'en attente d’envoi',
  sent: 'envoyé',
  recorded: 'déposé dans l’espace usager',
  failed: 'échec de l’envoi',
  received: 'reçu',
};

const MATCHED_BY: Record<string, string> = {
  account: 'compte de l’usager',
  franceconnect: 'FranceConnect',
  email: 'adresse électronique',
  phone: 'téléphone',
  identity: 'identité',
  given: 'choisi par l’agent',
  created: 'nouvelle fiche',
};

/** The agents' timeline of a case, oldest first. */
export function buildTimeline(input: TimelineInput): TimelineEntry[] {
  const messages = new Map(input.messages.map((m) => [m.id, m]));
  const attachments = new Map(input.attachments.map((a) => [a.id, a]));
  const cited = new Set<number>();
  const statusLabel = (id: unknown) => input.workflow?.statuses.find((s) => s.id === id)?.label ?? String(id ?? '');
  const transition = (name: unknown) => input.workflow?.transitions.find((t) => t.name === name);
  const agent = (id: unknown) => {
    const n = Number(id);
    return Number.isInteger(n) ? (input.agents.get(n) ?? `agent n° ${n}`) : 'un agent';
  };
  const department = (id: unknown) => input.departments.get(Number(id)) ?? 'un autre service';
  const date = (iso: unknown) => (typeof iso === 'string' && !Number.isNaN(Date.parse(iso)) ? formatDate(iso, input.timezone) : '');
  const filesOf = (ids: unknown) =>
    (Array.isArray(ids) ? ids : typeof ids === 'string' ? [ids] : []).flatMap((id) => {
      const file = attachments.get(String(id));
      return file ? [{ id: file.id, filename: file.filename }] : [];
    });
  // A message is shown once, with the first event that cites it (a reply that asks for
  // information is both a `message.out` and an `information.requested`).
  const messageOf = (id: unknown): TimelineMessage | null => {
    const m = typeof id === 'number' ? messages.get(id) : undefined;
    if (!m || cited.has(m.id)) return null;
    cited.add(m.id);
    return toTimelineMessage(m);
  };

  const entries: TimelineEntry[] = input.journal.map((e) => {
    const p = e.payload;
    const entry: TimelineEntry = { kind: 'event', type: e.type, at: e.createdAt, actor: actorName(e.actor, input.agents), title: '', details: [], text: null, mentions: [], message: null, files: [] };
    const text = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : '');
    switch (e.type) {
      case 'case.created':
        entry.title = 'Demande reçue';
        entry.details.push(`Canal : ${CHANNEL_LABELS[text('channel')]?.toLowerCase() ?? text('channel')}`);
        if (text('receivedAt') && text('receivedAt').slice(0, 10) !== e.createdAt.slice(0, 10)) entry.details.push(`Date de réception retenue : ${date(p['receivedAt'])}`);
        entry.files = filesOf(p['attachments']);
        break;
      case 'citizen.matched':
        entry.title = 'Demande rattachée à la fiche de l’usager';
        if (text('by')) entry.details.push(`Par : ${MATCHED_BY[text('by')] ?? text('by')}`);
        if (p['possibleDuplicateOf'] != null) entry.details.push('Doublon possible d’une autre fiche usager : à vérifier');
        break;
      case 'case.routed':
        entry.title = `Orientée vers le service ${department(p['departmentId'])}`;
        if (text('rule')) entry.details.push(`Règle : ${text('rule')}`);
        break;
      case 'status.changed': {
        const t = transition(p['transition']);
        entry.title = t?.label ?? 'Changement de statut';
        entry.details.push(`Statut : ${statusLabel(p['from'])} → ${statusLabel(p['to'])}`);
        const inputs = typeof p['inputs'] === 'object' && p['inputs'] !== null ? (p['inputs'] as Record<string, unknown>) : {};
        for (const [name, value] of Object.entries(inputs)) {
          const shown = Array.isArray(value) ? value.map(String).join(', ') : value === null || value === undefined ? '' : String(value);
          if (shown === '') continue;
          const label = t?.inputs?.find((i) => i.name === name)?.label ?? name;
          if (t?.inputs?.find((i) => i.name === name)?.type === 'document') entry.files.push(...filesOf(value));
          else entry.details.push(`${label} : ${shown}`);
        }
        break;
      }
      case 'case.transferred':
        entry.title = `Transférée du service ${department(p['from'])} au service ${department(p['to'])}`;
        if (text('reason')) entry.details.push(`Motif : ${text('reason')}`);
        if (text('rule')) entry.details.push(`Règle : ${text('rule')}`);
        if (text('by') === 'workflow') entry.details.push('Par le circuit de traitement');
        break;
      case 'case.assigned':
      case 'case.taken': {
        const assignee = input.agents.has(Number(p['agentId'])) || !text('agentName') ? agent(p['agentId']) : text('agentName');
        entry.title = p['agentId'] == null ? 'Attribution retirée' : e.type === 'case.taken' || (e.actor.type === 'agent' && String(p['agentId']) === e.actor.id) ? `Prise en charge par ${assignee}` : `Attribuée à ${assignee}`;
        if (text('by') === 'workflow') entry.details.push('Par le circuit de traitement');
        if (p['bulk'] === true) entry.details.push('Action groupée depuis la liste des dossiers');
        break;
      }
      case 'case.unassigned':
        entry.title = 'Attribution retirée';
        break;
      case 'note_added':
      case 'note':
      case 'note.added':
      case 'case.note':
      case 'note.internal':
        entry.kind = 'note';
        entry.title = 'Note interne';
        entry.text = text('text') || text('body') || text('note');
        entry.mentions = mentionsOf(p['mentions']).map(agent);
        entry.files = filesOf(p['attachments'] ?? p['attachmentIds']);
        break;
      case 'message.in':
        entry.kind = 'message';
        entry.title = `Message de l’usager (${MESSAGE_CHANNELS[text('channel')] ?? text('channel')})`;
        entry.message = messageOf(p['messageId']);
        entry.files = filesOf(p['attachments']);
        if (p['answers'] != null) entry.details.push('Répond à la demande d’informations');
        break;
      case 'message.out':
      case 'reply.sent':
      case 'message.sent':
        entry.kind = 'message';
        entry.message = messageOf(p['messageId']);
        entry.title = `Message à l’usager (${entry.message?.channel ?? MESSAGE_CHANNELS[text('channel')] ?? text('channel')})`;
        entry.files = filesOf(p['attachments'] ?? p['attachmentIds']);
        break;
      case 'information.requested':
        entry.kind = 'message';
        entry.message = messageOf(p['messageId']);
        entry.title = 'Informations demandées à l’usager';
        if (text('replyBy')) entry.details.push(`Réponse attendue avant le ${date(p['replyBy'])}`);
        if (text('silence') === 'suspend') entry.details.push('Le délai de décision implicite est suspendu jusqu’à la réponse');
        if (text('silence') === 'restart') entry.details.push('Le délai de décision implicite repartira de zéro à la réception des pièces');
        break;
      case 'acknowledgment.sent':
        entry.title = `Accusé de réception envoyé (${MESSAGE_CHANNELS[text('channel')] ?? text('channel')})`;
        entry.message = messageOf(p['messageId']);
        break;
      case 'channel.received':
        entry.title = text('source') === 'sms' ? 'Demande reçue par SMS' : `Demande reçue (${text('source') || text('channel')})`;
        if (text('from')) entry.details.push(`De : ${text('from')}`);
        break;
      case 'contact.failed':
        entry.title = `Adresse en échec (${MESSAGE_CHANNELS[text('channel')] ?? text('channel')})`;
        if (text('address')) entry.details.push(`Adresse : ${text('address')}`);
        if (text('diagnostic')) entry.details.push(`Motif : ${text('diagnostic')}`);
        break;
      case 'acknowledgment.not_sent':
        entry.title = 'Accusé de réception non envoyé';
        if (text('reason')) entry.details.push(`Raison : ${text('reason')}`);
        break;
      case 'deadlines.recomputed':
        entry.title = 'Échéances recalculées après l’attente de l’usager';
        if (text('dueAt')) entry.details.push(`Nouvelle échéance : ${date(p['dueAt'])}`);
        if (text('implicitDecisionAt')) entry.details.push(`Décision implicite le ${date(p['implicitDecisionAt'])}`);
        break;
      case 'case.due_changed':
        entry.title = 'Échéance modifiée';
        if (text('dueAt')) entry.details.push(`Nouvelle échéance : ${date(p['dueAt'])}`);
        break;
      case 'case.labelled':
        entry.title = `Étiquette ajoutée : ${text('label')}`;
        break;
      case 'case.escalated':
        entry.title = 'Délai de l’étape dépassé : responsables alertés';
        break;
      case 'case.overdue':
        entry.title = 'Dossier en retard : responsables alertés';
        break;
      case 'decision.implicit':
        entry.title = text('regime') === 'accord' ? 'Décision implicite d’acceptation (silence vaut acceptation)' : 'Décision implicite de rejet (silence vaut rejet)';
        entry.message = messageOf(p['messageId']);
        break;
      case 'document.scheduled':
        entry.title = `Document en préparation : ${text('title')}`;
        break;
      case 'document.generated':
        entry.title = `Document produit : ${text('title')}`;
        entry.files = filesOf(p['attachmentId']);
        break;
      case 'webhook.scheduled':
        entry.title = 'Notification envoyée à une application partenaire';
        break;
      case 'webhook.refused':
        entry.title = 'Notification à une application partenaire refusée (adresse non autorisée)';
        if (text('reason')) entry.details.push(`Motif : ${text('reason')}`);
        break;
      case 'attachment_added':
      case 'attachment.added':
      case 'document.attached':
        entry.title = 'Pièce ajoutée au dossier';
        entry.files = filesOf(p['attachmentIds'] ?? p['attachments'] ?? p['attachmentId']);
        if (text('description')) entry.details.push(text('description'));
        break;
      case 'case.merged_into':
        entry.title = `Fusionnée comme doublon dans le dossier ${text('into')}`;
        if (text('fromStatus') && text('toStatus') && text('fromStatus') !== text('toStatus')) entry.details.push(`Statut : ${statusLabel(p['fromStatus'])} → ${statusLabel(p['toStatus'])}`);
        break;
      case 'case.merged_from':
        entry.title = `Le dossier ${text('from')} (doublon) a été fusionné dans celui-ci`;
        entry.files = filesOf(p['attachments']);
        break;
      case 'citizen_merged':
        entry.title = 'Demande rattachée à une autre fiche usager (fusion de deux fiches)';
        entry.details.push(`Fiche n° ${String(p['fromCitizenId'])} → fiche n° ${String(p['toCitizenId'])}`);
        break;
      case 'citizen_split':
        entry.title = 'Demande rendue à sa fiche usager d’origine (fusion séparée)';
        entry.details.push(`Fiche n° ${String(p['fromCitizenId'])} → fiche n° ${String(p['toCitizenId'])}`);
        break;
      default:
        // A type this page does not know yet is still shown, never hidden.
        entry.title = `Événement du dossier (${e.type})`;
    }
    return entry;
  });

  for (const m of input.messages) {
    if (cited.has(m.id)) continue;
    const message = toTimelineMessage(m);
    entries.push({
      kind: 'message',
      type: 'message',
      at: m.createdAt,
      actor: m.direction === 'in' ? 'l’usager' : 'le service',
      title: m.direction === 'in' ? `Message de l’usager (${message.channel})` : `Message envoyé (${message.channel})`,
      details: [],
      text: null,
      mentions: [],
      message,
      files: input.attachments.filter((a) => a.messageId === m.id).map((a) => ({ id: a.id, filename: a.filename })),
    });
  }
  // Stable sort: on equal times the journal's own order holds, and an event precedes a message
  // it did not cite.
  return entries.map((entry, index) => ({ entry, index })).sort((a, b) => compareTimes(a.entry.at, b.entry.at) || a.index - b.index).map((x) => x.entry);
}

/** Ids of the agents a journal names (authors, assignees, mentions), to load their names at once. */
export function agentIdsOf(journal: readonly TimelineJournalEvent[]): number[] {
  const ids = new Set<number>();
  for (const e of journal) {
    if (e.actor.type === 'agent' && e.actor.id !== null && /^\d+$/.test(e.actor.id)) ids.add(Number(e.actor.id));
    if (typeof e.payload['agentId'] === 'number') ids.add(e.payload['agentId']);
    for (const id of mentionsOf(e.payload['mentions'])) ids.add(id);
  }
  return [...ids];
}

/**
 * Files of duplicates merged into the case, by the duplicate's reference: the kept case's page
 * shows and serves them (the merge's journal event lists them).
 */
export function mergedFilesOf(journal: readonly TimelineJournalEvent[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of journal) {
    if (e.type !== 'case.merged_from' || !Array.isArray(e.payload['attachments'])) continue;
    for (const id of e.payload['attachments']) files.set(String(id), String(e.payload['from'] ?? ''));
  }
  return files;
}

/** Mentions as ids, whether a note keeps them as ids or as `{ agentId }` objects. */
function mentionsOf(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((m) => {
    const id = typeof m === 'object' && m !== null ? (m as Record<string, unknown>)['agentId'] ?? (m as Record<string, unknown>)['id'] : m;
    return typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)) ? [Number(id)] : [];
  });
}

function actorName(actor: Actor, agents: ReadonlyMap<number, string>): string {
  switch (actor.type) {
    case 'agent':
      return actor.id !== null && agents.has(Number(actor.id)) ? agents.get(Number(actor.id))! : 'un agent';
    case 'citizen':
      return 'l’usager';
    case 'integration':
      return 'une application partenaire';
    default:
      return 'le système';
  }
}

function toTimelineMessage(m: CaseMessage): TimelineMessage {
  return {
    id: m.id,
    direction: m.direction,
    channel: MESSAGE_CHANNELS[m.channel] ?? m.channel,
    delivery: DELIVERY[m.status] ?? m.status,
    failed: m.status === 'failed',
    letter: m.channel === 'letter',
    recipient: m.recipient,
    subject: m.subject,
    body: m.body,
  };
}

function compareTimes(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b);
}

/** A moment as the timeline writes it (« 3 mars 2026 à 14:05 »), in the town's time zone. */
export const timelineTime = (iso: string, timezone: string) => formatDateTime(iso, timezone);
