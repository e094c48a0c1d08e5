/**
 * The seeded databases the benchmark runs on, cached because a million cases take minutes to
 * generate:
 *
 * - SQLite: `bench/.cache/sqlite-<size>/guichet.db` plus `complete.json`, written last (after a
 *   WAL checkpoint) so that a seed interrupted half-way is never mistaken for a complete one. Each
 *   run works on a fresh copy in `bench/.cache/work-sqlite/`, so the cache never grows.
 * - PostgreSQL: schema `bench_<size>` with a one-row table `bench_dataset`, written last in the
 *   seeding. The run works in that schema directly: intake writes make it grow by a few thousand
 *   cases per run, which is negligible next to a million (reseed with BENCH_RESEED=1 if wanted).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from './processes.js';

export const CACHE_DIR = path.join(ROOT, 'bench', '.cache');

export interface DatasetInfo {
  cases: number;
  seededAt: string;
  seedSeconds: number;
  organisationId: number;
  departments: Record<string, number>;
  procedures: Record<string, number>;
  /** Hash of the code that shaped the data (demo generators, migrations, bulk writes). */
  codeFingerprint?: string;
}

/** Sources whose change may make a cached dataset differ from a fresh seed. */
const SEED_SOURCES = ['src/demo', 'src/db/migrations', 'src/db/migrate.ts', 'src/cases/bulk-repository.ts'];

function filesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [entry];
  return fs
    .readdirSync(full)
    .sort()
    .flatMap((name) => filesUnder(path.join(entry, name)))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
}

export function codeFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of SEED_SOURCES.flatMap(filesUnder)) hash.update(file).update('\0').update(fs.readFileSync(path.join(ROOT, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** 1000000 → "1m", 20000 → "20k". */
export function sizeLabel(cases: number): string {
  if (cases >= 1_000_000 && cases % 1_000_000 === 0) return `${cases / 1_000_000}m`;
  if (cases >= 1_000 && cases % 1_000 === 0) return `${cases / 1_000}k`;
  return String(cases);
}

export const sqliteCacheDir = (cases: number) => path.join(CACHE_DIR, `sqlite-${sizeLabel(cases)}`);
export const SQLITE_MARKER = 'complete.json';
export const postgresSchema = (cases: number) => `bench_${sizeLabel(cases)}`;

export function readSqliteMarker(dir: string): DatasetInfo | undefined {
  const marker = path.join(dir, SQLITE_MARKER);
  if (!fs.existsSync(marker) || !fs.existsSync(path.join(dir, 'guichet.db'))) return undefined;
  return JSON.parse(fs.readFileSync(marker, 'utf8')) as DatasetInfo;
}

/** A connection string whose sessions use `schema`: node-postgres passes `options` to the server. */
export function urlWithSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  // URLSearchParams writes spaces as "+", which libpq-style parsers do not all decode: use %20.
  return u.toString().replace(/options=[^&]*/, `options=${encodeURIComponent(`-c search_path=${schema}`)}`);
}

export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function readPostgresMarker(url: string, schema: string): Promise<DatasetInfo | undefined> {
  return withPgClient(url, async (client) => {
    const exists = await client.query<{ n: string }>(
      `select count(*) as n from information_schema.tables where table_schema = $1 and table_name = 'bench_dataset'`,
      [schema],
    );
    if (Number(exists.rows[0]?.n ?? 0) === 0) return undefined;
    const row = await client.query<{ info: string }>(`select info from ${schema}.bench_dataset limit 1`);
    const info = row.rows[0]?.info;
    return info ? (JSON.parse(info) as DatasetInfo) : undefined;
  });
}
