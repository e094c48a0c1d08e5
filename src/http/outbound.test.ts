/**
 * The outbound guard against real servers on 127.0.0.1: the "internal" target every attack aims
 * at. Refused by default; reachable only once allowlisted. Names are resolved by the system
 * resolver (`localhost`) or by a dns.lookup-compatible resolver answering a chosen address.
 */
import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundClient, OutboundRefused, parseCidrs, type Resolver } from './outbound.js';

let server: http.Server;
let port: number;
/** Every request the internal server received: an attack that reaches it shows up here. */
const hits: { path: string; host: string | undefined }[] = [];
let connections = 0;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    hits.push({ path: request.url ?? '', host: request.headers.host });
    if (request.url === '/secret') return void response.writeHead(200).end('secret interne');
    if (request.url === '/vers-metadonnees') return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (request.url === '/vers-local') return void response.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
    if (request.url === '/vers-ipv6') return void response.writeHead(307, { location: `http://[::ffff:127.0.0.1]:${port}/secret` }).end();
    if (request.url === '/gros') return void response.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
    if (request.url === '/flot') {
      response.writeHead(200);
      for (let i = 0; i < 10; i += 1) response.write(Buffer.alloc(1000));
      return void response.end();
    }
    if (request.url === '/lent') return void setTimeout(() => response.writeHead(200).end('trop tard'), 2000).unref();
    if (request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      return void request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body })));
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('bonjour');
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A resolver answering these addresses for any name, counting its calls. */
function resolverTo(...addresses: string[]): Resolver & { calls: number } {
  const resolver = Object.assign(
    (_hostname: string, _options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
      resolver.calls += 1;
      setImmediate(() => callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))));
    },
    { calls: 0 },
  );
  return resolver;
}

const options = { timeoutMs: 1000, maxBytes: 1024 * 1024 };

async function refusal(client: OutboundClient, url: string): Promise<OutboundRefused> {
  const error: unknown = await client.request(url, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundRefused);
  return error as OutboundRefused;
}

describe('which addresses are refused', () => {
  const guard = new OutboundClient();
  it.each([
    '127.0.0.1', '127.1.2.3', '0.0.0.0', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.10', '169.254.169.254', '100.64.0.1', '224.0.0.1',
    '255.255.255.255', '192.0.2.1', '198.18.0.1', '::1', '::', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::127.0.0.1', '64:ff9b::a9fe:a9fe',
    '64:ff9b:1::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fec0::1', 'ff02::1', '2001:db8::1', '2001::1', '2002:7f00:1::1', '100::1',
  ])('refuses %s', (address) => {
    expect(guard.refusalOf(address)).toContain('adresse interne ou réservée refusée');
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2a01:cb00::1', '::ffff:8.8.8.8', '64:ff9b::808:808'])('lets %s through', (address) => {
    expect(guard.refusalOf(address)).toBeNull();
  });

  it('lets the operator’s allowlist through, in either IPv4 form, and nothing next to it', () => {
    const allowing = new OutboundClient(parseCidrs('10.20.0.0/16, 192.168.1.10, fd00:1::/32'));
    expect(allowing.refusalOf('10.20.3.4')).toBeNull();
    expect(allowing.refusalOf('::ffff:10.20.3.4')).toBeNull();
    expect(allowing.refusalOf('192.168.1.10')).toBeNull();
    expect(allowing.refusalOf('fd00:1::5')).toBeNull();
    expect(allowing.refusalOf('10.21.0.1')).not.toBeNull();
    expect(allowing.refusalOf('192.168.1.11')).not.toBeNull();
    expect(allowing.refusalOf('127.0.0.1')).not.toBeNull();
  });

  it('parses the allowlist strictly', () => {
    expect(parseCidrs('')).toEqual([]);
    expect(parseCidrs('10.20.0.0/16,192.168.1.10/32,::1')).toEqual(['10.20.0.0/16', '192.168.1.10/32', '::1/128']);
    for (const bad of ['10.20.0.0/33', 'intranet.mairie', '10.20.0.0/', '10.20.0.0/x', '::1/129']) expect(() => parseCidrs(bad)).toThrow('n’est pas une adresse IP ou un bloc CIDR');
  });
});

describe('requests to the internal server on 127.0.0.1', () => {
  it('refuses it by default, by address, by IPv6 forms and by a name that resolves to it, before any connection', async () => {
    const guard = new OutboundClient();
    const before = connections;
    for (const url of [
      `http://127.0.0.1:${port}/secret`,
      `http://[::1]:${port}/secret`,
      `http://0.0.0.0:${port}/secret`,
      `http://[::ffff:127.0.0.1]:${port}/secret`,
      `http://[::ffff:7f00:1]:${port}/secret`,
      `http://2130706433:${port}/secret`,
      `http://0x7f.1:${port}/secret`,
      'http://169.254.169.254/latest/meta-data/',
      `http://localhost:${port}/secret`,
    ]) {
      expect((await refusal(guard, url)).reason).toBe('address');
    }
    expect(connections).toBe(before);
    expect(hits.filter((h) => h.path === '/secret')).toEqual([]);
  });

  it('refuses a name the resolver maps to 10.0.0.1 — or to a public and an internal address — without connecting', async () => {
    const toPrivate = resolverTo('10.0.0.1');
    const error = await refusal(new OutboundClient([], toPrivate), 'http://partenaire.example/hook');
    expect(error.message).toBe('partenaire.example : adresse interne ou réservée refusée (10.0.0.1) ; pour un service de la collectivité, ajoutez son réseau à OUTBOUND_ALLOWED_CIDRS');
    expect(toPrivate.calls).toBe(1);
    // Allowlisting 127.0.0.1 does not let a name through when one of its addresses is still internal.
    const mixed = resolverTo('127.0.0.1', '10.0.0.1');
    const before = connections;
    await refusal(new OutboundClient(['127.0.0.1/32'], mixed), `http://melange.example:${port}/secret`);
    expect(connections).toBe(before);
  });

  it('connects to the address it checked, resolving once: a name allowlisted through its address goes through', async () => {
    const resolver = resolverTo('127.0.0.1');
    const guard = new OutboundClient(['127.0.0.0/8'], resolver);
    const answer = await guard.request(`http://mairie.interne:${port}/bonjour`, options);
    expect(answer).toMatchObject({ status: 200, ok: true });
    expect(answer.body.toString()).toBe('bonjour');
    expect(hits.at(-1)).toEqual({ path: '/bonjour', host: `mairie.interne:${port}` });
    expect(resolver.calls).toBe(1);
  });

  it('goes through once allowlisted, and posts a body', async () => {
    const guard = new OutboundClient(['127.0.0.1/32']);
    const answer = await guard.request(`http://127.0.0.1:${port}/recevoir`, { ...options, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ echo: '{"a":1}' });
  });

  it('follows no redirect, even from an allowed host, whatever its target', async () => {
    const guard = new OutboundClient(['127.0.0.1/32'], resolverTo('127.0.0.1'));
    for (const [path, target] of [['/vers-metadonnees', 'http://169.254.169.254/latest/meta-data/'], ['/vers-local', `http://127.0.0.1:${port}/secret`], ['/vers-ipv6', `http://[::ffff:127.0.0.1]:${port}/secret`]] as const) {
      const error = await refusal(guard, `http://partenaire-public.example:${port}${path}`);
      expect(error.reason).toBe('redirect');
      expect(error.message).toContain(target);
    }
    expect(hits.filter((h) => h.path === '/secret')).toEqual([]);
  });

  it('refuses other schemes, caps the body, and keeps to its deadline', async () => {
    const guard = new OutboundClient(['127.0.0.1/32']);
    expect((await refusal(guard, 'file:///etc/passwd')).reason).toBe('protocol');
    expect((await refusal(guard, 'ftp://127.0.0.1/')).reason).toBe('protocol');
    expect((await refusal(guard, 'pas une adresse')).reason).toBe('protocol');
    await expect(guard.request(`http://127.0.0.1:${port}/gros`, { ...options, maxBytes: 4000 })).rejects.toMatchObject({ reason: 'too_large' });
    await expect(guard.request(`http://127.0.0.1:${port}/flot`, { ...options, maxBytes: 4000 })).rejects.toMatchObject({ reason: 'too_large' });
    const started = Date.now();
    await expect(guard.request(`http://127.0.0.1:${port}/lent`, { ...options, timeoutMs: 300 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('offers the same guard as a fetch function for the OpenID Connect libraries', async () => {
    await expect(new OutboundClient().fetch(`http://127.0.0.1:${port}/secret`)).rejects.toBeInstanceOf(OutboundRefused);
    const allowed = new OutboundClient(['127.0.0.1/32']);
    const response = await allowed.fetch(`http://127.0.0.1:${port}/recevoir`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echo: 'grant_type=authorization_code' });
    await expect(allowed.fetch(`http://127.0.0.1:${port}/vers-local`, { redirect: 'manual' })).rejects.toMatchObject({ reason: 'redirect' });
  });
});
