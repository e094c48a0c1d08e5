/**
 * The floor of the intake benchmark: a bare Fastify 5 server whose one route does ONE insert into
 * a small table of the same database as Guichet (same SQLite file through the same `openDatabase`,
 * so WAL + synchronous=FULL; or the same PostgreSQL database and schema, default commit) and
 * answers 201. Whatever the intake costs beyond this is Guichet's own work.
 *
 * Configured like `guichet serve`: PORT, HOST, DATA_DIR, DATABASE_URL, DATABASE_POOL_SIZE.
 *   node bin/run-ts.js bench/floor-server.ts
 */
import path from 'node:path';
import Fastify from 'fastify';
import { sql, type Generated } from 'kysely';
import { openDatabase } from '../src/db/database.js';

interface FloorTable {
  id: Generated<number>;
  note: string;
  created_at: string;
}

const env = process.env;
const dataDir = path.resolve(env['DATA_DIR'] ?? './data');
const db = openDatabase({
  url: env['DATABASE_URL'] ?? '',
  sqliteFile: path.join(dataDir, 'guichet.db'),
  poolSize: Number(env['DATABASE_POOL_SIZE'] ?? 10),
});
const kysely = db.kysely.withTables<{ bench_floor: FloorTable }>();

await kysely.schema
  .createTable('bench_floor')
  .ifNotExists()
  .addColumn('id', db.dialect === 'postgres' ? 'serial' : 'integer', (c) => c.primaryKey())
  .addColumn('note', 'text', (c) => c.notNull())
  .addColumn('created_at', 'text', (c) => c.notNull())
  .execute();

const app = Fastify({ logger: false });

app.post<{ Body: { note?: unknown } }>('/floor', async (request, reply) => {
  const note = typeof request.body?.note === 'string' ? request.body.note : '';
  const row = await kysely
    .insertInto('bench_floor')
    .values({ note, created_at: new Date().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return reply.status(201).send({ id: row.id });
});

/**
 * The floor of the portal pages: one indexed read, then a fixed HTML page of the size of a real
 * portal page (about 12 KB). Whatever a portal page costs beyond this is rendering and queries.
 */
const FLOOR_PAGE = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Plancher</title></head><body><main>${'<p>Démarches en ligne de la commune : état civil, voirie, enfance, urbanisme.</p>'.repeat(150)}</main></body></html>`;
app.get('/floor/page', async (_request, reply) => {
  await kysely.selectFrom('bench_floor').select('id').where('id', '=', 1).executeTakeFirst();
  return reply.type('text/html; charset=utf-8').send(FLOOR_PAGE);
});

app.get('/readyz', async () => {
  await sql`select 1`.execute(kysely);
  return { status: 'ready' };
});

await app.listen({ port: Number(env['PORT'] ?? 3001), host: env['HOST'] ?? '127.0.0.1' });

const shutdown = async () => {
  await app.close();
  await db.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
