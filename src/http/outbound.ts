/**
 * The one door for HTTP requests this server makes to other systems (workflow webhooks, the SMS
 * gateway, files cited by social-media deliveries, the address API, OpenID Connect providers).
 *
 * Whoever chooses a URL — a workflow author, a relay, a compromised partner — must not be able to
 * make the server reach what only it can reach (SSRF): the machine itself, the town's internal
 * network, the cloud metadata service. So every request:
 *   - is http(s) only;
 *   - connects only to addresses that are public, or that the operator allowlisted
 *     (OUTBOUND_ALLOWED_CIDRS). The check runs at connect time, inside the socket's own `lookup`:
 *     the name is resolved once, every address is checked, and the socket connects to one of the
 *     addresses checked — a second, different DNS answer (rebinding) never gets a chance;
 *   - follows no redirect: a 3xx is a refusal, so an allowed host cannot bounce us inward;
 *   - has a deadline covering connection, headers and body, and a cap on the body it reads.
 *
 * Built on node:http/https rather than the global fetch, whose connect step cannot be hooked
 * without the `undici` package.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** A dns.lookup-compatible resolver; tests pass one that answers a chosen address. */
export type Resolver = (hostname: string, options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/** Why a request was refused before or instead of being made; none of these is worth retrying. */
export type RefusalReason = 'address' | 'protocol' | 'redirect' | 'too_large';

/** A request the guard refused; its message, in French, says what and how to allow it. */
export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Ranges never reached unless allowlisted: "this network", private (RFC 1918, ULA), shared
 * (CGNAT), loopback, link-local (cloud metadata at 169.254.169.254), documentation and benchmark
 * nets, IETF protocol assignments (incl. Teredo), 6to4 and local NAT64, multicast, reserved and
 * broadcast. IPv4-mapped and well-known-NAT64 IPv6 addresses are judged by the IPv4 they carry.
 */
const RESERVED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const RESERVED_V6: readonly [string, number][] = [
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible addresses (::127.0.0.1).
  ['::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];
const RESERVED = new net.BlockList();
for (const [prefix, bits] of RESERVED_V4) RESERVED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of RESERVED_V6) RESERVED.addSubnet(prefix, bits, 'ipv6');

/** The 16 bytes of an IPv6 address (already known valid), as eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or well-known NAT64 (64:ff9b::a.b.c.d) address stands for. */
function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (!mapped && !nat64) return null;
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
}

/** Parses "10.20.0.0/16,192.168.1.10" (a bare address is one host); throws on the first bad entry. */
export function parseCidrs(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [address = '', bits] = entry.split('/');
      const family = net.isIP(address);
      const max = family === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : Number(bits);
      if (family === 0 || !/^\d+$/.test(bits ?? String(max)) || prefix > max) throw new Error(`« ${entry} » n’est pas une adresse IP ou un bloc CIDR (ex. 10.20.0.0/16)`);
      return `${address}/${prefix}`;
    });
}

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Deadline of the whole exchange — connection, answer, body — in ms. */
  timeoutMs: number;
  /** Largest body read; beyond it the request fails (OutboundRefused 'too_large'). */
  maxBytes: number;
  /** false: only the status and headers matter (a webhook's receipt); the body is not read. */
  readBody?: boolean;
  /** Aborts the request early (the caller's own cancellation). */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  ok: boolean;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** What `OutboundClient.fetch` reads of a fetch call (openid-client and jose pass these). */
export interface FetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: string | ArrayBuffer | Uint8Array | URLSearchParams | ReadableStream | null;
  signal?: AbortSignal | null;
  redirect?: string;
}

/** Guarded HTTP client; one per allowlist (see `outboundFor`). */
export class OutboundClient {
  private readonly allowed = new net.BlockList();

  /**
   * @param allowedCidrs the operator's exceptions (OUTBOUND_ALLOWED_CIDRS), already parsed
   * @param resolve name resolution; the system resolver (hosts file, then DNS) by default
   */
  constructor(
    allowedCidrs: readonly string[] = [],
    private readonly resolve: Resolver = dns.lookup as Resolver,
  ) {
    for (const cidr of allowedCidrs) {
      const [address, bits] = cidr.split('/') as [string, string];
      this.allowed.addSubnet(address, Number(bits), net.isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** Why this address may not be reached, or null when it may (public, or allowlisted). */
  refusalOf(address: string): string | null {
    const family = net.isIP(address);
    if (family === 0) return `« ${address} » n’est pas une adresse IP`;
    const v4 = family === 6 ? embeddedIpv4(address) : address;
    const allowed = this.allowed.check(address, family === 6 ? 'ipv6' : 'ipv4') || (v4 !== null && this.allowed.check(v4, 'ipv4'));
    if (allowed) return null;
    const reserved = v4 !== null ? RESERVED.check(v4, 'ipv4') : RESERVED.check(address, 'ipv6');
    if (!reserved) return null;
    return `adresse interne ou réservée refusée (${address}) ; pour un service de la collectivité, ajoutez son réseau à OUTBOUND_ALLOWED_CIDRS`;
  }

  /**
   * The socket's `lookup`: resolves once, refuses the whole name if any of its addresses is
   * refused (a name mixing public and internal addresses is not trusted), and hands the socket
   * only addresses it checked.
   */
  private readonly lookup = (hostname: string, options: dns.LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void): void => {
    this.resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const list = Array.isArray(addresses) ? addresses : [];
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} : aucune adresse`), { code: 'ENOTFOUND' }), '');
      for (const { address } of list) {
        const refusal = this.refusalOf(address);
        if (refusal) return callback(new OutboundRefused('address', `${hostname} : ${refusal}`), '');
      }
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };

  /** Makes one request through the guard. Throws OutboundRefused, a TimeoutError, or a network error. */
  request(url: string | URL, options: OutboundRequest): Promise<OutboundResponse> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(new OutboundRefused('protocol', `adresse invalide : ${String(url)}`));
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.reject(new OutboundRefused('protocol', `seules les adresses http(s) sont permises (${target.protocol})`));
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // A literal address never goes through `lookup`: it is checked here, with nothing to resolve.
    if (net.isIP(host)) {
      const refusal = this.refusalOf(host);
      if (refusal) return Promise.reject(new OutboundRefused('address', refusal));
    }
    return new Promise<OutboundResponse>((resolve, reject) => {
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const request = (target.protocol === 'https:' ? https : http).request({
        protocol: target.protocol,
        hostname: host,
        port: target.port || undefined,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        ...(target.username ? { auth: `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}` } : {}),
        lookup: this.lookup,
        // A fresh socket per request: a pooled one would skip the connect-time check.
        agent: false,
      });
      const fail = (error: Error) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
        request.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(Object.assign(new Error(`délai dépassé (${options.timeoutMs} ms)`), { name: 'TimeoutError' })), options.timeoutMs);
      const abort = () => fail(Object.assign(new Error('requête annulée'), { name: 'AbortError' }));
      if (options.signal?.aborted) return abort();
      options.signal?.addEventListener('abort', abort, { once: true });
      request.on('error', fail);
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const done = (bytes: Buffer) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', abort);
          resolve({ status, ok: status >= 200 && status < 300, headers: response.headers, body: bytes });
        };
        if (status >= 300 && status < 400) {
          return fail(new OutboundRefused('redirect', `redirection refusée (HTTP ${status}${response.headers.location ? ` vers ${response.headers.location}` : ''})`));
        }
        if (options.readBody === false) {
          done(Buffer.alloc(0));
          return request.destroy();
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) return fail(new OutboundRefused('too_large', 'réponse trop volumineuse'));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) return fail(new OutboundRefused('too_large', 'réponse trop volumineuse'));
          chunks.push(chunk);
        });
        response.on('end', () => done(Buffer.concat(chunks)));
        response.on('error', fail);
      });
      request.end(body);
    });
  }

  /**
   * The guard as a fetch function, for libraries that take one (openid-client, jose): same
   * checks, no redirects, a 10 s deadline and a 1 MiB body.
   */
  readonly fetch = async (input: string | URL | Request, init: FetchInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : input;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const body = init.body === undefined || init.body === null ? undefined : Buffer.from(await new Response(init.body as BodyInit).arrayBuffer());
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new OutboundRefused('protocol', `méthode ${method} non prise en charge`);
    const answer = await this.request(url, { method, headers, ...(body ? { body } : {}), timeoutMs: 10_000, maxBytes: 1024 * 1024, ...(init.signal ? { signal: init.signal } : {}) });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, one);
    }
    const empty = answer.status === 204 || answer.status === 205;
    return new Response(empty ? null : new Uint8Array(answer.body), { status: answer.status, headers: responseHeaders });
  };
}

const clients = new WeakMap<object, OutboundClient>();

/** The guarded client for this configuration (one per configuration object, so its allowlist is built once). */
export function outboundFor(config: { OUTBOUND_ALLOWED_CIDRS: readonly string[] }): OutboundClient {
  let client = clients.get(config);
  if (!client) {
    client = new OutboundClient(config.OUTBOUND_ALLOWED_CIDRS);
    clients.set(config, client);
  }
  return client;
}
