import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/transaction.js';
import { fromJson, toJson } from '../../db/transaction.js';
import type { MappingDefinition } from './mapping.js';
import type { WebhookSourceTable } from './tables.js';

/** A delivery's receipt names its source `webhook:<slug>` (channel_inbound.source). */
export const WEBHOOK_SOURCE_PREFIX = 'webhook:';

/** What is signed, besides the secret: Guichet's `timestamp.body`, or the body alone (GitHub-like relays). */
export type SignatureFormat = 'timestamp.body' | 'body';
export const SIGNATURE_FORMATS: readonly SignatureFormat[] = ['timestamp.body', 'body'];

/** A webhook source as the channel uses it; the secret is in it, so it never goes to a page or a log. */
export interface WebhookSource {
  id: number;
  organisationId: number;
  slug: string;
  name: string;
  secret: string;
  signatureHeader: string;
  signatureFormat: SignatureFormat;
  timestampHeader: string | null;
  deliveryHeader: string | null;
  mapping: MappingDefinition;
  procedureSlug: string | null;
  enabled: boolean;
  createdAt: string;
  secretRotatedAt: string | null;
}

export type NewWebhookSource = Omit<WebhookSource, 'id' | 'enabled' | 'createdAt' | 'secretRotatedAt'>;

/** A source with its last delivery, for listings: no secret. */
export interface WebhookSourceSummary {
  slug: string;
  name: string;
  enabled: boolean;
  procedureSlug: string | null;
  signatureHeader: string;
  signatureFormat: SignatureFormat;
  createdAt: string;
  lastDeliveryAt: string | null;
}

/** Every query on webhook sources. */
export const webhookSourceRepository = {
  async insert(db: Executor, source: NewWebhookSource, now: string): Promise<number> {
    const row = await db
      .insertInto('webhook_sources')
      .values({
        organisation_id: source.organisationId,
        slug: source.slug,
        name: source.name,
        secret: source.secret,
        signature_header: source.signatureHeader,
        signature_format: source.signatureFormat,
        timestamp_header: source.timestampHeader,
        delivery_header: source.deliveryHeader,
        mapping: toJson(source.mapping),
        procedure_slug: source.procedureSlug,
        enabled: 1,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async findBySlug(db: Executor, organisationId: number, slug: string): Promise<WebhookSource | undefined> {
    const row = await db.selectFrom('webhook_sources').selectAll().where('organisation_id', '=', organisationId).where('slug', '=', slug).executeTakeFirst();
    return row && toSource(row);
  },

  async setEnabled(db: Executor, organisationId: number, slug: string, enabled: boolean): Promise<boolean> {
    const result = await db
      .updateTable('webhook_sources')
      .set({ enabled: enabled ? 1 : 0 })
      .where('organisation_id', '=', organisationId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async setSecret(db: Executor, organisationId: number, slug: string, secret: string, now: string): Promise<boolean> {
    const result = await db
      .updateTable('webhook_sources')
      .set({ secret, secret_rotated_at: now })
      .where('organisation_id', '=', organisationId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  /** Every source of the organisation with the time of its last delivery (any outcome), by slug. */
  async listWithLastDelivery(db: Executor, organisationId: number): Promise<WebhookSourceSummary[]> {
    const rows = await db
      .selectFrom('webhook_sources as s')
      .leftJoin('channel_inbound as i', (join) =>
        join.onRef('i.organisation_id', '=', 's.organisation_id').on('i.channel', '=', 'social').on('i.source', '=', sql<string>`${WEBHOOK_SOURCE_PREFIX} || ${sql.ref('s.slug')}`),
      )
      .select((eb) => [
        's.slug',
        's.name',
        's.enabled',
        's.procedure_slug',
        's.signature_header',
        's.signature_format',
        's.created_at',
        eb.fn.max('i.received_at').as('last'),
      ])
      .where('s.organisation_id', '=', organisationId)
      .groupBy(['s.id', 's.slug', 's.name', 's.enabled', 's.procedure_slug', 's.signature_header', 's.signature_format', 's.created_at'])
      .orderBy('s.slug')
      .execute();
    return rows.map((r) => ({
      slug: r.slug,
      name: r.name,
      enabled: r.enabled === 1,
      procedureSlug: r.procedure_slug,
      signatureHeader: r.signature_header,
      signatureFormat: r.signature_format as SignatureFormat,
      createdAt: r.created_at,
      lastDeliveryAt: r.last === null || r.last === undefined ? null : String(r.last),
    }));
  },
};

function toSource(r: Selectable<WebhookSourceTable>): WebhookSource {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    slug: r.slug,
    name: r.name,
    secret: r.secret,
    signatureHeader: r.signature_header,
    signatureFormat: r.signature_format as SignatureFormat,
    timestampHeader: r.timestamp_header,
    deliveryHeader: r.delivery_header,
    mapping: fromJson<MappingDefinition>(r.mapping),
    procedureSlug: r.procedure_slug,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    secretRotatedAt: r.secret_rotated_at,
  };
}
