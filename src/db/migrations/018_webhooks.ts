import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** The webhooks channel's own tables (filled by the webhooks channel's work; empty until then). */
export async function up(_db: Kysely<unknown>, _dialect: Dialect): Promise<void> {}
