import type { FastifyRequest } from 'fastify';

/** What replaces a secret or personal value in a logged URL. */
export const MASK = '[masqué]';

/**
 * Query parameters whose values are harmless to keep in the request log (pagination, sorting,
 * formats). Every other value is masked: `?jeton=` opens a session, `?code=` is a tracking code, `?q=`
 * and `recherche=` are what an agent looked for (often a person's name). A list of what may be kept,
 * rather than of what must go, so that a parameter added tomorrow is masked until someone decides.
 */
const HARMLESS_PARAMETERS = new Set(['page', 'limit', 'cursor', 'tri', 'sort', 'ordre', 'order', 'format', 'vue', 'onglet', 'lang']);

/**
 * Path segments that are keys in themselves: a tracking code opens the case it names (portal page,
 * its PDF receipt and the JSON API), an Open311 token identifies a citizen's request.
 */
const SECRET_SEGMENTS: readonly RegExp[] = [
  /^(\/suivi\/)[^/?#]+/,
  /^(\/api\/v1\/tracking\/)[^/?#]+/,
  /^(\/open311\/v2\/tokens\/)[^/?#.]+/,
];

/**
 * The URL as it may be written to the logs: the path with its secret segments masked and, of its
 * query string, the names of the parameters with only the harmless values kept. Never throws.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const withoutHash = hash === -1 ? url : url.slice(0, hash);
  const question = withoutHash.indexOf('?');
  let path = question === -1 ? withoutHash : withoutHash.slice(0, question);
  for (const pattern of SECRET_SEGMENTS) path = path.replace(pattern, `$1${MASK}`);
  if (question === -1) return path;
  const query = withoutHash
    .slice(question + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      if (equals === -1) return name;
      return HARMLESS_PARAMETERS.has(safeDecode(name).toLowerCase()) ? pair : `${name}=${MASK}`;
    });
  return query.length > 0 ? `${path}?${query.join('&')}` : path;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Pino's serializer for the `req` of Fastify's request logs: method, redacted URL, client address.
 * No header at all — Authorization and Cookie carry credentials, Referer may carry a token-bearing URL.
 */
export function requestLogSerializer(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url ?? ''),
    remoteAddress: request.ip,
  };
}
