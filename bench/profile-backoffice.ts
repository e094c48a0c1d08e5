/**
 * Profiling aid (not a benchmark): one request at a time, in process, against a cached dataset or a
 * small fresh one, prints the mean and p50 time of an inbox page, a search and a case page. Run
 * under `node --cpu-prof` to see where a page's time goes.
 *
 *   PROFILE_SQLITE=file | PROFILE_PG_URL=url PROFILE_PG_SCHEMA=s  node bin/run-ts.js bench/profile-backoffice.ts [N]
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { AttachmentStorage } from '../src/attachments/storage.js';
import { AGENT_COOKIE } from '../src/backoffice/session.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';

const n = Number(process.argv[2] ?? 300);
/** PROFILE_SQL=1 (SQLite): time spent in each statement, per request. */
const sqlTimes = new Map<string, { calls: number; ms: number }>();
if (process.env['PROFILE_SQL'] && process.env['PROFILE_PG_URL']) {
  const proto = pg.Client.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = proto['query']!;
  proto['query'] = function (this: unknown, ...args: unknown[]) {
    const source = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text ?? '?');
    const t = process.hrtime.bigint();
    const done = () => {
      const entry = sqlTimes.get(source) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += Number(process.hrtime.bigint() - t) / 1e6;
      sqlTimes.set(source, entry);
    };
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
    return result;
  };
} else if (process.env['PROFILE_SQL']) {
  const probe = new SQLite(':memory:').prepare('select 1');
  const proto = Object.getPrototypeOf(probe) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['all', 'get', 'run', 'iterate']) {
    const original = proto[method]!;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      const t = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const entry = sqlTimes.get(this.source) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += Number(process.hrtime.bigint() - t) / 1e6;
        sqlTimes.set(this.source, entry);
      }
    };
  }
}
const db = process.env['PROFILE_PG_URL']
  ? openDatabase({ url: process.env['PROFILE_PG_URL'], schema: process.env['PROFILE_PG_SCHEMA'] })
  : openDatabase({ url: '', sqliteFile: process.env['PROFILE_SQLITE']! });
await migrateToLatest(db);
const k = db.kysely;
const voirie = (await k.selectFrom('departments').select(['id', 'organisation_id']).where('slug', '=', 'voirie').executeTakeFirstOrThrow());
const now = new Date().toISOString();
const agent = await k.insertInto('agents').values({ organisation_id: voirie.organisation_id, email: `prof-${randomBytes(4).toString('hex')}@ville.test`, display_name: 'Profil', password_hash: null, is_active: 1, created_at: now }).returning('id').executeTakeFirstOrThrow();
await k.insertInto('agent_roles').values({ agent_id: agent.id, department_id: voirie.id, role: 'agent' }).execute();
const token = randomBytes(32).toString('base64url');
await k.insertInto('agent_sessions').values({ id: createHash('sha256').update(token).digest('base64url'), agent_id: agent.id, method: 'password', stage: 'ready', id_token: null, user_agent: 'prof', ip: '127.0.0.1', created_at: now, last_seen_at: now, expires_at: new Date(Date.now() + 3_600_000).toISOString(), revoked_at: null }).execute();
const status = await k.selectFrom('cases').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('department_id', '=', voirie.id).where('closed_at', 'is', null).groupBy('status').orderBy('n', 'desc').limit(1).executeTakeFirstOrThrow();
const refs = (await k.selectFrom('cases').select('reference').where('department_id', '=', voirie.id).orderBy('id', 'desc').limit(500).execute()).map((r) => r.reference);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-prof-'));
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1:3000' });
const app = await buildApp({ db, config, storage: new AttachmentStorage(path.join(dataDir, 'attachments')) }, { logger: false });
await app.ready();
const headers = { accept: 'text/html', 'accept-encoding': 'gzip', cookie: `${AGENT_COOKIE}=${token}` };
const words = ['lampadaire', 'trottoirs', 'poubelle', 'chaussée', 'graffiti', 'stationnement', 'eclairage', 'arbres'];
const scenarios: [string, (i: number) => string][] = [
  ['inbox', () => `/backoffice/dossiers?departement=${voirie.id}&statut=${encodeURIComponent(status.status)}`],
  ['search', (i) => `/backoffice/dossiers?q=${encodeURIComponent(words[i % words.length]!)}`],
  ['case', (i) => `/backoffice/dossiers/${refs[i % refs.length]!}`],
];
const only = process.env['PROFILE_ONLY'];
for (const [name, url] of scenarios) {
  if (only && only !== name) continue;
  for (let i = 0; i < 30; i++) await app.inject({ url: url(i), headers });
  sqlTimes.clear();
  const times: number[] = [];
  let bytes = 0;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const res = await app.inject({ url: url(i), headers });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    bytes = res.rawPayload.length;
    if (i === 0 && process.env['PROFILE_DUMP']) fs.writeFileSync(`${process.env['PROFILE_DUMP']}-${name}.html`, res.rawPayload);
  }
  const cpu = process.cpuUsage(cpuBefore);
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  if (sqlTimes.size > 0) {
    const all = [...sqlTimes].sort((a, b) => b[1].ms - a[1].ms);
    const total = all.reduce((a, [, e]) => a + e.ms, 0);
    console.log(`  SQL ${(total / n).toFixed(2)} ms per request, ${(all.reduce((a, [, e]) => a + e.calls, 0) / n).toFixed(1)} statements`);
    for (const [source, e] of all.slice(0, Number(process.env["PROFILE_SQL_TOP"] ?? 12))) console.log(`   ${(e.ms / n).toFixed(3)} ms ×${(e.calls / n).toFixed(1)}  ${process.env['PROFILE_SQL_FULL'] ? source : source.replace(/\s+/g, ' ').slice(0, 160)}`);
  }
  console.log(`${name}: mean ${mean.toFixed(2)} ms, p50 ${times[Math.floor(n / 2)]!.toFixed(2)} ms, p99 ${times[Math.floor(n * 0.99)]!.toFixed(2)} ms, ${bytes} bytes, this process's CPU ${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms per request`);
}
await app.close();
await db.close();
fs.rmSync(dataDir, { recursive: true, force: true });
