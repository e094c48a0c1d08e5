/**
 * `npm run bench:portal`: load-tests the citizen portal's pages on SQLite, as a citizen's browser
 * asks for them — the catalogue (home), a procedure page, « Mes demandes » of a citizen with 200
 * cases, and one of those case pages — next to a floor measured in the same run (a bare Fastify
 * page of the same size after one indexed read, bench/floor-server.ts).
 *
 * The demo commune is installed in a fresh DATA_DIR; the citizen's 200 cases go through the real
 * intake. Servers run as child processes on 127.0.0.1. Environment: BENCH_DURATION (s per
 * scenario, default 10), BENCH_CONNECTIONS (default 10), BENCH_WARMUP (s, default 3),
 * BENCH_PORTAL_CASES (default 200).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/db/database.js';
import { loadConfig } from '../src/config.js';
import { submitCase } from '../src/intake/service.js';
import { SESSION_COOKIE, VISITOR_COOKIE } from '../src/portal/session.js';
import { STREET_REPORT } from '../src/demo/procedures/street-reports.js';
import { createRng } from '../src/demo/prng.js';
import { CACHE_DIR } from './lib/datasets.js';
import { isClean, measure, type LoadSettings, type ScenarioResult, type ScenarioSpec } from './lib/load.js';
import { killAll, runScript, startServer } from './lib/processes.js';
import { ROOT } from './lib/processes.js';
import { intEnv } from './lib/env.js';


const settings: LoadSettings = {
  durationSeconds: intEnv('BENCH_DURATION', 10),
  connections: intEnv('BENCH_CONNECTIONS', 10),
  warmupSeconds: intEnv('BENCH_WARMUP', 3),
};
const CASES = intEnv('BENCH_PORTAL_CASES', 200);
const WORK_DIR = path.join(CACHE_DIR, 'portal');
const log = (message: string) => process.stdout.write(`[bench portal ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** A citizen with an account, a session and CASES street reports submitted through the intake. */
async function prepareCitizen(env: Record<string, string>) {
  const config = loadConfig(env);
  const db = openDatabase({ url: '', sqliteFile: path.join(WORK_DIR, 'guichet.db') });
  try {
    const org = await db.kysely.selectFrom('organisations').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const citizen = await db.kysely
      .insertInto('citizens')
      .values({ organisation_id: org.id, civility: 'Mme', birth_name: 'Banc', usage_name: null, first_names: 'Claire', birth_date: '1980-01-01', identity_assurance: 'declared', household_id: null, possible_duplicate_of: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const email = 'claire.banc@example.fr';
    await db.kysely.insertInto('citizen_emails').values({ citizen_id: citizen.id, email, is_primary: 1, verified_at: now }).execute();
    await db.kysely.insertInto('citizen_accounts').values({ citizen_id: citizen.id, organisation_id: org.id, email, password_hash: null, email_verified_at: now, created_at: now, updated_at: now }).execute();
    const rng = createRng(7);
    const references: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const data = STREET_REPORT.sample({ rng, today: now.slice(0, 10), citizen: null, children: [] });
      const { receipt } = await submitCase(
        { db, timezone: config.TIMEZONE, publicUrl: config.publicUrl },
        { organisationId: org.id, procedureSlug: STREET_REPORT.procedure.slug, channel: 'web', actor: { type: 'citizen', id: String(citizen.id) }, citizen: { email }, citizenId: citizen.id, data, hiddenFields: 'reject' },
      );
      references.push(receipt.reference);
    }
    const token = randomBytes(32).toString('base64url');
    await db.kysely
      .insertInto('portal_sessions')
      .values({ id: createHash('sha256').update(token).digest('base64url'), citizen_id: citizen.id, method: 'password', id_token: null, user_agent: 'bench', ip: '127.0.0.1', created_at: now, last_seen_at: now, expires_at: new Date(Date.now() + 4 * 3_600_000).toISOString() })
      .execute();
    const procedure = await db.kysely.selectFrom('procedures').select('slug').where('is_online', '=', 1).orderBy('id').limit(1).executeTakeFirstOrThrow();
    return { cookie: `${SESSION_COOKIE}=${token}; ${VISITOR_COOKIE}=${randomBytes(18).toString('base64url')}`, references, procedureSlug: procedure.slug };
  } finally {
    await db.close();
  }
}

const get = (name: string, url: string, pathOf: () => string, headers: Record<string, string> = {}): ScenarioSpec => ({
  name,
  url,
  method: 'GET',
  headers: { accept: 'text/html', 'accept-encoding': 'gzip', ...headers },
  path: pathOf,
});

async function main(): Promise<void> {
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const env = { DATA_DIR: WORK_DIR, DATABASE_URL: '', LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:3000', SESSION_SECRET: 'banc-d-essai-secret-de-session-32-caracteres' };
  log('installation de la commune de démonstration…');
  await runScript(['bin/guichet.js', 'seed', '--demo'], env, 10 * 60_000);
  log(`${CASES} demandes d’une usagère, par l’intake…`);
  const { cookie, references, procedureSlug } = await prepareCitizen(env);

  const floor = await startServer('floor', ['bin/run-ts.js', 'bench/floor-server.ts'], env);
  const guichet = await startServer('guichet', ['bin/guichet.js', 'serve', '--role', 'web'], env);
  const results: ScenarioResult[] = [];
  try {
    await fetch(`${floor.url}/floor`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"note":"x"}' });
    let i = 0;
    const scenarios = [
      get('floor (1 read + 12 KB page)', floor.url, () => '/floor/page'),
      get('catalogue (home)', guichet.url, () => '/'),
      get('procedure page', guichet.url, () => `/demarches/${procedureSlug}`),
      get(`« Mes demandes » (${CASES} cases)`, guichet.url, () => '/mes-demandes', { cookie }),
      get('case page', guichet.url, () => `/demandes/${references[i++ % references.length]}`, { cookie }),
    ];
    for (const spec of scenarios) {
      log(`${spec.name}…`);
      results.push(await measure(spec, settings));
    }
  } finally {
    await guichet.stop();
    await floor.stop();
  }
  const floorRate = results[0]!.reqPerSec;
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | ÷ floor | check |`,
    `|---|--:|--:|--:|--:|---|`,
    ...results.map((r) => `| ${r.name} | ${r.reqPerSec.toFixed(1)} | ${r.latencyMs.p50.toFixed(2)} | ${r.latencyMs.p99.toFixed(2)} | ${((r.reqPerSec / floorRate) * 100).toFixed(1)} % | ${isClean(r) ? 'ok' : `FAIL ${JSON.stringify(r.statusCodes)} ${r.failures.join(' ')}`} |`),
  ];
  console.log(`\n${settings.connections} connections, ${settings.durationSeconds} s per scenario (+${settings.warmupSeconds} s warm-up), SQLite\n\n${lines.join('\n')}\n`);
  const file = path.join(ROOT, 'bench', 'results', 'portal-sqlite.json');
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), settings, cases: CASES, results }, null, 2)}\n`);
  log(`résultats : ${path.relative(ROOT, file)}`);
  if (!results.every(isClean)) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(killAll);
