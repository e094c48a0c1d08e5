/**
 * `npm run bench`: load-tests Guichet on a database of BENCH_CASES cases (default 1,000,000),
 * on SQLite and, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on PostgreSQL.
 *
 * For each database: seed (or reuse the cached seed), create an API token, then start as child
 * processes on 127.0.0.1 the floor server (one insert per request) and `guichet serve`, and
 * measure with autocannon: the floor, case creation through the full intake, reading a case by
 * reference, and the first page of two filtered lists. See bench/README.md.
 *
 * Environment: BENCH_CASES, BENCH_DURATION (s per scenario, default 10), BENCH_CONNECTIONS
 * (default 10), BENCH_WARMUP (s, default 3), BENCH_DATABASE_URL / TEST_DATABASE_URL,
 * BENCH_DIALECTS (e.g. "sqlite" or "postgres"), BENCH_RESEED=1, BENCH_SEED_TIMEOUT (minutes,
 * default 60), BENCH_TIMEOUT (minutes for the whole run, default 180), BENCH_LIST_STATUS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createToken } from '../src/tokens/service.js';
import { intakeBodies, INTAKE_PROCEDURE } from './lib/bodies.js';
import {
  CACHE_DIR,
  codeFingerprint,
  postgresSchema,
  readPostgresMarker,
  readSqliteMarker,
  sizeLabel,
  sqliteCacheDir,
  urlWithSchema,
  type DatasetInfo,
} from './lib/datasets.js';
import { isClean, measure, type LoadSettings, type ScenarioResult, type ScenarioSpec } from './lib/load.js';
import { killAll, ROOT, runScript, startServer, type Server } from './lib/processes.js';
import { INTAKE_FLOOR_TARGET, LIST_P99_TARGET_MS, renderTable, writeReport, type DialectReport } from './lib/report.js';
import { intEnv } from './lib/env.js';

const DEFAULT_CASES = 1_000_000;


const CASES = intEnv('BENCH_CASES', DEFAULT_CASES, 1_000);
const settings: LoadSettings = {
  durationSeconds: intEnv('BENCH_DURATION', 10, 1),
  connections: intEnv('BENCH_CONNECTIONS', 10, 1),
  warmupSeconds: intEnv('BENCH_WARMUP', 3, 0),
};
const SEED_TIMEOUT_MS = intEnv('BENCH_SEED_TIMEOUT', 60, 1) * 60_000;
const RUN_TIMEOUT_MS = intEnv('BENCH_TIMEOUT', 180, 1) * 60_000;
const PG_URL = process.env['BENCH_DATABASE_URL'] || process.env['TEST_DATABASE_URL'] || '';
const RESEED = process.env['BENCH_RESEED'] === '1';
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const WORK_DIR = path.join(CACHE_DIR, 'work');
/** References sampled among the seeded cases for the read scenario. */
const READ_SAMPLE = 5_000;

type Dialect = 'sqlite' | 'postgres';

function log(message: string) {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function machine(): DialectReport['machine'] {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Datasets

interface Prepared {
  info: DatasetInfo;
  fromCache: boolean;
  /** Environment for the servers (DATA_DIR, DATABASE_URL). */
  serverEnv: NodeJS.ProcessEnv;
  open(): Db;
  location: string;
}

function warnIfStale(info: DatasetInfo) {
  if (info.codeFingerprint !== codeFingerprint()) {
    log('  attention : le code de génération (src/demo, migrations) a changé depuis ; BENCH_RESEED=1 pour régénérer le jeu de données.');
  }
}

async function prepareSqlite(reseed: boolean): Promise<Prepared> {
  const cacheDir = sqliteCacheDir(CASES);
  let info = reseed ? undefined : readSqliteMarker(cacheDir);
  const fromCache = info !== undefined;
  if (!info) {
    const tmp = `${cacheDir}.partial`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
    log(`SQLite : génération de ${CASES.toLocaleString('fr-FR')} dossiers dans ${path.relative(ROOT, cacheDir)} (une fois, mis en cache)…`);
    await runScript(['bin/run-ts.js', 'bench/seed.ts'], { BENCH_SEED_CASES: String(CASES), BENCH_SEED_SQLITE_DIR: tmp }, SEED_TIMEOUT_MS);
    fs.renameSync(tmp, cacheDir);
    info = readSqliteMarker(cacheDir);
    if (!info) throw new Error(`Le jeu de données ${cacheDir} est incomplet après génération.`);
  } else {
    log(`SQLite : jeu de données en cache (${path.relative(ROOT, cacheDir)}, généré le ${info.seededAt} en ${info.seedSeconds} s).`);
    warnIfStale(info);
  }
  // A fresh copy per run: the cache stays as seeded, whatever the intake writes.
  const work = path.join(WORK_DIR, 'sqlite');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const started = Date.now();
  fs.copyFileSync(path.join(cacheDir, 'guichet.db'), path.join(work, 'guichet.db'), fs.constants.COPYFILE_FICLONE);
  log(`SQLite : copie de travail prête (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  const file = path.join(work, 'guichet.db');
  return {
    info,
    fromCache,
    serverEnv: { DATA_DIR: work, DATABASE_URL: '' },
    open: () => openDatabase({ url: '', sqliteFile: file }),
    location: path.relative(ROOT, file),
  };
}

async function preparePostgres(reseed: boolean): Promise<Prepared> {
  const schema = postgresSchema(CASES);
  let info = reseed ? undefined : await readPostgresMarker(PG_URL, schema);
  const fromCache = info !== undefined;
  if (!info) {
    log(`PostgreSQL : génération de ${CASES.toLocaleString('fr-FR')} dossiers dans le schéma ${schema} (une fois, mis en cache)…`);
    await runScript(['bin/run-ts.js', 'bench/seed.ts'], { BENCH_SEED_CASES: String(CASES), BENCH_SEED_PG_URL: PG_URL, BENCH_SEED_PG_SCHEMA: schema }, SEED_TIMEOUT_MS);
    info = await readPostgresMarker(PG_URL, schema);
    if (!info) throw new Error(`Le schéma ${schema} est incomplet après génération.`);
  } else {
    log(`PostgreSQL : jeu de données en cache (schéma ${schema}, généré le ${info.seededAt} en ${info.seedSeconds} s).`);
    warnIfStale(info);
  }
  const work = path.join(WORK_DIR, 'postgres');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const serverUrl = urlWithSchema(PG_URL, schema);
  return {
    info,
    fromCache,
    serverEnv: { DATA_DIR: work, DATABASE_URL: serverUrl },
    open: () => openDatabase({ url: PG_URL, schema }),
    location: `${PG_URL.replace(/\/\/[^@]*@/, '//')} schema ${schema}`,
  };
}

// ---------------------------------------------------------------------------------------------
// What the scenarios need from the database

interface Fixture {
  token: string;
  references: string[];
  casesInDatabase: number;
  engineVersion: string;
  sizeBytes: number;
  lists: Record<string, { query: string; matchingCases: number }>;
  statusCounts: Record<string, number>;
}

async function fixture(db: Db, info: DatasetInfo, dialect: Dialect): Promise<Fixture> {
  const k = db.kysely;
  const { token } = await createToken(k, info.organisationId, `Banc d’essai ${new Date().toISOString()}`, ['cases:read', 'cases:write']);

  const bounds = await k.selectFrom('cases').select((eb) => [eb.fn.min<number>('id').as('lo'), eb.fn.max<number>('id').as('hi'), eb.fn.countAll<number>().as('n')]).executeTakeFirstOrThrow();
  const lo = Number(bounds.lo);
  const hi = Number(bounds.hi);
  const references = new Set<string>();
  for (let attempt = 0; attempt < 50 && references.size < READ_SAMPLE; attempt++) {
    const ids = Array.from({ length: 1_000 }, () => lo + Math.floor(Math.random() * (hi - lo + 1)));
    const rows = await k.selectFrom('cases').select('reference').where('organisation_id', '=', info.organisationId).where('id', 'in', ids).execute();
    for (const r of rows) references.add(r.reference);
  }
  if (references.size === 0) throw new Error('Aucun dossier dans la base : le jeu de données est vide.');

  const voirie = info.departments['voirie'];
  const procedureId = info.procedures[INTAKE_PROCEDURE];
  if (voirie === undefined || procedureId === undefined) throw new Error('Service « voirie » ou démarche « signalement-voirie » absents du jeu de données.');
  const statusRows = await k
    .selectFrom('cases')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('organisation_id', '=', info.organisationId)
    .where('department_id', '=', voirie)
    .where('closed_at', 'is', null)
    .groupBy('status')
    .execute();
  const statusCounts = Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)]).sort((a, b) => Number(b[1]) - Number(a[1])));
  // The most frequent status of open cases: what an agent's inbox lists.
  const status = process.env['BENCH_LIST_STATUS'] || Object.keys(statusCounts)[0] || 'recu';
  const channelCount = await k
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', info.organisationId)
    .where('procedure_id', '=', procedureId)
    .where('channel', '=', 'web')
    .executeTakeFirstOrThrow();
  const lists = {
    'list department+status': { query: `/api/v1/cases?department=${voirie}&status=${encodeURIComponent(status)}&limit=25`, matchingCases: statusCounts[status] ?? 0 },
    'list procedure+channel': { query: `/api/v1/cases?procedure=${INTAKE_PROCEDURE}&channel=web&limit=25`, matchingCases: Number(channelCount.n) },
  };

  let engineVersion: string;
  let sizeBytes: number;
  if (dialect === 'sqlite') {
    engineVersion = (await sql<{ v: string }>`select sqlite_version() as v`.execute(k)).rows[0]?.v ?? '?';
    const pages = (await sql<{ n: number }>`select page_count * page_size as n from pragma_page_count(), pragma_page_size()`.execute(k)).rows[0]?.n ?? 0;
    sizeBytes = Number(pages);
  } else {
    engineVersion = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(k)).rows[0]?.v ?? '?';
    const size = await sql<{ n: number }>`select coalesce(sum(pg_total_relation_size(c.oid)), 0) as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = current_schema() and c.relkind in ('r', 'm')`.execute(k);
    sizeBytes = Number(size.rows[0]?.n ?? 0);
  }
  return { token, references: [...references], casesInDatabase: Number(bounds.n), engineVersion, sizeBytes, lists, statusCounts };
}

// ---------------------------------------------------------------------------------------------
// One database

/** Cases the transition scenario moves round: enough that 10 connections never share one. */
const TRANSITION_CASES = 200;

/**
 * Street reports created by the intake scenario, taken through `qualifier` and `planifier` so
 * that they wait in `intervention_planifiee`, where `replanifier` can be taken again and again.
 */
async function planInterventions(prepared: Prepared, url: string, auth: Record<string, string>, count: number): Promise<string[]> {
  const db = prepared.open();
  let references: string[];
  try {
    const rows = await db.kysely
      .selectFrom('cases')
      .select('reference')
      .where('channel', '=', 'api')
      .where('status', '=', 'recu')
      .where('workflow_id', 'is not', null)
      .orderBy('id', 'desc')
      .limit(count)
      .execute();
    references = rows.map((r) => r.reference);
  } finally {
    await db.close();
  }
  if (references.length < 20) throw new Error(`Trop peu de signalements créés pour le scénario de transition (${references.length}).`);
  const headers = { ...auth, 'content-type': 'application/json' };
  for (const reference of references) {
    for (const [name, body] of [['qualifier', '{}'], ['planifier', '{"inputs":{"datePrevue":"2030-01-15"}}']] as const) {
      const res = await fetch(`${url}/api/v1/cases/${reference}/transitions/${name}`, { method: 'POST', headers, body });
      if (res.status !== 200) throw new Error(`${name} ${reference} : ${res.status} ${await res.text()}`);
    }
  }
  return references;
}

async function preflight(spec: ScenarioSpec, expect: (status: number, body: string) => string | undefined): Promise<void> {
  const res = await fetch(spec.url + spec.path(), {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body ? { body: spec.body() } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.text();
  const problem = expect(res.status, body);
  if (problem) throw new Error(`${spec.name} : la requête de contrôle échoue (${problem}) : HTTP ${res.status} ${body.slice(0, 800)}`);
}

/**
 * The servers run `serve`, which does not migrate: bring the (cached) schema up to date first.
 * A cache the current migrations cannot upgrade (a migration inserted before applied ones) is
 * seeded again, once.
 */
async function prepare(dialect: Dialect): Promise<{ prepared: Prepared; fx: Fixture }> {
  for (let attempt = 0; ; attempt++) {
    const prepared = dialect === 'sqlite' ? await prepareSqlite(RESEED || attempt > 0) : await preparePostgres(RESEED || attempt > 0);
    const db = prepared.open();
    try {
      try {
        const applied = await migrateToLatest(db);
        if (applied.length > 0) log(`migrations appliquées sur le jeu de données : ${applied.join(', ')}`);
      } catch (error) {
        if (attempt > 0 || !prepared.fromCache) throw error;
        log(`le jeu de données en cache ne se migre pas (${(error as Error).message}) : nouvelle génération.`);
        continue;
      }
      return { prepared, fx: await fixture(db, prepared.info, dialect) };
    } finally {
      await db.close();
    }
  }
}

async function benchDialect(dialect: Dialect): Promise<DialectReport> {
  const { prepared, fx } = await prepare(dialect);
  log(`${fx.casesInDatabase.toLocaleString('fr-FR')} dossiers, ${(fx.sizeBytes / 2 ** 20).toFixed(0)} Mio ; statuts (Voirie) : ${JSON.stringify(fx.statusCounts)}`);

  const serverEnv = { ...prepared.serverEnv, LOG_LEVEL: 'warn' };
  const scenarios: ScenarioResult[] = [];
  const run = async (spec: ScenarioSpec) => {
    log(`→ ${spec.name} : ${settings.warmupSeconds} s d’échauffement + ${settings.durationSeconds} s, ${settings.connections} connexions`);
    const result = await measure(spec, settings);
    log(`  ${result.reqPerSec} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${result.requests} requêtes, codes ${JSON.stringify(result.statusCodes)}`);
    if (!isClean(result)) {
      log(`  ÉCHECS : ${result.errors} erreurs, ${result.timeouts} délais dépassés, ${result.non2xx} réponses non-2xx`);
      for (const f of result.failures) log(`    ${f}`);
    }
    scenarios.push(result);
  };

  // 1. The floor: one insert per request, same database, same durability.
  let server: Server | undefined = await startServer('floor server', ['bin/run-ts.js', 'bench/floor-server.ts'], serverEnv);
  try {
    let n = 0;
    const floor: ScenarioSpec = {
      name: 'floor (1 insert)',
      url: server.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      path: () => '/floor',
      body: () => `{"note":"plancher ${n++}"}`,
    };
    await preflight(floor, (status) => (status === 201 ? undefined : '201 attendu'));
    await run(floor);
  } finally {
    await server.stop();
  }

  // 2–4. Guichet itself.
  server = await startServer('guichet serve', ['bin/guichet.js', 'serve'], serverEnv);
  try {
    const auth = { authorization: `Bearer ${fx.token}` };
    const bodies = intakeBodies(Math.max(20_000, settings.durationSeconds * 3_000));
    let b = 0;
    const intake: ScenarioSpec = {
      name: 'create case',
      url: server.url,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      path: () => '/api/v1/cases',
      body: () => bodies[b++ % bodies.length] ?? '',
    };
    await preflight(intake, (status) => (status === 201 ? undefined : '201 attendu'));
    await run(intake);

    // A workflow transition under load: `replanifier` moves a planned intervention to a new date
    // (a status loop, so it can be repeated) and writes to the citizen. Requests go round the
    // cases so that two never move the same case at once.
    const planned = await planInterventions(prepared, server.url, auth, TRANSITION_CASES);
    let t = 0;
    const transition: ScenarioSpec = {
      name: 'transition',
      url: server.url,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      path: () => `/api/v1/cases/${planned[t++ % planned.length]}/transitions/replanifier`,
      body: () => `{"inputs":{"datePrevue":"2030-0${1 + (t % 9)}-15"}}`,
    };
    await preflight(transition, (status) => (status === 200 ? undefined : '200 attendu'));
    await run(transition);

    const refs = fx.references;
    const read: ScenarioSpec = {
      name: 'read case',
      url: server.url,
      method: 'GET',
      headers: auth,
      path: () => `/api/v1/cases/${refs[Math.floor(Math.random() * refs.length)]}`,
    };
    await preflight(read, (status) => (status === 200 ? undefined : '200 attendu'));
    await run(read);

    for (const [name, list] of Object.entries(fx.lists)) {
      const spec: ScenarioSpec = { name, url: server.url, method: 'GET', headers: auth, path: () => list.query };
      await preflight(spec, (status, body) => {
        if (status !== 200) return '200 attendu';
        const items = (JSON.parse(body) as { items: unknown[] }).items;
        return items.length > 0 ? undefined : 'page vide : le filtre ne mesure rien';
      });
      await run(spec);
    }
  } catch (error) {
    log(`sortie du serveur :\n${server.output()}`);
    throw error;
  } finally {
    await server.stop();
    server = undefined;
  }

  const byName = (name: string) => scenarios.find((s) => s.name === name);
  const intakeRate = byName('create case')?.reqPerSec ?? 0;
  const floorRate = byName('floor (1 insert)')?.reqPerSec ?? 0;
  const ratio = floorRate > 0 ? intakeRate / floorRate : 0;
  return {
    dialect,
    ok: scenarios.every(isClean),
    generatedAt: new Date().toISOString(),
    machine: machine(),
    database: {
      engine: dialect === 'sqlite' ? 'SQLite (better-sqlite3, WAL, synchronous=FULL)' : 'PostgreSQL (default commit)',
      version: fx.engineVersion,
      sizeBytes: fx.sizeBytes,
      location: prepared.location,
    },
    settings: { cases: CASES, ...settings },
    dataset: { fromCache: prepared.fromCache, seedSeconds: prepared.info.seedSeconds, seededAt: prepared.info.seededAt, casesInDatabase: fx.casesInDatabase },
    lists: fx.lists,
    scenarios,
    intakeOverFloor: Math.round(ratio * 1000) / 1000,
    verdicts: {
      intakeOverFloor: { value: Math.round(ratio * 1000) / 1000, target: INTAKE_FLOOR_TARGET, met: ratio >= INTAKE_FLOOR_TARGET },
      listP99: scenarios
        .filter((s) => s.name.startsWith('list '))
        .map((s) => ({ scenario: s.name, p99Ms: s.latencyMs.p99, targetMs: LIST_P99_TARGET_MS, met: s.latencyMs.p99 <= LIST_P99_TARGET_MS })),
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    log(`Limite de temps globale atteinte (${RUN_TIMEOUT_MS / 60_000} min) : arrêt.`);
    killAll();
    process.exit(1);
  }, RUN_TIMEOUT_MS);
  watchdog.unref();

  const requested = (process.env['BENCH_DIALECTS'] ?? 'sqlite,postgres').split(',').map((d) => d.trim());
  const dialects: Dialect[] = [];
  if (requested.includes('sqlite')) dialects.push('sqlite');
  if (requested.includes('postgres')) {
    if (PG_URL) dialects.push('postgres');
    else log('PostgreSQL ignoré : définissez BENCH_DATABASE_URL (ou TEST_DATABASE_URL), par ex. postgres://postgres@127.0.0.1:5432/test');
  }
  if (PG_URL) {
    const host = new URL(PG_URL).hostname;
    if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`Le banc d’essai ne vise que la machine locale : ${host} refusé.`);
  }

  const m = machine();
  log(`Machine : ${m.cpu}, ${m.cores} cœurs, ${m.memoryGiB} Gio, Node ${m.node}, ${m.os}`);
  log(`Réglages : ${CASES.toLocaleString('fr-FR')} dossiers (${sizeLabel(CASES)}), ${settings.durationSeconds} s par scénario, ${settings.warmupSeconds} s d’échauffement, ${settings.connections} connexions`);

  const reports: DialectReport[] = [];
  for (const dialect of dialects) {
    const started = Date.now();
    log(`=== ${dialect} ===`);
    const report = await benchDialect(dialect);
    reports.push(report);
    if (report.ok) {
      const file = writeReport(RESULTS_DIR, report, DEFAULT_CASES, sizeLabel(CASES));
      log(`résultats : ${path.relative(ROOT, file)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    } else {
      log(`${dialect} : des requêtes ont échoué, résultats NON écrits.`);
    }
  }
  fs.rmSync(WORK_DIR, { recursive: true, force: true });

  console.log('');
  console.log(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}`);
  console.log('Caveat: load generator, servers and database share this machine; on a shared 2-core VM figures are noisy (±20 % between runs is common). Compare ratios, not absolutes.');
  for (const report of reports) {
    console.log('');
    console.log(renderTable(report));
  }
  const failed = reports.filter((r) => !r.ok);
  if (failed.length > 0) {
    console.error(`\nÉCHEC : requêtes en erreur ou non-2xx sur ${failed.map((r) => r.dialect).join(', ')}.`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(`\nÉCHEC du banc d’essai : ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killAll();
    process.exit(1);
  },
);
