/**
 * How a webhook source proves a delivery is its own: an HMAC-SHA256 of the body (Guichet's own
 * scheme prefixes the unix timestamp, `timestamp + "." + body`, and the timestamp must be within
 * five minutes — a captured delivery cannot be replayed later), sent as `sha256=<hex>` in the
 * source's signature header.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureFormat } from './repository.js';

/** How far a delivery's timestamp may be from our clock, both ways. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

export interface SignatureScheme {
  secret: string;
  signatureHeader: string;
  signatureFormat: SignatureFormat;
  timestampHeader: string | null;
}

/** Why a delivery was refused; only logged, never recorded (an unauthenticated request leaves no row). */
export type SignatureRefusal = 'signature_missing' | 'signature_invalid' | 'timestamp_missing' | 'timestamp_stale';

/** `sha256=<hex>` of what the scheme signs: what a relay computes, and what we compare to. */
export function sign(secret: string, format: SignatureFormat, body: Buffer, timestamp: string | null): string {
  const hmac = createHmac('sha256', secret);
  if (format === 'timestamp.body') hmac.update(`${timestamp ?? ''}.`);
  hmac.update(body);
  return `sha256=${hmac.digest('hex')}`;
}

/** Checks the signature and the timestamp's freshness; null when the delivery is authentic. */
export function verifySignature(
  scheme: SignatureScheme,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  nowSeconds: number,
): SignatureRefusal | null {
  const header = (name: string | null) => {
    if (!name) return null;
    const value = headers[name.toLowerCase()];
    return (Array.isArray(value) ? value[0] : value)?.trim() || null;
  };
  const given = header(scheme.signatureHeader);
  if (!given) return 'signature_missing';
  const timestamp = header(scheme.timestampHeader);
  if (scheme.timestampHeader && !timestamp) return 'timestamp_missing';
  const expected = Buffer.from(sign(scheme.secret, scheme.signatureFormat, body, timestamp));
  // Some relays send the bare hex digest: compared with the same prefix.
  const actual = Buffer.from(given.startsWith('sha256=') ? given.toLowerCase() : `sha256=${given.toLowerCase()}`);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return 'signature_invalid';
  if (timestamp !== null) {
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(seconds) || Math.abs(nowSeconds - seconds) > TIMESTAMP_TOLERANCE_SECONDS) return 'timestamp_stale';
  }
  return null;
}
