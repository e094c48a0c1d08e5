import { CHANNEL_LABELS } from '../portal/cases/service.js';
import { phoneRepository } from '../channels/phone/repository.js';
import { cachedConfiguration } from '../configuration/cache.js';
import type { Executor } from '../db/transaction.js';
import { fromJson } from '../db/transaction.js';
import { isClosedCategory } from '../workflow/engine.js';
import { workflowRepository } from '../workflow/repository.js';
import type { Status } from '../workflow/definition.js';
import { householdMembers, type HouseholdMember } from './profile.js';
import type { MergeSnapshot } from './merge.js';
import { mergeRepository } from './merge-repository.js';
import { citizenDisplayName } from './search-repository.js';
import { VIEW_360_LIMIT, view360Repository } from './view-360-repository.js';
import type { ContactSource, ContactVerification } from './repository.js';

/** Where a contact came from, and whether (when, how) it was verified: only a verified contact binds input to the record (ADR 0002). */
export interface ContactProvenance {
  source: ContactSource;
  verifiedAt: string | null;
  verifiedHow: ContactVerification | null;
}

function provenanceOf(r: { source: ContactSource; verified_at: string | null; verified_how: ContactVerification | null }): ContactProvenance {
  return { source: r.source, verifiedAt: r.verified_at, verifiedHow: r.verified_how };
}

/** What the access rules need to decide whether an agent sees a case (see backoffice/policy.ts). */
export interface CaseFacts {
  organisationId: number;
  department: { id: number };
  assignedAgentId: number | null;
}

export interface Citizen360Case {
  id: number;
  reference: string;
  title: string;
  channel: string;
  channelLabel: string;
  statusLabel: string;
  closed: boolean;
  departmentName: string;
  receivedAt: string;
  closedAt: string | null;
}

/** Everything the town knows of a citizen, cut down to what one agent may see. */
export interface Citizen360 {
  id: number;
  displayName: string;
  civility: 'M' | 'Mme' | null;
  firstNames: string | null;
  birthName: string | null;
  usageName: string | null;
  birthDate: string | null;
  identityAssurance: 'declared' | 'franceconnect' | 'counter';
  identityProviders: string[];
  createdAt: string;
  emails: ({ email: string; primary: boolean } & ContactProvenance)[];
  phones: ({ id: number; phone: string; primary: boolean } & ContactProvenance)[];
  addresses: ({ text: string; primary: boolean } & ContactProvenance)[];
  household: { name: string; members: HouseholdMember[] } | null;
  cases: Citizen360Case[];
  /** Cases in departments the agent does not see: counted, never described. */
  hiddenCaseCount: number;
  messages: { id: number; caseReference: string; direction: 'in' | 'out'; channel: string; subject: string; body: string; status: string; createdAt: string }[];
  attachments: { id: string; caseReference: string; filename: string; mimeType: string; size: number; createdAt: string }[];
  documents: { id: number; kind: string; label: string; expiresOn: string | null; filename: string | null; createdAt: string }[];
  satisfaction: { caseReference: string; rating: number; comment: string | null; createdAt: string }[];
  account: { email: string; withPassword: boolean; emailVerifiedAt: string | null; notifyEmail: boolean; notifySms: boolean; deletionRequestedAt: string | null; createdAt: string } | null;
  merges: {
    id: number;
    mergedCitizenId: number;
    agentName: string;
    createdAt: string;
    snapshot: MergeSnapshot;
    /** How the agent checked the person's identity, when they had to. */
    identityCheck: string | null;
    /** When the merge was split back (« Séparer »), if it was. */
    splitAt: string | null;
    /** False for merges older than the exact record of what moved: they cannot be split back. */
    splittable: boolean;
  }[];
  /** The record the intake flagged this one as a possible duplicate of, if still flagged. */
  possibleDuplicateOf: { id: number; displayName: string } | null;
  /** Agents' decisions that this record and another are different people. */
  notDuplicates: { otherId: number; agentName: string; createdAt: string }[];
  /** Telephone calls from or to the citizen (this record and those merged into it), newest first. */
  calls: Citizen360Call[];
}

/** A call in the citizen's history, as the telephony system reported it. */
export interface Citizen360Call {
  id: number;
  direction: 'in' | 'out';
  state: 'ringing' | 'answered' | 'ended';
  number: string;
  agentName: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  cause: string | null;
  /** The request registered from the call. */
  caseReference: string | null;
}

/** Where a merged record's page sends the agent. */
export interface MergedRecord {
  merged: true;
  id: number;
  displayName: string;
  keptId: number;
  keptName: string;
}

/**
 * The 360° view of a citizen of the organisation, or undefined when there is none (another
 * organisation's records do not exist here). Only the cases `canSee` accepts are described; their
 * messages, files and satisfaction answers follow them. A merged record answers where it went.
 */
export async function citizen360(db: Executor, organisationId: number, citizenId: number, canSee: (c: CaseFacts) => boolean): Promise<Citizen360 | MergedRecord | undefined> {
  const row = await view360Repository.citizen(db, citizenId);
  if (!row || row.organisation_id !== organisationId) return undefined;
  const displayName = citizenDisplayName(row);
  if (row.merged_into_id !== null) {
    const [kept] = await view360Repository.names(db, [row.merged_into_id]);
    return { merged: true, id: row.id, displayName, keptId: row.merged_into_id, keptName: kept ? citizenDisplayName(kept) : `fiche n° ${row.merged_into_id}` };
  }
  const [emails, phones, addresses, identities, allCases, documents, account, merges, flagged, dismissals] = await Promise.all([
    view360Repository.emails(db, citizenId),
    view360Repository.phones(db, citizenId),
    view360Repository.addresses(db, citizenId),
    view360Repository.identities(db, citizenId),
    view360Repository.cases(db, citizenId),
    view360Repository.documents(db, citizenId),
    view360Repository.account(db, citizenId),
    view360Repository.mergesInto(db, citizenId),
    row.possible_duplicate_of !== null ? view360Repository.names(db, [row.possible_duplicate_of]) : Promise.resolve([]),
    mergeRepository.dismissals(db, citizenId),
  ]);
  const visible = allCases.filter((c) => canSee({ organisationId: c.organisation_id, department: { id: c.department_id }, assignedAgentId: c.assigned_agent_id }));
  const references = new Map(visible.map((c) => [c.id, c.reference]));
  const ids = [...references.keys()];
  const [messages, attachments, satisfaction, household, calls] = await Promise.all([
    view360Repository.messages(db, ids),
    view360Repository.caseAttachments(db, ids),
    view360Repository.satisfaction(db, ids),
    row.household_id !== null ? householdOf(db, row.household_id) : Promise.resolve(null),
    phoneRepository.ofCitizens(db, [citizenId, ...merges.map((m) => m.merged_citizen_id)], VIEW_360_LIMIT),
  ]);
  const duplicate = flagged.find((f) => f.merged_into_id === null && f.organisation_id === organisationId);
  return {
    id: row.id,
    displayName,
    civility: row.civility,
    firstNames: row.first_names,
    birthName: row.birth_name,
    usageName: row.usage_name,
    birthDate: row.birth_date,
    identityAssurance: row.identity_assurance,
    identityProviders: [...new Set(identities.map((i) => i.provider))],
    createdAt: row.created_at,
    emails: emails.map((e) => ({ email: e.email, primary: e.is_primary === 1, ...provenanceOf(e) })),
    phones: phones.map((p) => ({ id: p.id, phone: p.phone, primary: p.is_primary === 1, ...provenanceOf(p) })),
    addresses: addresses.map((a) => ({ text: addressText(a), primary: a.is_primary === 1, ...provenanceOf(a) })),
    household,
    cases: await Promise.all(visible.map(async (c) => ({ ...(await statusOf(db, c)), id: c.id, reference: c.reference, title: c.procedure_title ?? c.subject, channel: c.channel, channelLabel: CHANNEL_LABELS[c.channel] ?? c.channel, departmentName: c.department_name, receivedAt: c.received_at, closedAt: c.closed_at }))),
    hiddenCaseCount: allCases.length - visible.length,
    messages: messages.map((m) => ({ id: m.id, caseReference: references.get(m.case_id) ?? '', direction: m.direction, channel: m.channel, subject: m.subject, body: m.body_text, status: m.status, createdAt: m.created_at })),
    attachments: attachments.map((a) => ({ id: a.id, caseReference: references.get(a.case_id!) ?? '', filename: a.filename, mimeType: a.mime_type, size: a.size, createdAt: a.created_at })),
    documents: documents.map((d) => ({ id: d.id, kind: d.kind, label: d.label, expiresOn: d.expires_on, filename: d.filename, createdAt: d.created_at })),
    satisfaction: satisfaction.map((s) => ({ caseReference: references.get(s.case_id) ?? '', rating: s.rating, comment: s.comment, createdAt: s.created_at })),
    account: account
      ? {
          email: account.email,
          withPassword: account.password_hash !== null,
          emailVerifiedAt: account.email_verified_at,
          notifyEmail: account.notify_email === 1,
          notifySms: account.notify_sms === 1,
          deletionRequestedAt: account.deletion_requested_at,
          createdAt: account.created_at,
        }
      : null,
    merges: merges.map((m) => ({
      id: m.id,
      mergedCitizenId: m.merged_citizen_id,
      agentName: m.agent_name,
      createdAt: m.created_at,
      snapshot: fromJson<MergeSnapshot>(m.snapshot),
      identityCheck: m.identity_check,
      splitAt: m.split_at,
      splittable: m.moved !== null && m.split_at === null,
    })),
    possibleDuplicateOf: duplicate ? { id: duplicate.id, displayName: citizenDisplayName(duplicate) } : null,
    notDuplicates: dismissals.map((d) => ({ otherId: d.citizen_id === citizenId ? d.other_citizen_id : d.citizen_id, agentName: d.agent_name, createdAt: d.created_at })),
    calls: calls.map((k) => ({
      id: k.id,
      direction: k.direction,
      state: k.state,
      number: k.caller_e164 ?? (k.direction === 'in' ? k.from_number : k.to_number),
      agentName: k.agent_name,
      startedAt: k.started_at,
      answeredAt: k.answered_at,
      endedAt: k.ended_at,
      cause: k.cause,
      caseReference: k.case_reference,
    })),
  };
}

/** « 12 rue des Lilas, Bât. B, 37000 Tours » */
export function addressText(a: { line1: string; line2: string | null; postcode: string; city: string; country?: string }): string {
  return [a.line1, a.line2, `${a.postcode} ${a.city}`, a.country && a.country !== 'FR' ? a.country : null].filter(Boolean).join(', ');
}

async function householdOf(db: Executor, householdId: number) {
  const [household, members] = await Promise.all([view360Repository.household(db, householdId), householdMembers(db, householdId)]);
  return household ? { name: household.name, members } : null;
}

/** The agents' label of a case's status (workflow versions never change: cached). */
async function statusOf(db: Executor, c: { workflow_id: number | null; status: string; closed_at: string | null }): Promise<{ statusLabel: string; closed: boolean }> {
  const statuses =
    c.workflow_id === null
      ? new Map<string, Status>()
      : await cachedConfiguration(db, `workflow-statuses:${c.workflow_id}`, async () => {
          const workflow = await workflowRepository.byId(db, c.workflow_id!);
          return new Map((workflow?.definition.statuses ?? []).map((s) => [s.id, s]));
        });
  const status = statuses.get(c.status);
  if (!status) return { statusLabel: c.closed_at ? 'Clos' : 'En cours', closed: c.closed_at !== null };
  return { statusLabel: status.label, closed: isClosedCategory(status.category) };
}
