import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * A search index of open cases only, beside the index of every case (migration 007).
 *
 * The inbox searches open cases by default. Through the index of every case, a word frequent in
 * the history but rare among an agent's open cases (« graffiti » for the roads department) made
 * the query read tens of thousands of matches before it found a page: at a million cases, half a
 * second. Open cases are a few percent of a town's history, so this index bounds any word's cost.
 *
 * Triggers keep it, as 007's keep the other: a case enters it when created or re-opened open,
 * leaves it when closed, and is re-indexed when its texts, its citizen's names or its messages
 * change while open.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') await sqliteOpenSearch(db);
  else await postgresOpenSearch(db);
}

async function sqliteOpenSearch(db: Kysely<unknown>): Promise<void> {
  // Contentless like case_search: its words are computed again (guichet_search_text) rather than
  // copied, because a contentless table cannot give its text back.
  await sql`create virtual table case_search_open using fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`
    create trigger case_search_open_case_insert after insert on cases when new.closed_at is null begin
      insert into case_search_open (rowid, body) select id, body from case_search_source where id = new.id;
    end`.execute(db);
  await sql`
    create trigger case_search_open_case_update after update of reference, subject, data, citizen_id on cases when new.closed_at is null begin
      delete from case_search_open where rowid = old.id;
      insert into case_search_open (rowid, body) select id, body from case_search_source where id = new.id;
    end`.execute(db);
  await sql`
    create trigger case_search_open_case_closed after update of closed_at on cases when new.closed_at is not null and old.closed_at is null begin
      delete from case_search_open where rowid = old.id;
    end`.execute(db);
  await sql`
    create trigger case_search_open_case_reopened after update of closed_at on cases when new.closed_at is null and old.closed_at is not null begin
      delete from case_search_open where rowid = new.id;
      insert into case_search_open (rowid, body) select id, body from case_search_source where id = new.id;
    end`.execute(db);
  await sql`
    create trigger case_search_open_message_insert after insert on messages
    when (select closed_at from cases where id = new.case_id) is null begin
      delete from case_search_open where rowid = new.case_id;
      insert into case_search_open (rowid, body) select id, body from case_search_source where id = new.case_id;
    end`.execute(db);
  await sql`
    create trigger case_search_open_citizen_update after update of first_names, usage_name, birth_name on citizens begin
      delete from case_search_open where rowid in (select id from cases where citizen_id = new.id and closed_at is null);
      insert into case_search_open (rowid, body)
        select s.id, s.body from case_search_source s join cases c on c.id = s.id where c.citizen_id = new.id and c.closed_at is null;
    end`.execute(db);
  await sql`insert into case_search_open (rowid, body) select s.id, s.body from case_search_source s join cases c on c.id = s.id where c.closed_at is null`.execute(db);
}

async function postgresOpenSearch(db: Kysely<unknown>): Promise<void> {
  // PostgreSQL can index a subset: the documents stay in case_search, with whether their case is
  // open, and a partial GIN index covers the open ones.
  await sql`alter table case_search add column open boolean not null default false`.execute(db);
  await sql`update case_search s set open = true from cases c where c.id = s.case_id and c.closed_at is null`.execute(db);
  await sql`create index case_search_open_document on case_search using gin (document) where open`.execute(db);
  // The refresh (007) now records the state too: a new case, re-indexed texts, a new message.
  await sql`
    create or replace function guichet_case_search_refresh(ids integer[]) returns void language sql as $$
      insert into case_search (case_id, document, open)
        select s.case_id, s.document, c.closed_at is null from case_search_source s join cases c on c.id = s.case_id where s.case_id = any (ids)
      on conflict (case_id) do update set document = excluded.document, open = excluded.open
    $$`.execute(db);
  await sql`
    create function guichet_case_search_state() returns trigger language plpgsql as $$
    begin
      update case_search set open = (new.closed_at is null) where case_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger case_search_case_state after update of closed_at on cases
    for each row when ((old.closed_at is null) is distinct from (new.closed_at is null))
    execute function guichet_case_search_state()`.execute(db);
}
