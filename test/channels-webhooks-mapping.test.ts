import { describe, expect, it } from 'vitest';
import { applyMapping, checkMapping, type MappingDefinition } from '../src/channels/webhooks/mapping.js';
import { sign, verifySignature } from '../src/channels/webhooks/signature.js';

function definition(raw: unknown): MappingDefinition {
  const checked = checkMapping(raw);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.definition;
}

describe('checkMapping', () => {
  it('reads nested and dotted keys alike', () => {
    expect(definition({ author: { name: 'a.n' }, 'location.lat': 'p.lat', text: 't' })).toEqual({ 'author.name': 'a.n', 'location.lat': 'p.lat', text: 't' });
  });

  it('refuses unknown keys, non-string expressions, expressions that do not compile, and a mapping without text nor data', () => {
    const checked = checkMapping({ text: '$substring(', author: { pseudo: 'x' }, subject: 3 });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors.map((e) => [e.field, e.code])).toEqual([
      ['mapping.text', 'invalid_expression'],
      ['mapping.author.pseudo', 'unknown_key'],
      ['mapping.subject', 'invalid'],
    ]);
    expect(checkMapping({ subject: 'title' })).toMatchObject({ ok: false, errors: [{ field: 'mapping.text', code: 'required' }] });
    expect(checkMapping([])).toMatchObject({ ok: false, errors: [{ field: 'mapping', code: 'invalid' }] });
  });
});

describe('applyMapping', () => {
  it('types what the expressions give: numeric strings, unix seconds, a single attachment URL, blanks as absent', async () => {
    const result = await applyMapping(
      definition({ text: 'msg', 'location.lat': 'lat', 'location.lon': 'lon', receivedAt: 'ts', attachments: 'photo', 'author.email': 'mail', data: '{}' }),
      { msg: '  Bonjour  ', lat: '47.39', lon: 0.69, ts: 1764325800, photo: 'https://cdn.example/p.jpg', mail: '' },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        author: { name: null, email: null, phone: null, externalId: null },
        text: 'Bonjour',
        subject: null,
        location: { lat: 47.39, lon: 0.69 },
        attachments: [{ url: 'https://cdn.example/p.jpg', filename: null, mimeType: null }],
        sourceUrl: null,
        procedure: null,
        receivedAt: '2025-11-28T10:30:00.000Z',
        deliveryId: null,
        data: {},
      },
    });
  });

  it('collects every problem in French: wrong types, non-http URLs, too many attachments, a data that is not an object', async () => {
    const result = await applyMapping(definition({ text: 'items', sourceUrl: "'javascript:alert(1)'", attachments: 'urls', data: "'texte'", receivedAt: "'hier'" }), {
      items: ['a', 'b'],
      urls: ['https://a/1', 'https://a/2', 'https://a/3', 'https://a/4', 'https://a/5', 'https://a/6'],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual(['receivedAt', 'data', 'text', 'attachments', 'sourceUrl']);
    expect(result.errors.find((e) => e.field === 'text')?.message).toBe('« text » doit être un texte, l’expression a donné une liste.');
    expect(result.errors.find((e) => e.field === 'attachments')?.message).toBe('Au plus 5 pièces jointes par envoi.');
  });

  it('stops an expression that runs too long (time budget) or builds a huge list, without stalling', async () => {
    const started = Date.now();
    const slow = await applyMapping(definition({ text: '$string($sum([1..2000].($sum([1..2000].($ * 2)))))' }), {});
    expect(Date.now() - started).toBeLessThan(5000);
    expect(slow).toMatchObject({ ok: false, errors: [{ field: 'mapping.text', code: 'evaluation_failed', message: 'L’expression de « text » a échoué : l’évaluation a dépassé le temps permis.' }] });
    const huge = await applyMapping(definition({ text: '$string($count([1..10000000].($ * 2)))' }), {});
    expect(huge).toMatchObject({ ok: false, errors: [{ message: 'L’expression de « text » a échoué : l’expression produit une liste trop longue.' }] });
  });
});

describe('signatures', () => {
  const scheme = { secret: 's3cret', signatureHeader: 'X-Guichet-Signature', signatureFormat: 'timestamp.body' as const, timestampHeader: 'X-Guichet-Timestamp' };
  const body = Buffer.from('{"a":1}');

  it('verifies Guichet’s scheme with lower-cased header names (as Node delivers them), and a bare hex digest', () => {
    const signature = sign('s3cret', 'timestamp.body', body, '1000');
    expect(verifySignature(scheme, { 'x-guichet-signature': signature, 'x-guichet-timestamp': '1000' }, body, 1000)).toBeNull();
    expect(verifySignature(scheme, { 'x-guichet-signature': signature.slice('sha256='.length).toUpperCase(), 'x-guichet-timestamp': '1000' }, body, 1010)).toBeNull();
  });

  it('refuses a changed body, a changed timestamp, a missing header, a stale or malformed timestamp', () => {
    const signature = sign('s3cret', 'timestamp.body', body, '1000');
    expect(verifySignature(scheme, { 'x-guichet-signature': signature, 'x-guichet-timestamp': '1000' }, Buffer.from('{"a":2}'), 1000)).toBe('signature_invalid');
    expect(verifySignature(scheme, { 'x-guichet-signature': signature, 'x-guichet-timestamp': '1001' }, body, 1000)).toBe('signature_invalid');
    expect(verifySignature(scheme, { 'x-guichet-timestamp': '1000' }, body, 1000)).toBe('signature_missing');
    expect(verifySignature(scheme, { 'x-guichet-signature': signature }, body, 1000)).toBe('timestamp_missing');
    expect(verifySignature(scheme, { 'x-guichet-signature': signature, 'x-guichet-timestamp': '1000' }, body, 1301)).toBe('timestamp_stale');
    const odd = sign('s3cret', 'timestamp.body', body, '1e3');
    expect(verifySignature(scheme, { 'x-guichet-signature': odd, 'x-guichet-timestamp': '1e3' }, body, 1000)).toBe('timestamp_stale');
  });

  it('verifies a GitHub-like signature over the body alone', () => {
    const hub = { secret: 'k', signatureHeader: 'X-Hub-Signature-256', signatureFormat: 'body' as const, timestampHeader: null };
    // GitHub's documented test vector for X-Hub-Signature-256.
    const github = Buffer.from('Hello, World!');
    expect(sign("It's a Secret to Everybody", 'body', github, null)).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    const expected = sign('k', 'body', body, null);
    expect(verifySignature(hub, { 'x-hub-signature-256': expected }, body, 0)).toBeNull();
    expect(verifySignature(hub, { 'x-hub-signature-256': sign('autre', 'body', body, null) }, body, 0)).toBe('signature_invalid');
  });
});
