import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

/**
 * The security headers of every response (pages, API, problems, assets, errors), set in onRequest
 * so that even a request refused before its handler carries them. The policy allows no inline
 * script or style at all: every page must work with files served from this origin only, which is
 * what makes an injected `<script>` or `onclick=` inert (the browser tests fail on a violation).
 */
export const securityHeadersPlugin = fp(async (app: FastifyInstance) => {
  const config = app.ctx.config;
  const https = config.publicUrl.startsWith('https:');
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(config) },
    // Never framed, not even by a same-site page (the audit's clickjacking of the back-office).
    frameguard: { action: 'deny' },
    // Only the origin leaves the site: map tile servers require a Referer, and paths may be keys
    // (tracking codes, reset links: those routes also send no-referrer themselves).
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    // HSTS over plain http would be ignored at best; subdomains of a town's site are not ours to pin.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  app.addHook('onRequest', async (_request, reply) => {
    void reply.header('permissions-policy', PERMISSIONS_POLICY);
  });
});

/** Only "locate me" on the portal's map needs a device feature; everything else is denied. */
export const PERMISSIONS_POLICY = 'accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()';

/** The directives of the whole site, from the configuration (map tiles, identity providers). */
export function contentSecurityPolicy(config: Config): Record<string, string[]> {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', ...sourcesOf(tileSource(config.MAP_TILE_URL))],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'manifest-src': ["'self'"],
    'worker-src': ["'self'"],
    // The back-office previews a case's PDF in an iframe of this origin.
    'frame-src': ["'self'"],
    'frame-ancestors': ["'none'"],
    // Signing in and out posts to us, then we redirect to the identity provider: browsers check
    // form-action on those redirects too.
    'form-action': ["'self'", ...sourcesOf(originOf(config.FRANCECONNECT_ISSUER)), ...sourcesOf(originOf(config.PROCONNECT_ISSUER))],
    'base-uri': ["'none'"],
    'object-src': ["'none'"],
  };
  if (config.publicUrl.startsWith('https:')) directives['upgrade-insecure-requests'] = [];
  return directives;
}

/**
 * For a response meant to be shown in a frame of our own pages (a case's PDF in the back-office):
 * same-origin framing instead of none. Call it in the handler; the rest of the policy stays.
 */
export function allowSameOriginFraming(reply: FastifyReply): void {
  const policy = reply.getHeader('content-security-policy');
  if (typeof policy === 'string') void reply.header('content-security-policy', policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'"));
  void reply.header('x-frame-options', 'SAMEORIGIN');
}

const sourcesOf = (source: string | null): string[] => (source ? [source] : []);

/** `https://host[:port]` of a URL, or null when it is empty or not http(s). */
function originOf(raw: string): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The CSP source of a tile URL template (`https://{s}.tile.example.org/{z}/{x}/{y}.png`): its
 * origin, a `{s}` subdomain becoming `*`. A template CSP cannot express (a placeholder elsewhere
 * in the host) falls back to its scheme alone, so that the map still shows.
 */
export function tileSource(template: string): string | null {
  const match = /^(https?):\/\/([^/?#]+)/i.exec(template.trim());
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.toLowerCase();
  const wildcarded = host.replace(/^\{[^}]*\}\./, '*.');
  if (/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/.test(wildcarded)) return `${scheme}://${wildcarded}`;
  return `${scheme}:`;
}

/**
 * The hash of the one <style> element Swagger UI's bundle inserts (its own, fixed, per release:
 * if an upgrade changes it, the browser test of /api/docs names the new hash to put here).
 */
const SWAGGER_UI_STYLE_HASH = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/**
 * The API documentation page's own policy (Swagger UI, on /api/docs only): its scripts are files,
 * it inserts one known <style> element (allowed by hash, not by 'unsafe-inline') and shows data: images.
 */
export const swaggerUiPolicy = `default-src 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self' ${SWAGGER_UI_STYLE_HASH}; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'`;
