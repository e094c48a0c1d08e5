/**
 * Times the inbox's list query for each sort and filter an agent can choose, one at a time, on a
 * benchmark dataset (the load runs of bench/backoffice.ts measure one list only):
 *
 *   PROFILE_SQLITE=file                              node bin/run-ts.js bench/inbox-lists.ts
 *   PROFILE_PG_URL=url PROFILE_PG_SCHEMA=bench_1m    node bin/run-ts.js bench/inbox-lists.ts
 *
 * For a Voirie agent (no case assigned, or PROFILE_AGENT=id for a real one): the first page of
 * each list, run three times, with the plan's steps when PROFILE_PLAN=1. Read-only.
 */
import SQLite from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import { inboxRepository, type InboxFilter } from '../src/cases/inbox-repository.js';
import { compileOffline } from '../src/db/offline.js';

const env = process.env;
const dialect = env['PROFILE_PG_URL'] ? 'postgres' : 'sqlite';
if (dialect === 'sqlite' && !env['PROFILE_SQLITE']) throw new Error('PROFILE_SQLITE=fichier ou PROFILE_PG_URL + PROFILE_PG_SCHEMA attendus');

/** Runs one compiled query on the dataset; returns the row count and, on request, the plan. */
type Runner = { run(q: CompiledQuery): Promise<number>; plan(q: CompiledQuery): Promise<string>; close(): Promise<void> };

async function runner(): Promise<Runner> {
  if (dialect === 'sqlite') {
    const db = new SQLite(env['PROFILE_SQLITE']!, { readonly: true });
    return {
      run: async (q) => db.prepare(q.sql).all(...(q.parameters as unknown[])).length,
      plan: async (q) => (db.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail).join(' | '),
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: env['PROFILE_PG_URL'], options: `-c search_path=${env['PROFILE_PG_SCHEMA'] ?? 'public'} -c parallel_setup_cost=10000` });
  await client.connect();
  return {
    run: async (q) => (await client.query(q.sql, q.parameters as unknown[])).rows.length,
    plan: async (q) => (await client.query(`explain ${q.sql}`, q.parameters as unknown[])).rows.map((r: Record<string, string>) => Object.values(r)[0]!.trim()).join(' | '),
    close: () => client.end(),
  };
}

const voirie = 3;
const scope = { organisationId: 1, agentId: Number(env['PROFILE_AGENT'] ?? 0), departmentIds: [voirie] };
const lists: [string, InboxFilter][] = [
  ['open, department + status', { state: 'open', sort: 'recus', departmentId: voirie, status: 'qualifie' }],
  ['open, newest first', { state: 'open', sort: 'recus' }],
  ['open, oldest first', { state: 'open', sort: 'anciens' }],
  ['open, by due date', { state: 'open', sort: 'echeance' }],
  ['open, by priority', { state: 'open', sort: 'priorite' }],
  ['overdue', { state: 'open', sort: 'recus', delay: 'overdue' }],
  ['at risk', { state: 'open', sort: 'recus', delay: 'at_risk' }],
  ['assigned to me', { state: 'open', sort: 'recus', assignment: 'me' }],
  ['unassigned', { state: 'open', sort: 'recus', assignment: 'none' }],
  ['open, channel e-mail', { state: 'open', sort: 'recus', channel: 'email' }],
  ['open, search « trottoirs »', { state: 'open', sort: 'recus', text: 'trottoirs' }],
  ['closed', { state: 'closed', sort: 'recus' }],
  ['all', { state: 'all', sort: 'recus' }],
];

const db = await runner();
try {
  console.log(`${dialect}, agent ${scope.agentId}, services [${scope.departmentIds.join(', ')}] : lignes, puis trois passages en ms`);
  for (const [name, filter] of lists) {
    const [q] = await compileOffline(dialect, (k) => inboxRepository.page(k, dialect, scope, filter, null, 50));
    if (!q) throw new Error(`${name} : aucune requête`);
    const times: string[] = [];
    let rows = 0;
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      rows = await db.run(q);
      times.push((Number(process.hrtime.bigint() - t) / 1e6).toFixed(1).padStart(8));
    }
    console.log(`${name.padEnd(30)} ${String(rows).padStart(3)} ${times.join('')}`);
    if (env['PROFILE_PLAN']) console.log(`  ${await db.plan(q)}`);
  }
} finally {
  await db.close();
}
