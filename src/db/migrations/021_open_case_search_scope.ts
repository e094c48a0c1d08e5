import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * PostgreSQL: the open cases' search documents in a table of their own, with who may see each case.
 *
 * Migration 020 flagged the open documents inside `case_search` (a million rows) under a partial
 * GIN index. A frequent word then meant, for every open match, one read of a document scattered in
 * that large table and one of the case row, only to learn its department: about 2,000 of each for
 * « trottoirs » at a million cases, 12 ms of PostgreSQL per search. Here the open documents live
 * in `case_search_open` — a few percent of the cases, so a compact, hot table — beside the
 * organisation, department and assigned agent of their case. The search keeps the agent's matches
 * and orders them without reading a case row; only the page's cases are read.
 *
 * The table is kept in the same transaction as the case by triggers: the refresh of a case's
 * document (007, 020) writes it too, closing or re-opening a case removes or restores its row,
 * and a transfer, an assignment or a change of organisation updates its scope columns. SQLite's
 * open index (020) is an FTS5 table whose matches are checked against the case rows: unchanged.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await postgresOpenSearchScope(db);
}

async function postgresOpenSearchScope(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table case_search_open (
      case_id integer primary key references cases (id) on delete cascade,
      organisation_id integer not null,
      department_id integer not null,
      assigned_agent_id integer,
      document tsvector not null
    )`.execute(db);
  await sql`
    insert into case_search_open (case_id, organisation_id, department_id, assigned_agent_id, document)
    select c.id, c.organisation_id, c.department_id, c.assigned_agent_id, s.document
    from case_search s join cases c on c.id = s.case_id where c.closed_at is null`.execute(db);
  await sql`create index case_search_open_words on case_search_open using gin (document)`.execute(db);

  // Copies the indexed documents and scope of the given cases: open ones in, closed ones out.
  await sql`
    create function guichet_case_search_open_sync(ids integer[]) returns void language sql as $$
      delete from case_search_open o using cases c where o.case_id = any (ids) and c.id = o.case_id and c.closed_at is not null;
      insert into case_search_open (case_id, organisation_id, department_id, assigned_agent_id, document)
        select c.id, c.organisation_id, c.department_id, c.assigned_agent_id, s.document
        from cases c join case_search s on s.case_id = c.id where c.id = any (ids) and c.closed_at is null
      on conflict (case_id) do update set organisation_id = excluded.organisation_id, department_id = excluded.department_id,
        assigned_agent_id = excluded.assigned_agent_id, document = excluded.document
    $$`.execute(db);
  // The refresh of 007 (called by the triggers of new cases, re-worded cases, messages and renamed
  // citizens) now feeds the open table rather than 020's flag. Each statement of a SQL function
  // sees the previous one's writes.
  await sql`
    create or replace function guichet_case_search_refresh(ids integer[]) returns void language sql as $$
      insert into case_search (case_id, document) select case_id, document from case_search_source where case_id = any (ids)
      on conflict (case_id) do update set document = excluded.document;
      select guichet_case_search_open_sync(ids);
    $$`.execute(db);
  await sql`
    create or replace function guichet_case_search_state() returns trigger language plpgsql as $$
    begin
      perform guichet_case_search_open_sync(array[new.id]);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger case_search_open_scope after update of organisation_id, department_id, assigned_agent_id on cases
    for each row when (new.closed_at is null and (old.organisation_id, old.department_id, old.assigned_agent_id)
      is distinct from (new.organisation_id, new.department_id, new.assigned_agent_id))
    execute function guichet_case_search_state()`.execute(db);

  await sql`drop index case_search_open_document`.execute(db);
  await sql`alter table case_search drop column open`.execute(db);
}
