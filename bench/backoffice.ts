/**
 * `npm run bench:backoffice`: load-tests the agents' back-office on the same datasets as
 * `npm run bench` (BENCH_CASES historical cases, default 1,000,000, seeded once by bench/seed.ts
 * and cached), on SQLite and, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on PostgreSQL.
 *
 * A signed-in agent of the Voirie department (session written to the dataset's copy) asks for:
 * the inbox's first page with two filters (department + most frequent open status), a full-text
 * search (one of a few words of the demo's requests, in turn), and a case page (a case of Voirie
 * picked at random among sampled references). A floor is measured in the same run: a bare Fastify
 * page of the same size after one indexed read (bench/floor-server.ts). Each page is measured at
 * saturation (closed loop, BENCH_CONNECTIONS) and at given arrival rates (open loop, BENCH_RATES).
 * Targets: p99 < 50 ms for the inbox and the case page, < 100 ms for search.
 *
 * Environment: BENCH_CASES, BENCH_DURATION (s per scenario, default 10), BENCH_CONNECTIONS
 * (default 10), BENCH_WARMUP (s, default 3), BENCH_RATES (req/s, default 50,100), BENCH_DATABASE_URL / TEST_DATABASE_URL,
 * BENCH_DIALECTS, BENCH_RESEED=1, BENCH_SEED_TIMEOUT (minutes, default 60); WEB_PROCESSES is passed on
 * to the server (its HTTP processes, default 1).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { AGENT_COOKIE } from '../src/backoffice/session.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import {
  CACHE_DIR,
  postgresSchema,
  readPostgresMarker,
  readSqliteMarker,
  sqliteCacheDir,
  urlWithSchema,
  type DatasetInfo,
} from './lib/datasets.js';
import { isClean, measure, type LoadSettings, type ScenarioResult, type ScenarioSpec } from './lib/load.js';
import { measureAtRate } from './lib/open-loop.js';
import { killAll, ROOT, runScript, startServer } from './lib/processes.js';
import { intEnv } from './lib/env.js';


const CASES = intEnv('BENCH_CASES', 1_000_000, 1_000);
const settings: LoadSettings = {
  durationSeconds: intEnv('BENCH_DURATION', 10, 1),
  connections: intEnv('BENCH_CONNECTIONS', 10, 1),
  warmupSeconds: intEnv('BENCH_WARMUP', 3, 0),
};
/**
 * Arrival rates (req/s) at which each page's latency is also measured, open loop: 50 is the peak of
 * a large back-office (250 agents each opening a page every 5 s), 100 twice that.
 */
const RATES = (process.env['BENCH_RATES'] ?? '50,100')
  .split(',')
  .filter((r) => r.trim() !== '')
  .map((r) => {
    const rate = Number(r);
    if (!(rate > 0)) throw new Error(`BENCH_RATES : débit invalide « ${r} »`);
    return rate;
  });
/** HTTP processes of the server under test (the server reads WEB_PROCESSES itself). */
const WEB_PROCESSES = process.env['WEB_PROCESSES'] || '1';
const SEED_TIMEOUT_MS = intEnv('BENCH_SEED_TIMEOUT', 60, 1) * 60_000;
const PG_URL = process.env['BENCH_DATABASE_URL'] || process.env['TEST_DATABASE_URL'] || '';
const RESEED = process.env['BENCH_RESEED'] === '1';
const WORK_DIR = path.join(CACHE_DIR, 'work-backoffice');
/** Words agents search for in street reports and letters (in turn, one per request). */
const SEARCH_WORDS = ['lampadaire', 'trottoirs', 'poubelle', 'chaussée', 'graffiti', 'stationnement', 'eclairage', 'arbres'];
const TARGET_P99_MS: Record<string, number> = { inbox: 50, search: 100, case: 50 };
/** Case page references sampled among Voirie's cases. */
const CASE_SAMPLE = 2_000;

type Dialect = 'sqlite' | 'postgres';
const log = (message: string) => process.stdout.write(`[bench backoffice ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

interface Prepared {
  info: DatasetInfo;
  serverEnv: NodeJS.ProcessEnv;
  open(): Db;
}

/** The cached dataset (seeded by bench/seed.ts as `npm run bench` does), copied for this run. */
async function prepareSqlite(): Promise<Prepared> {
  const cacheDir = sqliteCacheDir(CASES);
  let info = RESEED ? undefined : readSqliteMarker(cacheDir);
  if (!info) {
    const tmp = `${cacheDir}.partial`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
    log(`SQLite : génération de ${CASES.toLocaleString('fr-FR')} dossiers (une fois, mis en cache)…`);
    await runScript(['bin/run-ts.js', 'bench/seed.ts'], { BENCH_SEED_CASES: String(CASES), BENCH_SEED_SQLITE_DIR: tmp }, SEED_TIMEOUT_MS);
    fs.renameSync(tmp, cacheDir);
    info = readSqliteMarker(cacheDir);
    if (!info) throw new Error(`Le jeu de données ${cacheDir} est incomplet après génération.`);
  } else {
    log(`SQLite : jeu de données en cache (${path.relative(ROOT, cacheDir)}).`);
  }
  const work = path.join(WORK_DIR, 'sqlite');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const file = path.join(work, 'guichet.db');
  fs.copyFileSync(path.join(cacheDir, 'guichet.db'), file, fs.constants.COPYFILE_FICLONE);
  return { info, serverEnv: { DATA_DIR: work, DATABASE_URL: '' }, open: () => openDatabase({ url: '', sqliteFile: file }) };
}

async function preparePostgres(): Promise<Prepared> {
  const schema = postgresSchema(CASES);
  let info = RESEED ? undefined : await readPostgresMarker(PG_URL, schema);
  if (!info) {
    log(`PostgreSQL : génération de ${CASES.toLocaleString('fr-FR')} dossiers dans le schéma ${schema} (une fois, mis en cache)…`);
    await runScript(['bin/run-ts.js', 'bench/seed.ts'], { BENCH_SEED_CASES: String(CASES), BENCH_SEED_PG_URL: PG_URL, BENCH_SEED_PG_SCHEMA: schema }, SEED_TIMEOUT_MS);
    info = await readPostgresMarker(PG_URL, schema);
    if (!info) throw new Error(`Le schéma ${schema} est incomplet après génération.`);
  } else {
    log(`PostgreSQL : jeu de données en cache (schéma ${schema}).`);
  }
  const work = path.join(WORK_DIR, 'postgres');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  return { info, serverEnv: { DATA_DIR: work, DATABASE_URL: urlWithSchema(PG_URL, schema) }, open: () => openDatabase({ url: PG_URL, schema }) };
}

interface Fixture {
  cookie: string;
  inboxPath: string;
  caseReferences: string[];
}

/**
 * Brings the dataset's schema up to date (a dataset seeded before migration 007 gets its search
 * index built here, and the time it takes is reported), then writes a Voirie agent with a signed-in
 * session and samples Voirie's references.
 */
async function fixture(db: Db, info: DatasetInfo): Promise<Fixture> {
  const started = Date.now();
  const applied = await migrateToLatest(db);
  if (applied.length > 0) log(`migrations appliquées : ${applied.join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
  const k = db.kysely;
  const voirie = info.departments['voirie'];
  if (voirie === undefined) throw new Error('Service « voirie » absent du jeu de données.');
  const now = new Date().toISOString();
  const agent = await k
    .insertInto('agents')
    .values({ organisation_id: info.organisationId, email: `banc-${randomBytes(4).toString('hex')}@ville.test`, display_name: 'Agent du banc d’essai', password_hash: null, is_active: 1, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await k.insertInto('agent_roles').values({ agent_id: agent.id, department_id: voirie, role: 'agent' }).execute();
  const token = randomBytes(32).toString('base64url');
  await k
    .insertInto('agent_sessions')
    .values({
      id: createHash('sha256').update(token).digest('base64url'),
      agent_id: agent.id,
      method: 'password',
      stage: 'ready',
      id_token: null,
      user_agent: 'bench',
      ip: '127.0.0.1',
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(Date.now() + 4 * 3_600_000).toISOString(),
      revoked_at: null,
    })
    .execute();
  const status = await k
    .selectFrom('cases')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('organisation_id', '=', info.organisationId)
    .where('department_id', '=', voirie)
    .where('closed_at', 'is', null)
    .groupBy('status')
    .orderBy('n', 'desc')
    .limit(1)
    .executeTakeFirst();
  const bounds = await k.selectFrom('cases').select((eb) => [eb.fn.min<number>('id').as('lo'), eb.fn.max<number>('id').as('hi')]).executeTakeFirstOrThrow();
  const lo = Number(bounds.lo);
  const hi = Number(bounds.hi);
  const references = new Set<string>();
  for (let attempt = 0; attempt < 50 && references.size < CASE_SAMPLE; attempt++) {
    const ids = Array.from({ length: 1_000 }, () => lo + Math.floor(Math.random() * (hi - lo + 1)));
    const rows = await k.selectFrom('cases').select('reference').where('department_id', '=', voirie).where('id', 'in', ids).execute();
    for (const r of rows) references.add(r.reference);
  }
  if (references.size === 0) throw new Error('Aucun dossier de la Voirie dans le jeu de données.');
  return {
    cookie: `${AGENT_COOKIE}=${token}`,
    inboxPath: `/backoffice/dossiers?departement=${voirie}&statut=${encodeURIComponent(status?.status ?? 'recu')}`,
    caseReferences: [...references],
  };
}

async function check(spec: ScenarioSpec): Promise<{ status: number; body: string }> {
  const res = await fetch(spec.url + spec.path(), { headers: spec.headers, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.text() };
}

interface Row {
  key: string;
  /** Open-loop arrival rate; absent for the closed-loop saturation run. */
  rate?: number;
  result: ScenarioResult | null;
  skipped?: string;
}

async function benchDialect(dialect: Dialect): Promise<Row[]> {
  const prepared = dialect === 'sqlite' ? await prepareSqlite() : await preparePostgres();
  const db = prepared.open();
  let fx: Fixture;
  try {
    fx = await fixture(db, prepared.info);
  } finally {
    await db.close();
  }
  const env = { ...prepared.serverEnv, LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:3000' };
  const floor = await startServer('floor', ['bin/run-ts.js', 'bench/floor-server.ts'], env);
  const guichet = await startServer('guichet', ['bin/guichet.js', 'serve', '--role', 'web'], env);
  const rows: Row[] = [];
  try {
    const headers = { accept: 'text/html', 'accept-encoding': 'gzip', cookie: fx.cookie };
    let word = 0;
    const specs: [string, ScenarioSpec][] = [
      ['floor', { name: 'floor (1 read + 12 KB page)', url: floor.url, method: 'GET', headers: { accept: 'text/html', 'accept-encoding': 'gzip' }, path: () => '/floor/page' }],
      ['inbox', { name: 'inbox, first page, department + status', url: guichet.url, method: 'GET', headers, path: () => fx.inboxPath }],
      ['search', { name: 'inbox, full-text search', url: guichet.url, method: 'GET', headers, path: () => `/backoffice/dossiers?q=${encodeURIComponent(SEARCH_WORDS[word++ % SEARCH_WORDS.length]!)}` }],
      ['case', { name: 'case page', url: guichet.url, method: 'GET', headers, path: () => `/backoffice/dossiers/${fx.caseReferences[Math.floor(Math.random() * fx.caseReferences.length)]!}` }],
    ];
    for (const [key, spec] of specs) {
      const probe = await check(spec);
      if (key === 'case' && probe.status === 404) {
        rows.push({ key, result: null, skipped: 'la page d’un dossier répond 404 (pas encore servie par le module des dossiers) : scénario ignoré' });
        log(`${spec.name} : ignoré (404)`);
        continue;
      }
      if (probe.status !== 200) throw new Error(`${spec.name} : la requête de contrôle échoue : HTTP ${probe.status} ${probe.body.slice(0, 500)}`);
      if (key === 'inbox' && !probe.body.includes('inbox-reference')) throw new Error(`${spec.name} : la première page est vide.`);
      log(`→ ${spec.name}…`);
      const result = await measure(spec, settings);
      log(`  ${result.reqPerSec} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`);
      rows.push({ key, result });
      if (key === 'floor') continue;
      for (const rate of RATES) {
        log(`→ ${spec.name}, ${rate} req/s (arrivées de Poisson)…`);
        const atRate = await measureAtRate(spec, { rate, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds });
        log(`  p50 ${atRate.latencyMs.p50} ms, p99 ${atRate.latencyMs.p99} ms`);
        rows.push({ key, rate, result: atRate });
      }
    }
  } finally {
    await guichet.stop();
    await floor.stop();
  }
  return rows;
}

function table(dialect: Dialect, rows: Row[]): string {
  const floorRate = rows.find((r) => r.key === 'floor')?.result?.reqPerSec ?? NaN;
  const lines = rows.map(({ key, rate, result, skipped }) => {
    if (!result) return `| ${key} | — | — | — | — | ${skipped} |`;
    const target = TARGET_P99_MS[key];
    const verdict = !isClean(result) ? `FAIL ${JSON.stringify(result.statusCodes)}` : target === undefined ? 'ok' : result.latencyMs.p99 <= target ? `ok (p99 ≤ ${target} ms)` : `OVER (p99 > ${target} ms)`;
    const share = rate === undefined ? `${((result.reqPerSec / floorRate) * 100).toFixed(1)} %` : '—';
    return `| ${result.name} | ${result.reqPerSec.toFixed(1)} | ${result.latencyMs.p50.toFixed(2)} | ${result.latencyMs.p99.toFixed(2)} | ${share} | ${verdict} |`;
  });
  return [`${dialect}, ${CASES.toLocaleString('fr-FR')} dossiers, ${settings.connections} connexions (« @ N req/s » : arrivées de Poisson à N req/s), ${settings.durationSeconds} s (+${settings.warmupSeconds} s), WEB_PROCESSES=${WEB_PROCESSES}`, '', '| scenario | req/s | p50 ms | p99 ms | ÷ floor | check |', '|---|--:|--:|--:|--:|---|', ...lines].join('\n');
}

async function main(): Promise<void> {
  const wanted = (process.env['BENCH_DIALECTS'] ?? 'sqlite,postgres').split(',').map((d) => d.trim());
  const dialects: Dialect[] = [];
  if (wanted.includes('sqlite')) dialects.push('sqlite');
  if (wanted.includes('postgres') && PG_URL) dialects.push('postgres');
  let clean = true;
  for (const dialect of dialects) {
    const rows = await benchDialect(dialect);
    const text = table(dialect, rows);
    console.log(`\n${text}\n`);
    const file = path.join(ROOT, 'bench', 'results', `backoffice-${dialect}${CASES === 1_000_000 ? '' : `-${CASES}`}${WEB_PROCESSES === '1' ? '' : `-web${WEB_PROCESSES}`}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), settings: { ...settings, rates: RATES, webProcesses: WEB_PROCESSES }, cases: CASES, results: rows }, null, 2)}\n`);
    log(`résultats : ${path.relative(ROOT, file)}`);
    clean &&= rows.every((r) => !r.result || isClean(r.result));
  }
  if (!clean) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(killAll);
