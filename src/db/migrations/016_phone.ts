import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** The phone channel's own tables (filled by the phone channel's work; empty until then). */
export async function up(_db: Kysely<unknown>, _dialect: Dialect): Promise<void> {}
