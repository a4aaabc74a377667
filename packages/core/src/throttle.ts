import type { Clock } from './clock.ts';
import { SessiondError } from './errors.ts';
import type { SignInGuard } from './guard.ts';
import { clientKey } from './ip.ts';
import { normalizeEmail } from './passwords.ts';
import type { Store } from './store.ts';

/** Failures allowed per window; each longer window allows fewer per minute: a stepped backoff. */
export interface Tier {
  windowMs: number;
  max: number;
}

export interface ThrottleLimits {
  /** One account from one client: the guesser's own budget. Shortest window first. */
  pair: Tier[];
  /** One client across all accounts: credential stuffing from one address (an IPv6 /64). */
  client: Tier[];
  /**
   * One account across all clients. Past this ceiling the account is under a distributed attack:
   * each failure made then earns the failing client a wait of `slowdownMs · 2^(n−1)` (n = its
   * failures on the account this hour, capped at `slowdownCapMs`) before its next try. It slows;
   * it never refuses for long, so no attacker can turn it into a lock-out of the owner, and
   * clients that have not failed on the account are not touched.
   */
  account: Tier;
  slowdownMs: number;
  slowdownCapMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  pair: [
    { windowMs: 60_000, max: 5 },
    { windowMs: 15 * 60_000, max: 10 },
    { windowMs: 60 * 60_000, max: 20 },
  ],
  client: [
    { windowMs: 60_000, max: 20 },
    { windowMs: 15 * 60_000, max: 100 },
    { windowMs: 60 * 60_000, max: 300 },
  ],
  account: { windowMs: 60 * 60_000, max: 100 },
  slowdownMs: 30_000,
  slowdownCapMs: 15 * 60_000,
};

/** "30 seconds", "1 minute", "15 minutes": how long, for people. */
const waitText = (ms: number) => {
  const m = Math.ceil(ms / 60_000);
  return ms < 60_000 ? `${Math.ceil(ms / 1000)} seconds` : `${m} minute${m === 1 ? '' : 's'}`;
};

/**
 * Sign-in throttling that stops online guessing without handing attackers a lock-out button
 * (NIST SP 800-63B §5.2.2, OWASP Authentication Cheat Sheet). Failures are counted per
 * (account, client) and per client in stepped windows (1 min, 15 min, 1 h), and per account with
 * an exponential slowdown (see ThrottleLimits.account). A client is an IPv4 address or an IPv6 /64
 * (`clientKey`), so rotating through one's own /64 or respelling an address gains nothing. A
 * success clears only its own (account, client) record. Counters live in the store, so every node
 * sees the same numbers.
 */
export class SignInThrottle implements SignInGuard {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  private keys(email: string, ip: string | null) {
    const account = normalizeEmail(email).slice(0, 254);
    const client = ip ? clientKey(ip) : 'unknown';
    return {
      pair: (t: Tier) => `signin:pair:${t.windowMs}:${account}|${client}`,
      client: (t: Tier) => `signin:client:${t.windowMs}:${client}`,
      account: `signin:account:${this.limits.account.windowMs}:${account}`,
      // One key per failure count: it exists for exactly the wait that count earned.
      slowdown: (n: number) => `signin:slow:${account}|${client}:${n}`,
    };
  }

  private slowdown(n: number): number {
    return Math.min(this.limits.slowdownMs * 2 ** Math.min(n - 1, 30), this.limits.slowdownCapMs);
  }

  async before(email: string, ip: string | null): Promise<void> {
    const now = this.clock.now();
    const k = this.keys(email, ip);
    const { pair, client } = this.limits;
    const counts = await Promise.all([...pair.map((t) => this.store.peekCounter(k.pair(t), now)), ...client.map((t) => this.store.peekCounter(k.client(t), now))]);
    const tiers = [...pair, ...client];
    for (let i = 0; i < tiers.length; i++) {
      if (counts[i]! >= tiers[i]!.max) {
        throw new SessiondError('rate_limited', {
          message: `Too many failed sign-in attempts. Please wait ${waitText(tiers[i]!.windowMs)} and try again, or reset your password.`,
          retryAfter: tiers[i]!.windowMs / 1000,
        });
      }
    }
    const failedHere = counts[pair.length - 1]!;
    if (failedHere > 0 && (await this.store.peekCounter(k.slowdown(failedHere), now)) > 0) {
      const wait = this.slowdown(failedHere);
      throw new SessiondError('rate_limited', {
        message: `This account is receiving many failed sign-in attempts, so each try from here must wait a little longer. Please wait ${waitText(wait)} and try again.`,
        retryAfter: wait / 1000,
      });
    }
  }

  async failed(email: string, ip: string | null): Promise<void> {
    const now = this.clock.now();
    const k = this.keys(email, ip);
    const { pair, client, account } = this.limits;
    const [accountCount, ...pairCounts] = await Promise.all([
      this.store.incrementCounter(k.account, account.windowMs, now),
      ...pair.map((t) => this.store.incrementCounter(k.pair(t), t.windowMs, now)),
      ...client.map((t) => this.store.incrementCounter(k.client(t), t.windowMs, now)),
    ]);
    if (accountCount! >= account.max) {
      const n = pairCounts[pair.length - 1]!;
      await this.store.incrementCounter(k.slowdown(n), this.slowdown(n), now);
    }
  }

  async succeeded(email: string, ip: string | null): Promise<void> {
    const k = this.keys(email, ip);
    await Promise.all(this.limits.pair.map((t) => this.store.resetCounter(k.pair(t))));
  }
}
