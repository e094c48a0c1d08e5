import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt from node:crypto (no native dependency). The parameters are stored
 * with each hash, so they can be raised later without invalidating existing passwords.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** Longer inputs are refused: the hash cost does not depend on it, but nobody needs more. */
export const MAX_PASSWORD_LENGTH = 256;

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** 128 · N · r = 32 MB are needed; Node's default ceiling (32 MB) is just short of it. */
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$<N>$<r>$<p>$<salt>$<hash>`, salt and hash in base64url. Runs on the libuv pool, never blocking. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEMORY });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when the password matches the stored hash; false for a malformed or foreign hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (![n, r, p].every(Number.isSafeInteger) || expected.length === 0) return false;
  const key = await derive(password, salt, expected.length, { N: n, r, p, maxmem: MAX_MEMORY });
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword('guichet-mot-de-passe-factice'));

/** Computes the stand-in hash ahead of the first unknown address (called when the routes start). */
export function prepareDummyHash(): void {
  void dummyHash();
}

/**
 * Spends the time a real check would on an address that has no password, so that the answer's
 * delay does not tell whether an account exists.
 */
export async function spendPasswordCheck(password: string): Promise<void> {
  await verifyPassword(password, await dummyHash());
}
