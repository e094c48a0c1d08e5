import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of every table, as Kysely sees them. Timestamps are ISO-8601 UTC strings on both
 * dialects (PostgreSQL `timestamptz` values are normalised by the pg type parsers in database.ts),
 * JSON columns are JSON text on both, and flags are 0/1 integers: one code path, two databases.
 */
import type { EmailTables } from '../channels/email/tables.js';
import type { SmsTables } from '../channels/sms/tables.js';
import type { PhoneTables } from '../channels/phone/tables.js';
import type { Open311Tables } from '../channels/open311/tables.js';
import type { WebhooksTables } from '../channels/webhooks/tables.js';
import type { ImapTables } from '../channels/email/imap/tables.js';

type Timestamp = string;
type Json = string;
type Flag = ColumnType<number, number, number>;

export interface OrganisationTable {
  id: Generated<number>;
  slug: string;
  name: string;
  cog: string | null;
  siren: string | null;
  address: string | null;
  email: string | null;
  phone: string | null;
  website: string | null;
  branding: Json;
  /** Content of the legal pages (accessibility status, DPO contact, publisher, host…), JSON. */
  legal: Json | null;
  created_at: Timestamp;
  /** 1 when every agent (not only admins) must use a second factor. */
  agent_totp_required: ColumnType<number, number | undefined, number>;
}

export interface DepartmentTable {
  id: Generated<number>;
  organisation_id: number;
  parent_id: number | null;
  slug: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  opening_hours: Json;
  is_reception: Flag;
  created_at: Timestamp;
}

export interface AgentTable {
  id: Generated<number>;
  organisation_id: number;
  email: string;
  display_name: string;
  password_hash: string | null;
  is_active: Flag;
  created_at: Timestamp;
  /** Base32 TOTP secret; set at enrolment, active once `totp_enabled_at` is set. */
  totp_secret: string | null;
  totp_enabled_at: Timestamp | null;
  /** ProConnect `sub` of the agent, bound at their first ProConnect sign-in. */
  proconnect_subject: string | null;
  /** Telephone extension, for screen pops of incoming calls. */
  phone_extension: string | null;
  last_sign_in_at: Timestamp | null;
  /** Time step of the last TOTP code accepted: a code is never accepted twice. */
  totp_last_counter: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface AgentRoleTable {
  agent_id: number;
  department_id: number;
  role: 'agent' | 'manager' | 'admin';
}

export interface HouseholdTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  created_at: Timestamp;
}

export interface HouseholdMemberTable {
  id: Generated<number>;
  household_id: number;
  citizen_id: number | null;
  role: 'adult' | 'child';
  relationship: string | null;
  first_names: string;
  last_name: string;
  birth_date: string | null;
  created_at: Timestamp;
}

export interface CitizenTable {
  id: Generated<number>;
  organisation_id: number;
  civility: 'M' | 'Mme' | null;
  birth_name: string | null;
  usage_name: string | null;
  first_names: string | null;
  birth_date: string | null;
  identity_assurance: 'declared' | 'franceconnect' | 'counter';
  household_id: number | null;
  possible_duplicate_of: number | null;
  /** Certified by FranceConnect (`male` / `female`), else null. */
  gender: string | null;
  /** INSEE code of the birthplace (FranceConnect `birthplace`). */
  birth_place: string | null;
  /** INSEE code of the birth country (FranceConnect `birthcountry`). */
  birth_country: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Set when this record was merged into another: the kept record's id. */
  merged_into_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Names without accents, case or punctuation, with a leading space (word-prefix search). */
  search_name: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CitizenIdentityTable {
  id: Generated<number>;
  citizen_id: number;
  provider: string;
  subject: string;
  created_at: Timestamp;
}

/** Where a citizen's contact came from (ADR 0002). */
export type ContactSource =
  | 'legacy'
  | 'portal_account'
  | 'franceconnect'
  | 'email_channel'
  | 'sms'
  | 'phone_call'
  | 'counter'
  | 'postal_mail'
  | 'api'
  | 'open311'
  | 'web_form'
  | 'agent';
/** How a contact was verified: a confirmed portal link, FranceConnect, an aligned DMARC pass, or an agent. */
export type ContactVerification = 'portal_account' | 'franceconnect' | 'dmarc' | 'agent';

export interface CitizenEmailTable {
  id: Generated<number>;
  citizen_id: number;
  email: string;
  is_primary: Flag;
  /** Where the contact came from (migration 023); `legacy` for contacts recorded before. */
  source: ColumnType<ContactSource, ContactSource | undefined, ContactSource>;
  /** Set when the contact was verified (confirmed link, FranceConnect, aligned DMARC, agent): only then may it bind input to the record. */
  verified_at: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
  verified_how: ColumnType<ContactVerification | null, ContactVerification | null | undefined, ContactVerification | null>;
  verified_by_agent_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface CitizenPhoneTable {
  id: Generated<number>;
  citizen_id: number;
  phone: string;
  is_primary: Flag;
  /** Where the contact came from (migration 023); `legacy` for contacts recorded before. */
  source: ColumnType<ContactSource, ContactSource | undefined, ContactSource>;
  /** Set when the contact was verified (confirmed link, FranceConnect, aligned DMARC, agent): only then may it bind input to the record. */
  verified_at: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
  verified_how: ColumnType<ContactVerification | null, ContactVerification | null | undefined, ContactVerification | null>;
  verified_by_agent_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface CitizenAddressTable {
  id: Generated<number>;
  citizen_id: number;
  line1: string;
  line2: string | null;
  postcode: string;
  city: string;
  country: string;
  ban_id: string | null;
  is_primary: Flag;
  /** Where the contact came from (migration 023); `legacy` for contacts recorded before. */
  source: ColumnType<ContactSource, ContactSource | undefined, ContactSource>;
  /** Set when the contact was verified (confirmed link, FranceConnect, aligned DMARC, agent): only then may it bind input to the record. */
  verified_at: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
  verified_how: ColumnType<ContactVerification | null, ContactVerification | null | undefined, ContactVerification | null>;
  verified_by_agent_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ProcedureTable {
  id: Generated<number>;
  organisation_id: number;
  slug: string;
  title: string;
  category: string;
  description: string;
  form_definition: Json;
  department_id: number;
  target_value: number;
  target_unit: 'business_days' | 'business_hours' | 'calendar_days';
  silence_regime: 'none' | 'accept' | 'reject';
  silence_delay_value: number | null;
  silence_delay_unit: 'days' | 'weeks' | 'months' | null;
  retention_days: number;
  allow_anonymous: Flag;
  is_online: Flag;
  is_located: Flag;
  /** The portal form tells citizens their report is public (the Open311 feed shows it, never who sent it). */
  publishes_reports: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RoutingRuleTable {
  id: Generated<number>;
  organisation_id: number;
  procedure_id: number | null;
  position: number;
  name: string;
  condition: Json | null;
  sector: Json | null;
  department_id: number;
}

export interface CaseTable {
  id: Generated<number>;
  organisation_id: number;
  reference: string;
  tracking_code: string;
  procedure_id: number | null;
  citizen_id: number | null;
  channel: string;
  status: string;
  department_id: number;
  assigned_agent_id: number | null;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  subject: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  data: Json;
  contact_email: string | null;
  contact_phone: string | null;
  received_at: Timestamp;
  due_at: Timestamp | null;
  implicit_decision_at: Timestamp | null;
  closed_at: Timestamp | null;
  outcome: string | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  workflow_id: number | null;
  labels: ColumnType<Json, Json | undefined, Json>;
  status_entered_at: Timestamp | null;
  implicit_decision_recorded_at: Timestamp | null;
  overdue_escalated_at: Timestamp | null;
  /** The routing rule's sector the case was placed in (its name), when one matched by location. */
  sector: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its submitter was told the report is public: the Open311 feed may show it (migration 028). */
  public_report: ColumnType<number, number | undefined, number>;
}

export interface WorkflowTable {
  id: Generated<number>;
  procedure_id: number;
  version: number;
  definition: Json;
  published_by: string | null;
  created_at: Timestamp;
}

export interface CasePauseTable {
  id: Generated<number>;
  case_id: number;
  reason: string;
  silence_mode: 'suspend' | 'restart' | null;
  started_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface MessageTable {
  id: Generated<number>;
  case_id: number;
  direction: 'in' | 'out';
  channel: string;
  recipient: string | null;
  subject: string;
  body_text: string;
  body_html: string | null;
  status: string;
  message_id: string | null;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface CaseJournalTable {
  id: Generated<number>;
  case_id: number;
  seq: number;
  type: string;
  actor_type: 'citizen' | 'agent' | 'system' | 'integration';
  actor_id: string | null;
  payload: Json;
  created_at: Timestamp;
  hash: string;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  aggregate_id: number;
  payload: Json;
  created_at: Timestamp;
  published_at: Timestamp | null;
}

export interface ReferenceCounterTable {
  organisation_id: number;
  year: number;
  value: number;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  case_id: number;
  response: Json;
  created_at: Timestamp;
}

export interface ApiTokenTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  token_hash: string;
  scopes: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AttachmentTable {
  id: string;
  organisation_id: number;
  sha256: string;
  size: number;
  mime_type: string;
  filename: string;
  case_id: number | null;
  /** The citizen who uploaded it before any case cited it: only they may cite or read it. */
  citizen_id: number | null;
  /** The portal draft it was uploaded for (anonymous uploads belong to their draft only). */
  draft_id: string | null;
  /** The message it came with (a citizen's reply, an agent's answer). */
  message_id: number | null;
  created_at: Timestamp;
}

export interface CitizenAccountTable {
  citizen_id: number;
  organisation_id: number;
  /** Lower-cased sign-in address, unique per organisation. */
  email: string;
  /** scrypt hash; null for an account opened through FranceConnect only. */
  password_hash: string | null;
  email_verified_at: Timestamp | null;
  notify_email: ColumnType<number, number | undefined, number>;
  notify_sms: ColumnType<number, number | undefined, number>;
  deletion_requested_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PortalSessionTable {
  /** SHA-256 of the cookie's random token: a database leak opens no session. */
  id: string;
  citizen_id: number;
  method: 'password' | 'franceconnect';
  /** FranceConnect's ID token, kept for the end-session `id_token_hint`. */
  id_token: string | null;
  user_agent: string | null;
  ip: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface AccountTokenTable {
  token_hash: string;
  citizen_id: number;
  purpose: 'verify_email' | 'reset_password';
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OutgoingMailTable {
  id: Generated<number>;
  organisation_id: number;
  /** What the mail is for (`verify_email`, `reset_password`, `account_exists`…). */
  kind: string;
  recipient: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  status: 'queued' | 'sent' | 'failed';
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface FormDraftTable {
  /** Random id: it appears in portal URLs. */
  id: string;
  organisation_id: number;
  procedure_id: number;
  /** The signed-in owner; null for an anonymous draft, which belongs to `visitor_id`. */
  citizen_id: number | null;
  visitor_id: string | null;
  /** Raw answers so far, keyed by field name (JSON). */
  data: Json;
  /** Who asks and how to answer them, for a signed-out submission (JSON). */
  contact: Json | null;
  page_id: string | null;
  /** Set once submitted: the case it became. */
  case_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CitizenDocumentTable {
  id: Generated<number>;
  citizen_id: number;
  attachment_id: string;
  /** Kind of proof (`justificatif_domicile`, `piece_identite`, `livret_famille`, `autre`…). */
  kind: string;
  label: string;
  expires_on: string | null;
  created_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface SatisfactionAnswerTable {
  case_id: number;
  citizen_id: number | null;
  rating: number;
  comment: string | null;
  created_at: Timestamp;
}

export interface JobTable {
  id: Generated<number>;
  type: string;
  payload: Json;
  state: 'pending' | 'running' | 'done' | 'dead';
  run_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface AgentSessionTable {
  /** SHA-256 of the cookie's random token. */
  id: string;
  agent_id: number;
  method: 'password' | 'proconnect';
  /** `second_factor` (password given, TOTP code awaited), `enrol` (must set up TOTP first) or `ready`. */
  stage: 'second_factor' | 'enrol' | 'ready';
  id_token: string | null;
  user_agent: string | null;
  ip: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** Attempts counted by a rate limit in the current fixed window of one key (migration 024). */
export interface RateLimitCounterTable {
  /** SHA-256 of the limit's key (e.g. sign-in, address): no address or e-mail kept in clear. */
  key: string;
  count: number;
  /** End of the window: the next attempt after it starts a new one; the row may then be purged. */
  reset_at: Timestamp;
}

/** Who displayed which personal data, and when (RGPD accountability). */
export interface AccessLogTable {
  id: Generated<number>;
  organisation_id: number;
  /** The agent who read, or null when it was an API token (migration 027: exactly one of the two). */
  agent_id: number | null;
  /** The API token that read, or null when it was an agent. */
  api_token_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** `view_case`, `view_citizen`, `search_citizens`, `export_case`, `download_attachment`… */
  action: string;
  citizen_id: number | null;
  case_id: number | null;
  detail: string | null;
  ip: string | null;
  created_at: Timestamp;
}

export interface SavedViewTable {
  id: Generated<number>;
  agent_id: number;
  name: string;
  /** The inbox query string the view stands for (`statut=…&canal=…`). */
  query: string;
  position: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
}

export interface ResponseTemplateTable {
  id: Generated<number>;
  organisation_id: number;
  /** Null for the whole organisation. */
  department_id: number | null;
  /** Null unless the template is for one procedure. */
  procedure_id: number | null;
  slug: string;
  name: string;
  /** Liquid. */
  subject: string;
  /** Liquid. */
  body: string;
  is_active: ColumnType<number, number | undefined, number>;
  updated_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgentMentionTable {
  id: Generated<number>;
  agent_id: number;
  case_id: number;
  journal_seq: number;
  author_agent_id: number;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface MailRegisterTable {
  id: Generated<number>;
  organisation_id: number;
  /** `2026-C-000123`: unique per organisation, numbered per year. */
  register_number: string;
  case_id: number;
  /** The day the letter arrived (the legal receipt date), `YYYY-MM-DD`. */
  received_on: string;
  sender: string;
  subject: string;
  agent_id: number;
  created_at: Timestamp;
}

export interface MailRegisterCounterTable {
  organisation_id: number;
  year: number;
  value: number;
}

export interface CitizenMergeTable {
  id: Generated<number>;
  organisation_id: number;
  kept_citizen_id: number;
  merged_citizen_id: number;
  agent_id: number;
  /** The merged record as it was (identity, contacts, addresses, case ids moved), JSON. */
  snapshot: Json;
  created_at: Timestamp;
  /** How the agent checked the person's identity (required when an account or FranceConnect was involved). */
  identity_check: ColumnType<string | null, string | null | undefined, string | null>;
  /** Exactly what moved or was removed (`MergeMoves`, JSON), for the split back; null before migration 025. */
  moved: ColumnType<Json | null, Json | null | undefined, Json | null>;
  /** When and by whom the merge was split back (« Séparer »). */
  split_at: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
  split_by: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Two records flagged as possible duplicates that an agent said are different people. */
export interface CitizenDuplicateDismissalTable {
  id: Generated<number>;
  organisation_id: number;
  citizen_id: number;
  other_citizen_id: number;
  agent_id: number;
  created_at: Timestamp;
}

/** What a channel received, before and after processing (see migration 013). */
export interface ChannelInboundTable {
  id: Generated<number>;
  organisation_id: number;
  /** email, sms, phone, open311, social… */
  channel: string;
  /** Where it came in: `smtp`, `imap`, `webhook:<source>`… */
  source: string;
  /** The sender's own id of the item (Message-ID, provider message id, call id, delivery id). */
  external_id: string | null;
  /** The sender's address or number, lower-cased, for rate caps and matching. */
  sender: string | null;
  /** A one-line description for the health and quarantine pages (a subject, the start of a text). */
  summary: string | null;
  /** Key of the raw bytes in the channel store, when they are kept as a file (e-mails). */
  raw_key: string | null;
  raw_size: number | null;
  /** The raw item as JSON, when small (webhook bodies, call events). */
  payload: Json | null;
  status: 'pending' | 'created' | 'threaded' | 'ignored' | 'quarantined';
  /** Why it was ignored or quarantined, as a stable code (auto_reply, bounce, too_large…). */
  reason: string | null;
  error: string | null;
  case_id: number | null;
  message_id: number | null;
  attempts: Generated<number>;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

export interface Database extends EmailTables, SmsTables, PhoneTables, Open311Tables, WebhooksTables, ImapTables {
  channel_inbound: ChannelInboundTable;
  organisations: OrganisationTable;
  departments: DepartmentTable;
  agents: AgentTable;
  agent_roles: AgentRoleTable;
  households: HouseholdTable;
  household_members: HouseholdMemberTable;
  citizens: CitizenTable;
  citizen_identities: CitizenIdentityTable;
  citizen_emails: CitizenEmailTable;
  citizen_phones: CitizenPhoneTable;
  citizen_addresses: CitizenAddressTable;
  procedures: ProcedureTable;
  routing_rules: RoutingRuleTable;
  cases: CaseTable;
  case_journal: CaseJournalTable;
  outbox: OutboxTable;
  reference_counters: ReferenceCounterTable;
  idempotency_keys: IdempotencyKeyTable;
  api_tokens: ApiTokenTable;
  attachments: AttachmentTable;
  workflows: WorkflowTable;
  case_pauses: CasePauseTable;
  messages: MessageTable;
  jobs: JobTable;
  citizen_accounts: CitizenAccountTable;
  portal_sessions: PortalSessionTable;
  account_tokens: AccountTokenTable;
  outgoing_mails: OutgoingMailTable;
  form_drafts: FormDraftTable;
  citizen_documents: CitizenDocumentTable;
  satisfaction_answers: SatisfactionAnswerTable;
  agent_sessions: AgentSessionTable;
  access_log: AccessLogTable;
  saved_views: SavedViewTable;
  response_templates: ResponseTemplateTable;
  agent_mentions: AgentMentionTable;
  mail_register: MailRegisterTable;
  mail_register_counters: MailRegisterCounterTable;
  citizen_merges: CitizenMergeTable;
  citizen_duplicate_dismissals: CitizenDuplicateDismissalTable;
  rate_limit_counters: RateLimitCounterTable;
}
