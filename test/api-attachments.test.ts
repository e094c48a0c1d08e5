import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import { testApp } from './app.js';
import { freshDb } from './db.js';
import { makeCommune } from './factories.js';

let db: Db;
let app: App;
let commune: Awaited<ReturnType<typeof makeCommune>>;

// The first bytes are what counts: file-type recognises these signatures whatever the name says.
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), Buffer.alloc(64, 1)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

beforeAll(async () => {
  db = await freshDb();
  commune = await makeCommune(db);
  app = await testApp(db, { ATTACHMENT_MAX_BYTES: '4096' });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

function upload(bytes: Buffer, token: string | null = commune.tokens.write, contentType = 'application/octet-stream', filename = 'photo.png') {
  return app.inject({
    method: 'POST',
    url: `/api/v1/attachments?filename=${encodeURIComponent(filename)}`,
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: bytes,
  });
}

function report(photo: string[]) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: { authorization: `Bearer ${commune.tokens.write}` },
    payload: { procedure: 'signalement-voirie', citizen: null, data: { categorie: 'eclairage', description: 'Lampadaire éteint', photo } },
  });
}

describe('POST /api/v1/attachments', () => {
  it('stores a file by content hash, typed from its bytes, then links it to the case citing it', async () => {
    const res = await upload(PNG, commune.tokens.write, 'image/png', '../../etc/passwd.png');
    expect(res.statusCode).toBe(201);
    const attachment = res.json();
    expect(attachment).toMatchObject({ mimeType: 'image/png', size: PNG.length, filename: 'passwd.png' });
    expect(attachment.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const created = await report([attachment.id]);
    expect(created.statusCode).toBe(201);
    const row = await db.kysely.selectFrom('attachments').selectAll().where('id', '=', attachment.id).executeTakeFirstOrThrow();
    const caseRow = await db.kysely.selectFrom('cases').select('id').where('reference', '=', created.json().reference).executeTakeFirstOrThrow();
    expect(row.case_id).toBe(caseRow.id);
    const journal = await app.inject({ url: `/api/v1/cases/${created.json().reference}/journal`, headers: { authorization: `Bearer ${commune.tokens.read}` } });
    expect(journal.json().items[0].payload.attachments).toEqual([attachment.id]);
  });

  it('keeps one copy on disk of identical files', async () => {
    const a = (await upload(PNG)).json();
    const b = (await upload(PNG)).json();
    expect(a.id).not.toBe(b.id);
    expect(a.sha256).toBe(b.sha256);
    const storage = app.ctx.storage;
    expect(fs.readFileSync(storage.pathOf(a.sha256)).equals(PNG)).toBe(true);
  });

  it('refuses a file whose bytes are not an accepted type, whatever its name', async () => {
    const res = await upload(Buffer.from('MZ this is an executable, not a photo'), commune.tokens.write, 'image/png', 'photo.png');
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('attachment_type_refused');
  });

  it('refuses an empty file and one over the size limit', async () => {
    expect((await upload(Buffer.alloc(0))).statusCode).toBe(400);
    const big = await upload(Buffer.concat([PNG, Buffer.alloc(5000)]));
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('payload_too_large');
  });

  it('requires a token with cases:write', async () => {
    expect((await upload(PNG, null)).statusCode).toBe(401);
    expect((await upload(PNG, commune.tokens.read)).statusCode).toBe(403);
  });

  it('refuses a case citing an attachment already used by another case', async () => {
    const { id } = (await upload(PNG)).json();
    expect((await report([id])).statusCode).toBe(201);
    const again = await report([id]);
    expect(again.statusCode).toBe(422);
    expect(again.json().errors[0]).toMatchObject({ field: 'data.photo', code: 'unknown_attachment' });
  });

  it('refuses a file type the form field does not accept, and writes nothing', async () => {
    const { id } = (await upload(PDF, commune.tokens.write, 'application/pdf', 'courrier.pdf')).json();
    const before = await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await report([id]);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'data.photo', code: 'attachment_type_refused' });
    const after = await db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const row = await db.kysely.selectFrom('attachments').select('case_id').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.case_id).toBeNull();
  });
});
