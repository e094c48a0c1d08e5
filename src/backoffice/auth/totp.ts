import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/**
 * TOTP (RFC 6238) as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. A code
 * is accepted one step early or late (a phone's clock drifts, typing takes time); the step it
 * matched is returned so the caller can refuse a code already used (see `agentAuthRepository.useTotpCounter`).
 */
const PERIOD = 30;
const DIGITS = 6;
/** The name authenticator apps show above the code. */
export const TOTP_ISSUER = 'Guichet';

const totpOf = (secret: string, label = '') =>
  new TOTP({ issuer: TOTP_ISSUER, label, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: DIGITS, period: PERIOD });

/** A new random secret (160 bits, as RFC 4226 recommends), in base32 for the apps. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI apps import (what the QR code holds). */
export function totpUri(secret: string, account: string): string {
  return totpOf(secret, account).toString();
}

/** The secret grouped by four characters, easier to copy by hand or read with a screen reader. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The time step the code belongs to when it is valid now (±1 step), else null. */
export function matchingCounter(secret: string, code: string, now = Date.now()): number | null {
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(code)) return null;
  const totp = totpOf(secret);
  const delta = totp.validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}

/** The current code of a secret (demo and tests; the server never needs to show one). */
export function currentCode(secret: string, now = Date.now()): string {
  return totpOf(secret).generate({ timestamp: now });
}

/** The code typed, without the spaces or dashes some apps show in the middle. */
export function normaliseCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').slice(0, 12);
}

/** An SVG QR code of the URI, as a data URL for an `<img>` (the text secret is always shown beside it). */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
