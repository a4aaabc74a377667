import type { Clock } from './clock.ts';
import { SessiondError } from './errors.ts';
import type { ReservedAttempt, AttemptThrottle } from './attempt-throttle.ts';
import { processFingerprint, type Fingerprint } from './fingerprint.ts';
import { plural } from './duration.ts';
import { clientKey } from './ip.ts';
import type { Counters } from './store.ts';

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
  /** Sign-ups from one client, successful or not: each costs a password hash and answers "is this email taken?". */
  signUp: Tier[];
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
  signUp: [
    { windowMs: 60_000, max: 10 },
    { windowMs: 60 * 60_000, max: 50 },
  ],
};

/** "30 seconds", "1 minute", "15 minutes": how long, for people. */
const waitText = (ms: number) => (ms < 60_000 ? plural(Math.ceil(ms / 1000), 'second') : plural(Math.ceil(ms / 60_000), 'minute'));

/** A counter and the tier it counts for. */
interface Window {
  key: string;
  tier: Tier;
}

/**
 * Sign-in throttling that stops online guessing without handing attackers a lock-out button
 * (NIST SP 800-63B §5.2.2, OWASP Authentication Cheat Sheet). Failures are counted per
 * (account, client) and per client in stepped windows (1 min, 15 min, 1 h), and per account with
 * an exponential slowdown (see ThrottleLimits.account). A client is an IPv4 address or an IPv6 /64
 * (`clientKey`), so rotating through one's own /64 or respelling an address gains nothing.
 *
 * Each attempt is counted in its windows before the password is checked, by the store's atomic
 * increment: of attempts sent at once, only those whose own count is within the limit go on. A
 * failure keeps its count; a success clears its own (account, client) record and gives back its
 * client counts; an attempt refused or left without a verdict gives everything back. Sign-ups are
 * counted per client the same way (`reserveSignUp`). Counters live in the store, so every node sees
 * the same numbers.
 */
export class SignInThrottle implements AttemptThrottle {
  constructor(
    private readonly store: Counters,
    private readonly clock: Clock,
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    // Keys name the account by fingerprint: what was typed (perhaps a password) is never stored.
    private readonly fingerprint: Fingerprint = processFingerprint(),
  ) {}

  private keys(email: string, ip: string | null) {
    const account = this.fingerprint(email);
    const client = clientOf(ip);
    return {
      pair: (t: Tier): Window => ({ key: `signin:pair:${t.windowMs}:${account}|${client}`, tier: t }),
      client: (t: Tier): Window => ({ key: `signin:client:${t.windowMs}:${client}`, tier: t }),
      account: `signin:account:${this.limits.account.windowMs}:${account}`,
      // One key per failure count: it exists for exactly the wait that count earned.
      slowdown: (n: number) => `signin:slow:${account}|${client}:${n}`,
    };
  }

  private slowdown(n: number): number {
    return Math.min(this.limits.slowdownMs * 2 ** Math.min(n - 1, 30), this.limits.slowdownCapMs);
  }

  /** Counts one attempt in every window; when one is past its max, gives all back and names that tier. */
  private async count(windows: Window[], now: number): Promise<{ counts: number[]; over: Tier | null }> {
    const counts = await Promise.all(windows.map((w) => this.store.incrementCounter(w.key, w.tier.windowMs, now)));
    const over = windows.find((w, i) => counts[i]! > w.tier.max)?.tier ?? null;
    if (over) await this.giveBack(windows);
    return { counts, over };
  }

  private async giveBack(windows: Window[]): Promise<void> {
    const now = this.clock.now();
    await Promise.all(windows.map((w) => this.store.decrementCounter(w.key, now)));
  }

  async reserve(email: string, ip: string | null): Promise<ReservedAttempt> {
    const now = this.clock.now();
    const k = this.keys(email, ip);
    const pair = this.limits.pair.map(k.pair);
    const client = this.limits.client.map(k.client);
    const { counts, over } = await this.count([...pair, ...client], now);
    if (over) {
      throw new SessiondError('rate_limited.signin_pair', {
        facts: { wait: waitText(over.windowMs) },
        retryAfter: over.windowMs / 1000,
      });
    }
    // This client's attempts on the account in the longest window, this one included.
    const n = counts[pair.length - 1]!;
    const wait = await this.runningWait(k.slowdown, n - 1, now);
    if (wait > 0) {
      await this.giveBack([...pair, ...client]);
      throw new SessiondError('rate_limited.signin_slowdown', {
        facts: { wait: waitText(wait) },
        retryAfter: wait / 1000,
      });
    }
    return this.settleOnce({
      failed: async () => {
        const accountCount = await this.store.incrementCounter(k.account, this.limits.account.windowMs, this.clock.now());
        if (accountCount >= this.limits.account.max) await this.store.incrementCounter(k.slowdown(n), this.slowdown(n), this.clock.now());
      },
      succeeded: async () => {
        await Promise.all([...pair.map((w) => this.store.resetCounter(w.key)), this.giveBack(client)]);
      },
      release: () => this.giveBack([...pair, ...client]),
    });
  }

  /**
   * The longest wait still running that one of this client's earlier failures earned (0: none).
   * Every earlier count is looked at, not only the latest: attempts in flight at once hold counts
   * whose failures have not been recorded yet.
   */
  private async runningWait(slowdownKey: (n: number) => string, earlier: number, now: number): Promise<number> {
    if (earlier <= 0) return 0;
    const counts = await Promise.all(Array.from({ length: earlier }, (_, i) => this.store.peekCounter(slowdownKey(i + 1), now)));
    const longest = counts.findLastIndex((c) => c > 0) + 1;
    return longest > 0 ? this.slowdown(longest) : 0;
  }

  /** Every sign-up that gets past input checks counts, whether it creates an account or finds the email taken. */
  async reserveSignUp(ip: string | null): Promise<ReservedAttempt> {
    const client = clientOf(ip);
    const windows = this.limits.signUp.map((t) => ({ key: `signup:client:${t.windowMs}:${client}`, tier: t }));
    const { over } = await this.count(windows, this.clock.now());
    if (over) {
      throw new SessiondError('rate_limited.signup', {
        facts: { wait: waitText(over.windowMs) },
        retryAfter: over.windowMs / 1000,
      });
    }
    const keep = async () => {};
    return this.settleOnce({ failed: keep, succeeded: keep, release: () => this.giveBack(windows) });
  }

  /** The first verdict wins; a later `release` (from a `finally`) does nothing. */
  private settleOnce(outcomes: ReservedAttempt): ReservedAttempt {
    let settled = false;
    const once = (f: () => Promise<void>) => async () => {
      if (settled) return;
      settled = true;
      await f();
    };
    return { failed: once(outcomes.failed), succeeded: once(outcomes.succeeded), release: once(outcomes.release) };
  }
}

const clientOf = (ip: string | null) => (ip ? clientKey(ip) : 'unknown');
