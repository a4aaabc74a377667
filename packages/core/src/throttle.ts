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
  /** One account from one client: the guesser's own budget. */
  pair: Tier[];
  /** One client across all accounts: credential stuffing from one address (an IPv6 /64). */
  client: Tier[];
  /** One account across all clients; applies only to clients that already failed on it. */
  account: Tier[];
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
  account: [{ windowMs: 60 * 60_000, max: 100 }],
};

/**
 * Sign-in throttling that stops online guessing without handing attackers a lock-out button.
 * Failures are counted per (account, client), per client and per account, in stepped windows
 * (1 min, 15 min, 1 h). The per-account ceiling only holds back clients that have themselves
 * failed on that account, so the owner signing in from another address is never blocked. A
 * success clears only its own (account, client) record. Counters live in the store, so every
 * node sees the same numbers.
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
      account: (t: Tier) => `signin:account:${t.windowMs}:${account}`,
    };
  }

  async before(email: string, ip: string | null): Promise<void> {
    const now = this.clock.now();
    const k = this.keys(email, ip);
    const check = async (tiers: Tier[], key: (t: Tier) => string) => {
      for (const t of tiers) {
        if ((await this.store.peekCounter(key(t), now)) >= t.max) {
          throw new SessiondError('rate_limited', {
            message: `Too many failed sign-in attempts. Please wait ${Math.ceil(t.windowMs / 60_000)} minute${t.windowMs === 60_000 ? '' : 's'} and try again, or reset your password.`,
            retryAfter: t.windowMs / 1000,
          });
        }
      }
    };
    await check(this.limits.pair, k.pair);
    await check(this.limits.client, k.client);
    const triedHere = (await this.store.peekCounter(k.pair(this.limits.pair.at(-1)!), now)) > 0;
    if (triedHere) await check(this.limits.account, k.account);
  }

  async failed(email: string, ip: string | null): Promise<void> {
    const now = this.clock.now();
    const k = this.keys(email, ip);
    const all: Promise<number>[] = [];
    for (const t of this.limits.pair) all.push(this.store.incrementCounter(k.pair(t), t.windowMs, now));
    for (const t of this.limits.client) all.push(this.store.incrementCounter(k.client(t), t.windowMs, now));
    for (const t of this.limits.account) all.push(this.store.incrementCounter(k.account(t), t.windowMs, now));
    await Promise.all(all);
  }

  async succeeded(email: string, ip: string | null): Promise<void> {
    const k = this.keys(email, ip);
    await Promise.all(this.limits.pair.map((t) => this.store.resetCounter(k.pair(t))));
  }
}
