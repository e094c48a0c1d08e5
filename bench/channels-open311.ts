/**
 * `node bin/run-ts.js bench/channels-open311.ts`: Open311 POSTs per second on SQLite. A street-
 * report application posts form-encoded GeoReport v2 requests (api_key, service_code, lat/long,
 * description, attribute[code]) to `guichet serve`; each one records its receipt and creates a
 * case through the intake (journal, outbox, routing, workflow) in one transaction.
 *
 * Two floors are measured in the same run, as child processes like Guichet: a bare Fastify route
 * answering a constant (the HTTP stack alone), and bench/floor-server.ts's POST /floor (one insert
 * into the same SQLite file, WAL + synchronous=FULL: the cost of one durable commit).
 *
 * The demo commune is installed in a fresh DATA_DIR by `guichet seed --demo` (migrations
 * included). Environment: BENCH_DURATION (s per scenario, default 10), BENCH_CONNECTIONS
 * (default 10), BENCH_WARMUP (s, default 3).
 */
import fs from 'node:fs';
import path from 'node:path';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { openDatabase } from '../src/db/database.js';
import { createToken } from '../src/tokens/service.js';
import { CACHE_DIR } from './lib/datasets.js';
import { isClean, measure, type LoadSettings, type ScenarioResult } from './lib/load.js';
import { killAll, ROOT, runScript, startServer } from './lib/processes.js';
import { intEnv } from './lib/env.js';

/** Re-run as a child with this flag, the script is the constant floor server. */
const CONSTANT_FLOOR = '--constant-floor';


const settings: LoadSettings = {
  durationSeconds: intEnv('BENCH_DURATION', 10),
  connections: intEnv('BENCH_CONNECTIONS', 10),
  warmupSeconds: intEnv('BENCH_WARMUP', 3),
};
const WORK_DIR = path.join(CACHE_DIR, 'channels-open311');
const log = (message: string) => process.stdout.write(`[bench open311 ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function constantFloor(): Promise<void> {
  const app = Fastify({ logger: false });
  // The form is parsed as Guichet parses it: the floor includes reading the body, not the work on it.
  await app.register(formbody);
  app.post('/floor/constant', async (_request, reply) => reply.status(201).send([{ service_request_id: '2026-000001', token: 'x' }]));
  app.get('/readyz', async () => ({ status: 'ready' }));
  await app.listen({ port: Number(process.env['PORT'] ?? 3002), host: process.env['HOST'] ?? '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/** An Open311 key for the bench's application, written to the seeded database. */
async function openKey(): Promise<string> {
  const db = openDatabase({ url: '', sqliteFile: path.join(WORK_DIR, 'guichet.db') });
  try {
    const org = await db.kysely.selectFrom('organisations').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
    return (await createToken(db.kysely, org.id, 'Banc Open311', ['open311'])).token;
  } finally {
    await db.close();
  }
}

const CATEGORIES = ['nid_de_poule', 'tag', 'autre'];

/** A different report each time: a point around the demo commune, a category, a description. */
function reportBody(apiKey: string, i: number): string {
  return new URLSearchParams({
    api_key: apiKey,
    service_code: 'voirie',
    lat: (47.38 + (i % 100) / 10_000).toFixed(6),
    long: (0.68 + (i % 37) / 10_000).toFixed(6),
    description: `Signalement de banc d’essai numéro ${i} : trou dans la chaussée devant le numéro ${i % 90}.`,
    'attribute[categorie]': CATEGORIES[i % CATEGORIES.length]!,
    'attribute[danger]': i % 5 === 0 ? 'true' : 'false',
  }).toString();
}

async function main(): Promise<void> {
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const env = { DATA_DIR: WORK_DIR, DATABASE_URL: '', LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:3000', SESSION_SECRET: 'banc-d-essai-secret-de-session-32-caracteres' };
  log('installation de la commune de démonstration (migrations comprises)…');
  await runScript(['bin/guichet.js', 'seed', '--demo'], env, 10 * 60_000);
  const apiKey = await openKey();

  const constant = await startServer('constant floor', ['bin/run-ts.js', 'bench/channels-open311.ts', CONSTANT_FLOOR], env);
  const floor = await startServer('floor', ['bin/run-ts.js', 'bench/floor-server.ts'], env);
  const guichet = await startServer('guichet', ['bin/guichet.js', 'serve', '--role', 'web'], env);
  const results: ScenarioResult[] = [];
  try {
    let i = 0;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const scenarios = [
      { name: 'floor: constant answer', url: constant.url, method: 'POST' as const, headers: form, path: () => '/floor/constant', body: () => reportBody('x', i++) },
      { name: 'floor: one insert', url: floor.url, method: 'POST' as const, headers: { 'content-type': 'application/json' }, path: () => '/floor', body: () => JSON.stringify({ note: `n${i++}` }) },
      { name: 'Open311 POST requests.json', url: guichet.url, method: 'POST' as const, headers: form, path: () => '/open311/v2/requests.json', body: () => reportBody(apiKey, i++) },
    ];
    for (const spec of scenarios) {
      log(`${spec.name}…`);
      results.push(await measure(spec, settings));
    }
  } finally {
    await guichet.stop();
    await floor.stop();
    await constant.stop();
  }
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | check |`,
    `|---|--:|--:|--:|---|`,
    ...results.map((r) => `| ${r.name} | ${r.reqPerSec.toFixed(1)} | ${r.latencyMs.p50.toFixed(2)} | ${r.latencyMs.p99.toFixed(2)} | ${isClean(r) ? 'ok' : `FAIL ${JSON.stringify(r.statusCodes)} ${r.failures.join(' ')}`} |`),
  ];
  console.log(`\n${settings.connections} connections, ${settings.durationSeconds} s per scenario (+${settings.warmupSeconds} s warm-up), SQLite\n\n${lines.join('\n')}\n`);
  const file = path.join(ROOT, 'bench', 'results', 'channels-open311-sqlite.json');
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), settings, results }, null, 2)}\n`);
  log(`résultats : ${path.relative(ROOT, file)}`);
  if (!results.every(isClean)) process.exitCode = 1;
}

if (process.argv.includes(CONSTANT_FLOOR)) {
  await constantFloor();
} else {
  main()
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    })
    .finally(killAll);
}
