/** Row types of the IMAP poller's table (migration 019), merged into the database's schema. */
export interface ImapTables {
  email_imap_checkpoints: EmailImapCheckpointTable;
}

export interface EmailImapCheckpointTable {
  organisation_id: number;
  /** The account and folder read: `user@host:port/FOLDER` (never the password). */
  mailbox: string;
  /** Null until the first message is processed. */
  uid_validity: number | null;
  last_uid: number;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  /** The worker process reading the mailbox (`host:pid:random`), until `lease_until` unless renewed. */
  leased_by: string | null;
  lease_until: string | null;
  updated_at: string;
}
