/**
 * Counting attempts in a fixed window per key, in the process's memory. Enough for one web
 * process (the default deployment); several processes each count their own share, which only
 * makes the limits looser by that factor.
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

/** Keys kept at most, so a flood of distinct keys cannot exhaust memory. */
const MAX_KEYS = 100_000;

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Counts one attempt against every rule with its key; refused as soon as one rule is over
   * its limit. Every key is counted, refused or not, so that a refusal says nothing about which
   * key (which address) caused it.
   */
  hit(checks: { key: string; rule: RateRule }[]): RateDecision {
    const now = this.now();
    this.sweep(now);
    let retryAfterMs = 0;
    for (const { key, rule } of checks) {
      let entry = this.windows.get(key);
      if (!entry || entry.resetAt <= now) {
        entry = { count: 0, resetAt: now + rule.windowMs };
        this.windows.set(key, entry);
      }
      entry.count += 1;
      if (entry.count > rule.limit) retryAfterMs = Math.max(retryAfterMs, entry.resetAt - now);
    }
    return { allowed: retryAfterMs === 0, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Forgets a key (a successful sign-in clears its failures). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000 && this.windows.size < MAX_KEYS) return;
    this.lastSweep = now;
    for (const [key, entry] of this.windows) if (entry.resetAt <= now) this.windows.delete(key);
    // Still full of live keys: drop the oldest rather than grow without bound.
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS * 0.9) break;
      this.windows.delete(key);
    }
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** The limits of the account pages. */
export const ACCOUNT_RATES = {
  signInPerAddress: { limit: 10, windowMs: 15 * MINUTE },
  signInPerIp: { limit: 50, windowMs: 15 * MINUTE },
  mailPerAddress: { limit: 5, windowMs: HOUR },
  mailPerIp: { limit: 20, windowMs: HOUR },
} satisfies Record<string, RateRule>;
