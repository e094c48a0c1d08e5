import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { columnTypes } from '../columns.js';
import type { Dialect } from '../database.js';

/**
 * The access log names API tokens as well as agents: an integration that reads a case or a list of
 * cases through the API is traced like an agent who opens them. `agent_id` becomes optional,
 * `api_token_id` is added, and a check keeps exactly one actor per row.
 *
 * PostgreSQL alters the table in place. SQLite cannot drop a NOT NULL nor add a CHECK to an
 * existing table: the table is rebuilt with its rows (nothing references it) and its indexes.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table access_log alter column agent_id drop not null`.execute(db);
    await sql`alter table access_log add column api_token_id integer references api_tokens (id)`.execute(db);
    await sql`alter table access_log add constraint access_log_one_actor check ((agent_id is null) <> (api_token_id is null))`.execute(db);
  } else {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('access_log_027')
      .addColumn('id', t.bigId, (c) => c.primaryKey())
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      .addColumn('agent_id', 'integer', (c) => c.references('agents.id'))
      .addColumn('api_token_id', 'integer', (c) => c.references('api_tokens.id'))
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('citizen_id', 'integer')
      .addColumn('case_id', 'integer')
      .addColumn('detail', 'text')
      .addColumn('ip', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addCheckConstraint('access_log_one_actor', sql`(agent_id is null) <> (api_token_id is null)`)
      .execute();
    await sql`
      insert into access_log_027 (id, organisation_id, agent_id, action, citizen_id, case_id, detail, ip, created_at)
      select id, organisation_id, agent_id, action, citizen_id, case_id, detail, ip, created_at from access_log`.execute(db);
    await db.schema.dropTable('access_log').execute();
    await db.schema.alterTable('access_log_027').renameTo('access_log').execute();
    await db.schema.createIndex('access_log_citizen').on('access_log').columns(['citizen_id', 'created_at']).execute();
    await db.schema.createIndex('access_log_agent').on('access_log').columns(['agent_id', 'created_at']).execute();
    await db.schema.createIndex('access_log_org').on('access_log').columns(['organisation_id', 'created_at']).execute();
  }
  await db.schema.createIndex('access_log_api_token').on('access_log').columns(['api_token_id', 'created_at']).execute();
}
