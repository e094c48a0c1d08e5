import { createHash } from 'node:crypto';
import type { Db } from '../db/database.js';
import { rateLimitRepository } from './rate-limit-repository.js';

/**
 * Counting attempts in a fixed window per key, in the database (table `rate_limit_counters`), so
 * that every web process — WEB_PROCESSES children, or several servers on one PostgreSQL — counts
 * the same attempts. Each attempt is one atomic upsert per key; windows are fixed and short, so a
 * refusal always ends, at the latest one window after the last attempt.
 */
export interface RateRule {
  /** Attempts allowed in the window. */
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the refused key may try again (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateCheck {
  key: string;
  rule: RateRule;
}

/** Expired counters are deleted at most this often by a process. */
const PURGE_EVERY_MS = 60_000;

/** Keys are stored hashed: the table keeps no IP address or e-mail in clear, and keys have one length. */
const storedKey = (key: string) => createHash('sha256').update(key).digest('base64url');

export class RateLimiter {
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    // Read at each call (not captured once), so that a faked clock in tests moves the windows too.
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Counts one attempt against every rule with its key; refused as soon as one rule is over
   * its limit. Every key is counted, refused or not, so that a refusal says nothing about which
   * key (which address) caused it.
   */
  async hit(checks: RateCheck[]): Promise<RateDecision> {
    const now = this.now();
    await this.purge(now);
    const nowIso = new Date(now).toISOString();
    let retryAfterMs = 0;
    for (const { key, rule } of checks) {
      const counted = await rateLimitRepository.hit(this.db.kysely, storedKey(key), nowIso, new Date(now + rule.windowMs).toISOString());
      if (counted.count > rule.limit) retryAfterMs = Math.max(retryAfterMs, Date.parse(counted.resetAt) - now);
    }
    return { allowed: retryAfterMs === 0, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Forgets keys (a successful sign-in clears its failures). */
  async reset(...keys: string[]): Promise<void> {
    for (const key of keys) await rateLimitRepository.clear(this.db.kysely, storedKey(key));
  }

  private async purge(now: number): Promise<void> {
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    await rateLimitRepository.purgeExpired(this.db.kysely, new Date(now).toISOString());
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/**
 * The limits of the account pages (portal and back-office), documented in docs/sessions-and-rate-limits.md.
 * Per account: 20 failed sign-ins in 15 minutes whatever the IP (80 an hour, under ASVS 2.2.1's
 * 100), above the 10 per (IP, address), so one person's typos never reach it.
 */
export const ACCOUNT_RATES = {
  signInPerAddress: { limit: 10, windowMs: 15 * MINUTE },
  signInPerAccount: { limit: 20, windowMs: 15 * MINUTE },
  signInPerIp: { limit: 50, windowMs: 15 * MINUTE },
  mailPerAddress: { limit: 5, windowMs: HOUR },
  mailPerIp: { limit: 20, windowMs: HOUR },
} satisfies Record<string, RateRule>;

/** Who signs in: the portal's citizens and the back-office's agents count apart. */
export type SignInSide = 'portal' | 'agent';

/**
 * The keys of a password sign-in: the (IP, address) pair, the address alone whatever the IP
 * (an attacker who rotates addresses still meets it), and the IP alone.
 */
export function signInChecks(side: SignInSide, ip: string, email: string): RateCheck[] {
  return [
    { key: `${side}:signin:${ip}:${email}`, rule: ACCOUNT_RATES.signInPerAddress },
    { key: `${side}:signin-account:${email}`, rule: ACCOUNT_RATES.signInPerAccount },
    { key: `${side}:signin-ip:${ip}`, rule: ACCOUNT_RATES.signInPerIp },
  ];
}

/**
 * The key a successful sign-in clears: the (IP, address) failures. The account's own counter is
 * left to its window: someone guessing from elsewhere must not win new tries each time the
 * holder signs in.
 */
export function signInSuccessKey(side: SignInSide, ip: string, email: string): string {
  return `${side}:signin:${ip}:${email}`;
}
