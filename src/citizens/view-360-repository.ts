import type { Executor } from '../db/transaction.js';

/** At most this many cases, messages and files on one 360° view: a page, not an export. */
export const VIEW_360_LIMIT = 200;

/** Where each contact came from and whether it was verified (migration 023), shown per contact. */
const PROVENANCE = ['source', 'verified_at', 'verified_how'] as const;

/** The reads behind the 360° view of a citizen (`citizen360`). */
export const view360Repository = {
  async citizen(db: Executor, id: number) {
    return db.selectFrom('citizens').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async emails(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_emails').select(['id', 'email', 'is_primary', ...PROVENANCE]).where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').execute();
  },

  async phones(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_phones').select(['id', 'phone', 'is_primary', ...PROVENANCE]).where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').execute();
  },

  async addresses(db: Executor, citizenId: number) {
    return db
      .selectFrom('citizen_addresses')
      .select(['id', 'line1', 'line2', 'postcode', 'city', 'country', 'ban_id', 'is_primary', ...PROVENANCE])
      .where('citizen_id', '=', citizenId)
      .orderBy('is_primary', 'desc')
      .orderBy('id')
      .execute();
  },

  /** Verified identities (FranceConnect…): the provider only is shown, the subject is an opaque id. */
  async identities(db: Executor, citizenId: number) {
    return db.selectFrom('citizen_identities').select(['id', 'provider', 'subject', 'created_at']).where('citizen_id', '=', citizenId).orderBy('id').execute();
  },

  async household(db: Executor, householdId: number) {
    return db.selectFrom('households').select(['id', 'name']).where('id', '=', householdId).executeTakeFirst();
  },

  /** Every case of the citizen, newest first, with what the access rules and the list need. */
  async cases(db: Executor, citizenId: number) {
    return db
      .selectFrom('cases as c')
      .innerJoin('departments as d', 'd.id', 'c.department_id')
      .leftJoin('procedures as p', 'p.id', 'c.procedure_id')
      .select([
        'c.id',
        'c.organisation_id',
        'c.reference',
        'c.subject',
        'c.channel',
        'c.status',
        'c.workflow_id',
        'c.department_id',
        'd.name as department_name',
        'c.assigned_agent_id',
        'c.received_at',
        'c.closed_at',
        'p.title as procedure_title',
      ])
      .where('c.citizen_id', '=', citizenId)
      .orderBy('c.received_at', 'desc')
      .orderBy('c.id', 'desc')
      .execute();
  },

  async messages(db: Executor, caseIds: number[]) {
    if (caseIds.length === 0) return [];
    return db
      .selectFrom('messages')
      .select(['id', 'case_id', 'direction', 'channel', 'subject', 'body_text', 'status', 'created_at'])
      .where('case_id', 'in', caseIds)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(VIEW_360_LIMIT)
      .execute();
  },

  async caseAttachments(db: Executor, caseIds: number[]) {
    if (caseIds.length === 0) return [];
    return db
      .selectFrom('attachments')
      .select(['id', 'case_id', 'filename', 'mime_type', 'size', 'created_at'])
      .where('case_id', 'in', caseIds)
      .orderBy('created_at', 'desc')
      .limit(VIEW_360_LIMIT)
      .execute();
  },

  /** The document safe's metadata (the files themselves stay the citizen's). */
  async documents(db: Executor, citizenId: number) {
    return db
      .selectFrom('citizen_documents as d')
      .leftJoin('attachments as a', 'a.id', 'd.attachment_id')
      .select(['d.id', 'd.kind', 'd.label', 'd.expires_on', 'd.created_at', 'a.filename', 'a.mime_type', 'a.size'])
      .where('d.citizen_id', '=', citizenId)
      .where('d.deleted_at', 'is', null)
      .orderBy('d.created_at', 'desc')
      .execute();
  },

  async satisfaction(db: Executor, caseIds: number[]) {
    if (caseIds.length === 0) return [];
    return db.selectFrom('satisfaction_answers').select(['case_id', 'rating', 'comment', 'created_at']).where('case_id', 'in', caseIds).orderBy('created_at', 'desc').execute();
  },

  async account(db: Executor, citizenId: number) {
    return db
      .selectFrom('citizen_accounts')
      .select(['email', 'password_hash', 'email_verified_at', 'notify_email', 'notify_sms', 'deletion_requested_at', 'created_at'])
      .where('citizen_id', '=', citizenId)
      .executeTakeFirst();
  },

  /** Records merged into this one, newest first. */
  async mergesInto(db: Executor, keptId: number) {
    return db
      .selectFrom('citizen_merges as m')
      .innerJoin('agents as a', 'a.id', 'm.agent_id')
      .select(['m.id', 'm.merged_citizen_id', 'm.snapshot', 'm.created_at', 'a.display_name as agent_name', 'm.identity_check', 'm.split_at', 'm.moved'])
      .where('m.kept_citizen_id', '=', keptId)
      .orderBy('m.id', 'desc')
      .execute();
  },

  /** Name of a record, for links (« fusionnée dans … », « doublon possible de … »). */
  async names(db: Executor, ids: number[]) {
    if (ids.length === 0) return [];
    return db.selectFrom('citizens').select(['id', 'organisation_id', 'first_names', 'birth_name', 'usage_name', 'merged_into_id']).where('id', 'in', ids).execute();
  },
};
