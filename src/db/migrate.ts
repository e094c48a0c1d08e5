import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { Migrator, sql } from 'kysely';
import type { Db, Dialect } from './database.js';
import * as m001 from './migrations/001_core.js';
import * as m002 from './migrations/002_workflows.js';
import * as m003 from './migrations/003_jobs.js';
import * as m004 from './migrations/004_case_filters.js';
import * as m005 from './migrations/005_portal.js';
import * as m006 from './migrations/006_backoffice.js';
import * as m007 from './migrations/007_case_search.js';
import * as m009 from './migrations/009_citizens.js';
import * as m010 from './migrations/010_agent_auth.js';
import * as m011 from './migrations/011_dashboard_indexes.js';
import * as m012 from './migrations/012_open_status_index.js';
import * as m013 from './migrations/013_channels.js';
import * as m014 from './migrations/014_email.js';
import * as m015 from './migrations/015_sms.js';
import * as m016 from './migrations/016_phone.js';
import * as m017 from './migrations/017_open311.js';
import * as m018 from './migrations/018_webhooks.js';
import * as m019 from './migrations/019_email_imap.js';
import * as m020 from './migrations/020_open_case_search.js';
import * as m021 from './migrations/021_open_case_search_scope.js';
import * as m022 from './migrations/022_open_assigned_index.js';
import * as m023 from './migrations/023_contact_provenance.js';
import * as m024 from './migrations/024_rate_limits.js';
import * as m025 from './migrations/025_citizen_merge_undo.js';
import * as m027 from './migrations/027_api_access_log.js';
import * as m028 from './migrations/028_public_reports.js';

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Migrations in order. Each receives the dialect so one file serves SQLite and PostgreSQL. */
const migrations: Record<string, DialectMigration> = {
  '001_core': m001,
  '002_workflows': m002,
  '003_jobs': m003,
  '004_case_filters': m004,
  '005_portal': m005,
  '006_backoffice': m006,
  '007_case_search': m007,
  '009_citizens': m009,
  '010_agent_auth': m010,
  '011_dashboard_indexes': m011,
  '012_open_status_index': m012,
  '013_channels': m013,
  '014_email': m014,
  '015_sms': m015,
  '016_phone': m016,
  '017_open311': m017,
  '018_webhooks': m018,
  '019_email_imap': m019,
  '020_open_case_search': m020,
  '021_open_case_search_scope': m021,
  '022_open_assigned_index': m022,
  '023_contact_provenance': m023,
  '024_rate_limits': m024,
  '025_citizen_merge_undo': m025,
  '027_api_access_log': m027,
  '028_public_reports': m028,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, this.dialect) }]),
    );
  }
}

/** Brings the schema to the latest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // On PostgreSQL, Kysely looks for its bookkeeping table in every schema it can see: name ours,
  // or a database holding several Guichet schemas (tests, bench) would skip migrations.
  const migrationTableSchema = db.dialect === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(db.dialect),
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  let { error, results = [] } = await migrator.migrateToLatest();
  // Kysely's introspection reads every schema of the database (`has_schema_privilege` on each),
  // and fails when another process drops one at that instant — test files and benches create and
  // drop their own. Nothing was migrated then (PostgreSQL runs the migrations in one transaction):
  // it is tried again.
  for (let attempt = 1; attempt < 4 && error && droppedMeanwhile(error, migrationTableSchema); attempt++) {
    ({ error, results = [] } = await migrator.migrateToLatest());
  }
  const failed = results.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`La migration ${failed?.migrationName ?? ''} a échoué : ${String((error as Error).message ?? error)}`, {
      cause: error,
    });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** « schema … does not exist » (3F000) about a schema other than ours. */
function droppedMeanwhile(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '3F000' && ours !== undefined && !String(e.message).includes(`"${ours}"`);
}

async function currentSchema(db: Db): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely);
  return rows[0]?.schema ?? 'public';
}
