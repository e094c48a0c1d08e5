import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.js';
import { columnTypes } from '../columns.js';

const CONTACT_TABLES = ['citizen_emails', 'citizen_phones', 'citizen_addresses'] as const;

/**
 * Where each contact of a citizen record came from, and whether it was verified (ADR 0002). A
 * contact anyone could type (an anonymous form, an unsigned e-mail) must never let its author into
 * the record holding it: the binding rules read `verified_at`, the 360° view shows both.
 *
 * Backfill: the e-mails already verified keep their date and say how (FranceConnect when the
 * citizen holds that identity, else the portal account's confirmation link — the only two paths
 * that set it so far); an e-mail that is the citizen's account address comes from the account;
 * everything else is `legacy` (recorded before provenance was kept) and declared.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  for (const table of CONTACT_TABLES) {
    await db.schema
      .alterTable(table)
      .addColumn('source', 'text', (c) => c.notNull().defaultTo('legacy'))
      .execute();
    if (table !== 'citizen_emails') await db.schema.alterTable(table).addColumn('verified_at', t.timestamp).execute();
    await db.schema.alterTable(table).addColumn('verified_how', 'text').execute();
    await db.schema
      .alterTable(table)
      .addColumn('verified_by_agent_id', 'integer', (c) => c.references('agents.id'))
      .execute();
  }
  await sql`
    update citizen_emails set verified_how = case
      when exists (select 1 from citizen_identities i where i.citizen_id = citizen_emails.citizen_id and i.provider = 'franceconnect') then 'franceconnect'
      else 'portal_account' end
    where verified_at is not null`.execute(db);
  await sql`
    update citizen_emails set source = 'portal_account'
    where exists (select 1 from citizen_accounts a where a.citizen_id = citizen_emails.citizen_id and a.email = citizen_emails.email)`.execute(db);
}
