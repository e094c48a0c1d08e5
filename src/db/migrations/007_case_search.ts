import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The agents' inbox: French full-text search of cases (see src/cases/search.ts), the sector a
 * routing rule placed a case in, and the indexes the inbox's usual lists read in received order.
 *
 * The search index is kept by triggers, so that every way of writing a case (intake, bulk seeding,
 * messages, merges) feeds it without knowing of it.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('cases').addColumn('sector', 'text').execute();
  // One department's list, and the cases assigned to an agent (« assigned to me », and the cases
  // transferred away that stay theirs), in received order.
  await db.schema.createIndex('cases_dept_received').on('cases').columns(['department_id', 'received_at', 'id']).execute();
  await db.schema.createIndex('cases_assigned_received').on('cases').columns(['assigned_agent_id', 'received_at', 'id']).execute();
  // Open cases are a few percent of a town's history, and what inboxes show by default: their own
  // small index serves a department's open list and narrows a search to a department's open cases.
  await db.schema
    .createIndex('cases_open_dept_received')
    .on('cases')
    .columns(['department_id', 'received_at', 'id'])
    .where(sql.ref('closed_at'), 'is', null)
    .execute();

  if (dialect === 'sqlite') await sqliteSearch(db);
  else await postgresSearch(db);
}

async function sqliteSearch(db: Kysely<unknown>): Promise<void> {
  // Contentless: the words are only in the index (the texts are in cases and messages already).
  await sql`create virtual table case_search using fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`
    create view case_search_source as
    select c.id as id,
      guichet_search_text(c.reference, c.subject, c.data, ci.first_names, ci.usage_name, ci.birth_name,
        (select group_concat(m.subject || ' ' || m.body_text, ' ') from messages m where m.case_id = c.id)) as body
    from cases c left join citizens ci on ci.id = c.citizen_id`.execute(db);
  await sql`
    create trigger case_search_case_insert after insert on cases begin
      insert into case_search (rowid, body) select id, body from case_search_source where id = new.id;
    end`.execute(db);
  await sql`
    create trigger case_search_case_update after update of reference, subject, data, citizen_id on cases begin
      delete from case_search where rowid = old.id;
      insert into case_search (rowid, body) select id, body from case_search_source where id = new.id;
    end`.execute(db);
  await sql`
    create trigger case_search_message_insert after insert on messages begin
      delete from case_search where rowid = new.case_id;
      insert into case_search (rowid, body) select id, body from case_search_source where id = new.case_id;
    end`.execute(db);
  await sql`
    create trigger case_search_citizen_update after update of first_names, usage_name, birth_name on citizens begin
      delete from case_search where rowid in (select id from cases where citizen_id = new.id);
      insert into case_search (rowid, body) select s.id, s.body from case_search_source s join cases c on c.id = s.id where c.citizen_id = new.id;
    end`.execute(db);
  await sql`insert into case_search (rowid, body) select id, body from case_search_source`.execute(db);
}

async function postgresSearch(db: Kysely<unknown>): Promise<void> {
  // The `unaccent` extension needs rights a town's database user may not have: a translation table
  // does for French.
  await sql`
    create function guichet_unaccent(text) returns text language sql immutable parallel safe as $$
      select replace(replace(translate(lower($1),
        'àáâãäåçèéêëìíîïñòóôõöùúûüýÿ',
        'aaaaaaceeeeiiiinooooouuuuyy'), 'œ', 'oe'), 'æ', 'ae')
    $$`.execute(db);
  await sql`
    create table case_search (
      case_id integer primary key references cases (id) on delete cascade,
      document tsvector not null
    )`.execute(db);
  await sql`create index case_search_document on case_search using gin (document)`.execute(db);
  await sql`
    create view case_search_source as
    select c.id as case_id, to_tsvector('french', guichet_unaccent(concat_ws(' ', c.reference, c.subject,
      (select string_agg(v.value, ' ') from jsonb_each_text(case when jsonb_typeof(c.data) = 'object' then c.data else '{}'::jsonb end) v),
      ci.first_names, ci.usage_name, ci.birth_name,
      (select string_agg(m.subject || ' ' || m.body_text, ' ') from messages m where m.case_id = c.id)))) as document
    from cases c left join citizens ci on ci.id = c.citizen_id`.execute(db);
  // The view is inlined: the condition on the ids reaches the cases' primary key.
  await sql`
    create function guichet_case_search_refresh(ids integer[]) returns void language sql as $$
      insert into case_search (case_id, document) select case_id, document from case_search_source where case_id = any (ids)
      on conflict (case_id) do update set document = excluded.document
    $$`.execute(db);
  // Statement-level for inserts, so that a bulk load indexes its rows in one pass.
  await sql`
    create function guichet_case_search_inserted_cases() returns trigger language plpgsql as $$
    begin
      perform guichet_case_search_refresh(array(select id from inserted_rows));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger case_search_case_insert after insert on cases referencing new table as inserted_rows
    for each statement execute function guichet_case_search_inserted_cases()`.execute(db);
  await sql`
    create function guichet_case_search_updated_case() returns trigger language plpgsql as $$
    begin
      perform guichet_case_search_refresh(array[new.id]);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger case_search_case_update after update of reference, subject, data, citizen_id on cases
    for each row execute function guichet_case_search_updated_case()`.execute(db);
  await sql`
    create function guichet_case_search_inserted_messages() returns trigger language plpgsql as $$
    begin
      perform guichet_case_search_refresh(array(select distinct case_id from inserted_rows));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger case_search_message_insert after insert on messages referencing new table as inserted_rows
    for each statement execute function guichet_case_search_inserted_messages()`.execute(db);
  await sql`
    create function guichet_case_search_updated_citizen() returns trigger language plpgsql as $$
    begin
      perform guichet_case_search_refresh(array(select id from cases where citizen_id = new.id));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger case_search_citizen_update after update of first_names, usage_name, birth_name on citizens
    for each row execute function guichet_case_search_updated_citizen()`.execute(db);
  await sql`insert into case_search (case_id, document) select case_id, document from case_search_source`.execute(db);
}
