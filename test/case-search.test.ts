/**
 * French full-text search of cases: the words as the index keeps them (lower case, no accents,
 * Snowball French stems), the FTS5 query built from what an agent typed, and the index kept up to
 * date by the database itself whatever writes the case (intake, a message, a new citizen name).
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxRepository, type InboxFilter } from '../src/cases/inbox-repository.js';
import { caseSearchText, ftsQuery, searchTerms } from '../src/cases/search.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { compileOffline } from '../src/db/offline.js';
import { createAgent } from './backoffice-session.js';
import { freshDb } from './db.js';
import { makeCommune, submitLightingReport } from './factories.js';

describe('words as the index keeps them', () => {
  it('stems plural and singular alike, and forgets accents and case', () => {
    expect(searchTerms('Lampadaires')).toEqual(searchTerms('lampadaire'));
    expect(searchTerms('éclairage')).toEqual(searchTerms('ECLAIRAGE'));
    expect(searchTerms('chaussées dégradées')).toEqual(searchTerms('chaussee degradee'));
    expect(searchTerms('cœur')).toEqual(['coeur']);
  });

  it('keeps numbers as they are and leaves out non-words', () => {
    expect(searchTerms('2026-000123')).toEqual(['2026', '000123']);
    expect(searchTerms(`a ${'x'.repeat(60)} b`)).toEqual(['a', 'b']);
  });

  it('indexes the text answers of the form data, not its field names nor machine ids', () => {
    const text = caseSearchText([JSON.stringify({ description: 'Poubelles renversées', photo: ['0f8e4c5a-9b1d-4e2f-8a7b-6c5d4e3f2a1b'], danger: false })]);
    expect(text.split(' ')).toEqual(searchTerms('Poubelles renversées'));
  });

  it('builds an FTS5 query of phrases, and none from punctuation alone', () => {
    expect(ftsQuery('lampadaires éteints')).toBe(`"${searchTerms('lampadaires')[0]}" "${searchTerms('éteints')[0]}"`);
    expect(ftsQuery('2026-000123')).toBe('"2026 000123"');
    expect(ftsQuery('"*( -')).toBeNull();
    expect(ftsQuery('a"b')).toBe('"a b"');
  });
});

describe('the index in the database', () => {
  let db: Db;
  let commune: Awaited<ReturnType<typeof makeCommune>>;
  const search = async (text: string, departmentIds: number[], state: InboxFilter['state'] = 'all') => {
    const filter: InboxFilter = { state, sort: 'recus', text };
    const { rows } = await inboxRepository.page(db.kysely, db.dialect, { organisationId: commune.organisationId, agentId: 0, departmentIds }, filter, null, 50);
    return rows.map((r) => r.reference);
  };

  const lightingReport = (citizen: Record<string, unknown>, description: string) => submitLightingReport(db, commune.organisationId, citizen, description);

  beforeAll(async () => {
    db = await freshDb();
    commune = await makeCommune(db);
  }, 60_000);

  afterAll(async () => {
    await db.close();
  });

  it('indexes a case at intake, its messages and its citizen’s new name', async () => {
    const receipt = await lightingReport({ firstNames: 'Hélène', lastName: 'Dupré', email: 'helene.dupre@example.fr' }, 'Les réverbères clignotent');
    const roads = [commune.departments.roads];
    expect(await search('reverbere', roads)).toEqual([receipt.reference]);
    expect(await search('helene dupre', roads)).toEqual([receipt.reference]);
    expect(await search('reverbere', [commune.departments.reception])).toEqual([]);

    await db.kysely
      .insertInto('messages')
      .values({ case_id: receipt.caseId, direction: 'out', channel: 'email', recipient: null, subject: 'Réponse', body_text: 'Une équipe passera jeudi.', body_html: null, status: 'sent', message_id: null, last_error: null, created_at: new Date().toISOString(), sent_at: null })
      .execute();
    expect(await search('equipes', roads)).toEqual([receipt.reference]);

    await db.kysely.updateTable('citizens').set({ usage_name: 'Lemaire' }).where('id', '=', receipt.citizen!.id).execute();
    expect(await search('lemaire', roads)).toEqual([receipt.reference]);
  });

  it('keeps a second index of open cases only, which a case leaves when closed and re-enters when re-opened', async () => {
    const receipt = await lightingReport({ firstNames: 'Odile', lastName: 'Ferrand', email: 'odile.ferrand@example.fr' }, 'Un candélabre penché');
    const roads = [commune.departments.roads];
    const openIndexHolds = async (): Promise<boolean> => {
      const key = db.dialect === 'sqlite' ? sql.raw('rowid') : sql.raw('case_id');
      const { rows } = await sql<{ n: number }>`select count(*) as n from case_search_open where ${key} = ${receipt.caseId}`.execute(db.kysely);
      return Number(rows[0]!.n) === 1;
    };
    expect(await openIndexHolds()).toBe(true);
    expect(await search('candelabres', roads, 'open')).toEqual([receipt.reference]);

    const setClosed = (closedAt: string | null) => db.kysely.updateTable('cases').set({ closed_at: closedAt }).where('id', '=', receipt.caseId).execute();
    await setClosed(new Date().toISOString());
    expect(await openIndexHolds()).toBe(false);
    expect(await search('candelabres', roads, 'open')).toEqual([]);
    expect(await search('candelabres', roads, 'closed')).toEqual([receipt.reference]);
    // A message on a closed case is searchable among all cases, and does not bring it back among the open.
    await db.kysely
      .insertInto('messages')
      .values({ case_id: receipt.caseId, direction: 'in', channel: 'email', recipient: null, subject: 'Merci', body_text: 'Le poteau est redressé.', body_html: null, status: 'received', message_id: null, last_error: null, created_at: new Date().toISOString(), sent_at: null })
      .execute();
    expect(await search('poteau', roads)).toEqual([receipt.reference]);
    expect(await search('poteau', roads, 'open')).toEqual([]);

    await setClosed(null);
    expect(await openIndexHolds()).toBe(true);
    expect(await search('poteau', roads, 'open')).toEqual([receipt.reference]);
    await db.kysely.updateTable('citizens').set({ usage_name: 'Vasseur' }).where('id', '=', receipt.citizen!.id).execute();
    expect(await search('vasseur', roads, 'open')).toEqual([receipt.reference]);
  });

  it('follows an open case through a transfer and an assignment: the search of open cases shows it to whoever may see it now, and only to them', async () => {
    const receipt = await lightingReport({ firstNames: 'Paul', lastName: 'Mercier', email: 'paul.mercier@example.fr' }, 'Une borne arrachée');
    const { roads, reception } = commune.departments;
    const found = async (departmentIds: number[], agentId = 0, extra: Partial<InboxFilter> = {}) => {
      const filter: InboxFilter = { state: 'open', sort: 'recus', text: 'borne arrachee', ...extra };
      const { rows } = await inboxRepository.page(db.kysely, db.dialect, { organisationId: commune.organisationId, agentId, departmentIds }, filter, null, 50);
      return rows.map((r) => r.reference);
    };
    expect(await found([roads])).toEqual([receipt.reference]);
    expect(await found([reception])).toEqual([]);

    await db.kysely.updateTable('cases').set({ department_id: reception }).where('id', '=', receipt.caseId).execute();
    expect(await found([roads])).toEqual([]);
    expect(await found([reception])).toEqual([receipt.reference]);
    expect(await found([reception], 0, { departmentId: reception })).toEqual([receipt.reference]);
    expect(await found([roads, reception], 0, { departmentId: roads })).toEqual([]);

    // Assigned to an agent of no department: theirs to see wherever it is, through « assigned to me » too.
    const { agentId } = await createAgent(db, commune.organisationId, { roles: [] });
    expect(await found([], agentId)).toEqual([]);
    await db.kysely.updateTable('cases').set({ assigned_agent_id: agentId }).where('id', '=', receipt.caseId).execute();
    expect(await found([], agentId)).toEqual([receipt.reference]);
    expect(await found([], agentId, { assignment: 'me' })).toEqual([receipt.reference]);
    expect(await found([reception], 0, { assignment: 'none' })).toEqual([]);
    await db.kysely.updateTable('cases').set({ assigned_agent_id: null }).where('id', '=', receipt.caseId).execute();
    expect(await found([], agentId)).toEqual([]);
    expect(await found([reception], 0, { assignment: 'none' })).toEqual([receipt.reference]);
    // Another organisation never sees it.
    const other = await inboxRepository.page(db.kysely, db.dialect, { organisationId: commune.organisationId + 1000, agentId: 0, departmentIds: [reception] }, { state: 'open', sort: 'recus', text: 'borne arrachee' }, null, 50);
    expect(other.rows).toEqual([]);
  });
});

describe('the inbox queries as SQL', () => {
  it('keeps the compiled SQL of the inbox’s main queries for review (both dialects)', async () => {
    const scope = { organisationId: 1, agentId: 7, departmentIds: [3, 4] };
    const cases: [string, InboxFilter, (string | number)[] | null][] = [
      ['first page, department + status', { state: 'open', sort: 'recus', departmentId: 3, status: 'recu' }, null],
      ['default list, next page', { state: 'open', sort: 'recus' }, ['2026-01-01T00:00:00.000Z', 42]],
      ['full-text search', { state: 'open', sort: 'recus', text: 'lampadaires' }, null],
      ['by due date', { state: 'open', sort: 'echeance' }, null],
    ];
    const out: string[] = [];
    for (const dialect of ['sqlite', 'postgres'] as const) {
      for (const [name, filter, after] of cases) {
        const queries = await compileOffline(dialect, (db) => inboxRepository.page(db, dialect, scope, filter, after, 50, new Date('2026-06-01T00:00:00Z')));
        out.push(`-- ${dialect}: ${name}\n${queries.map((q) => q.sql).join(';\n')};\n`);
      }
    }
    await expect(out.join('\n')).toMatchFileSnapshot('./__snapshots__/inbox-queries.sql');
  });

  it('never has SQLite walk every case of the town for a page of the inbox, whatever the sort (plans without statistics, as in production)', async () => {
    const sqlite = openDatabase({ url: '', sqliteFile: ':memory:' });
    try {
      await migrateToLatest(sqlite);
      const scope = { organisationId: 1, agentId: 7, departmentIds: [3, 4] };
      const lists: InboxFilter[] = [
        { state: 'open', sort: 'recus', departmentId: 3, status: 'recu' },
        { state: 'open', sort: 'recus', text: 'lampadaires' },
        { state: 'open', sort: 'echeance' },
        { state: 'open', sort: 'priorite' },
        { state: 'open', sort: 'echeance', assignment: 'me' },
      ];
      for (const filter of lists) {
        const [query] = await compileOffline('sqlite', (db) => inboxRepository.page(db, 'sqlite', scope, filter, null, 50, new Date('2026-06-01T00:00:00Z')));
        const plan = await sqlite.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query!.sql}`, [...query!.parameters]));
        const steps = plan.rows.map((r) => r.detail);
        // The organisation's unique index (organisation, reference) and a bare scan read every case.
        expect(steps.filter((step) => /sqlite_autoindex_cases_2|^SCAN c\b/.test(step)), `${JSON.stringify(filter)}: ${steps.join(' | ')}`).toEqual([]);
        expect(steps.some((step) => /^SEARCH c USING (INDEX|COVERING INDEX)|VIRTUAL TABLE/.test(step))).toBe(true);
      }
    } finally {
      await sqlite.close();
    }
  });
});
