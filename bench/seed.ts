/**
 * Seeds one benchmark dataset (the demo commune + BENCH_SEED_CASES historical cases) and marks it
 * complete. Run as a child process by bench/run.ts, under a time limit:
 *
 *   BENCH_SEED_CASES=N BENCH_SEED_SQLITE_DIR=dir            node bin/run-ts.js bench/seed.ts
 *   BENCH_SEED_CASES=N BENCH_SEED_PG_URL=url BENCH_SEED_PG_SCHEMA=s node bin/run-ts.js bench/seed.ts
 *
 * The PostgreSQL schema is dropped and recreated first; the SQLite directory must be empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seedDemoCommune } from '../src/demo/commune.js';
import { seedHistoricalCases } from '../src/demo/history.js';
import { codeFingerprint, SQLITE_MARKER, withPgClient, type DatasetInfo } from './lib/datasets.js';

const env = process.env;
const cases = Number(env['BENCH_SEED_CASES']);
if (!Number.isInteger(cases) || cases < 0) throw new Error('BENCH_SEED_CASES attendu');
const sqliteDir = env['BENCH_SEED_SQLITE_DIR'];
const pgUrl = env['BENCH_SEED_PG_URL'];
const pgSchema = env['BENCH_SEED_PG_SCHEMA'];

let db: Db;
if (sqliteDir) {
  fs.mkdirSync(sqliteDir, { recursive: true });
  db = openDatabase({ url: '', sqliteFile: path.join(sqliteDir, 'guichet.db') });
} else if (pgUrl && pgSchema) {
  if (!/^[a-z_][a-z0-9_]*$/.test(pgSchema)) throw new Error(`Nom de schéma invalide : ${pgSchema}`);
  await withPgClient(pgUrl, async (client) => {
    await client.query(`drop schema if exists ${pgSchema} cascade`);
    await client.query(`create schema ${pgSchema}`);
  });
  db = openDatabase({ url: pgUrl, schema: pgSchema, poolSize: 4 });
} else {
  throw new Error('BENCH_SEED_SQLITE_DIR ou BENCH_SEED_PG_URL + BENCH_SEED_PG_SCHEMA attendus');
}

const fingerprint = codeFingerprint();
const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
try {
  await migrateToLatest(db);
  const summary = await seedDemoCommune(db);
  console.log(`  commune de démonstration installée (${elapsed()} s)`);
  let lastPrint = 0;
  await seedHistoricalCases(db, summary.organisationId, cases, {
    onProgress: (done) => {
      if (done === cases || Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        const seconds = (Date.now() - started) / 1000;
        console.log(`  ${done.toLocaleString('fr-FR')} / ${cases.toLocaleString('fr-FR')} dossiers (${seconds.toFixed(0)} s)`);
      }
    },
  });
  const seedSeconds = (Date.now() - started) / 1000;
  console.log(`  ${cases.toLocaleString('fr-FR')} dossiers générés en ${seedSeconds.toFixed(1)} s`);
  const info: DatasetInfo = {
    cases,
    seededAt: new Date().toISOString(),
    seedSeconds: Math.round(seedSeconds * 10) / 10,
    organisationId: summary.organisationId,
    departments: summary.departments,
    procedures: summary.procedures,
    codeFingerprint: fingerprint,
  };
  if (db.dialect === 'sqlite') {
    // Everything into the main file, so that the cache is that one file.
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db.kysely);
    await db.close();
    fs.writeFileSync(path.join(sqliteDir!, SQLITE_MARKER), `${JSON.stringify(info, null, 2)}\n`);
  } else {
    // What autovacuum would do shortly after a bulk load, done now so that plans do not depend on its timing.
    const analyzeStarted = Date.now();
    await sql`analyze`.execute(db.kysely);
    console.log(`  ANALYZE en ${((Date.now() - analyzeStarted) / 1000).toFixed(1)} s`);
    await sql`create table bench_dataset (info text not null)`.execute(db.kysely);
    await sql`insert into bench_dataset (info) values (${JSON.stringify(info)})`.execute(db.kysely);
    await db.close();
  }
} catch (error) {
  await db.close().catch(() => {});
  throw error;
}
