import type { ColumnType, Generated } from 'kysely';

type Timestamp = string;
/** JSON text on both dialects (see src/db/schema.ts). */
type Json = string;

/** A platform that feeds cases through the generic inbound webhook (migration 018). */
export interface WebhookSourceTable {
  id: Generated<number>;
  organisation_id: number;
  /** The last segment of its URL, `/channels/webhooks/<slug>`; unique per organisation. */
  slug: string;
  name: string;
  /** The HMAC key, kept as is (verifying needs it); shown once, never listed or logged. */
  secret: string;
  /** Where the signature comes: `X-Guichet-Signature`, `X-Hub-Signature-256`… */
  signature_header: string;
  /** What is signed: `timestamp.body` (Guichet's own) or `body` (GitHub-like relays). */
  signature_format: string;
  /** Unix seconds of the delivery, signed with it; null when the source sends none (then replays are caught by delivery id only). */
  timestamp_header: string | null;
  /** Header carrying the delivery's unique id; null to use the mapping's `deliveryId` or the body's SHA-256. */
  delivery_header: string | null;
  mapping: Json;
  /** The procedure when the mapping does not choose one; null for the triage procedure. */
  procedure_slug: string | null;
  enabled: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  secret_rotated_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Row types of the webhooks channel's own tables, merged into the database's schema. */
export interface WebhooksTables {
  webhook_sources: WebhookSourceTable;
}
