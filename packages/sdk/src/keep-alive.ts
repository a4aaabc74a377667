import { extendDelay, extendIntervalMs } from './activity.ts';

const MAX_TIMEOUT = 2 ** 31 - 1;
const clampDelay = (ms: number) => Math.max(0, Math.min(MAX_TIMEOUT, ms));

export interface LiveDeadlines {
  expiresAt: number;
  warnAt: number;
  /** idleExpiresAt − lastActiveAt: the idle timeout this session runs under. */
  idleWindowMs: number;
  warning: boolean;
}

export interface KeepAliveHooks {
  /** The live session's deadlines, or null when there is none. */
  deadlines(): LiveDeadlines | null;
  /** `POST /v1/session/extend` and apply the answer; `sentAt` is shared with other tabs. False when the server was out of reach. */
  extend(sentAt: number): Promise<boolean>;
  /** Passive status check. */
  check(): Promise<'ok' | 'ended' | 'unreachable'>;
  /** The warning is due. */
  warn(expiresAt: number): void;
}


/** A check before warning answered this recently stands: its answer may have moved warnAt by the clock estimate's rounding. */
const RECHECK_BEFORE_WARNING_MS = 2_000;
/**
 * Decides when activity reaches the server, when to warn and when to check whether the deadline
 * has passed. Activity is sent at most once per interval (trailing edge, so none is lost), at
 * once while the warning shows; the interval is shared by every tab through `sentElsewhere`.
 */
export class KeepAlive {
  private lastActivityAt = 0;
  private lastSentAt = 0;
  private warnTimer: ReturnType<typeof setTimeout> | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private trailingTimer: ReturnType<typeof setTimeout> | undefined;
  private extending: Promise<void> | null = null;
  private warnCheckRunning = false;
  /** When the last check before warning answered: a warnAt its answer moved a little later is not asked again. */
  private warnCheckedAt = -Infinity;
  /** Activity that could not reach the server (offline): sent as soon as the network is back. */
  private unsent = false;

  constructor(
    private readonly hooks: KeepAliveHooks,
    private readonly preferredIntervalMs: number,
  ) {}

  /** Deadlines changed (sign-in, extend, another tab, the push channel): re-arm the timers. */
  schedule(): void {
    clearTimeout(this.warnTimer);
    clearTimeout(this.expiryTimer);
    const d = this.hooks.deadlines();
    if (!d) return;
    const now = Date.now();
    this.warnTimer = setTimeout(() => void this.onWarnDue(), clampDelay(d.warnAt - now));
    // A little after the deadline, so the server agrees it has passed; at least 1 s between checks.
    this.expiryTimer = setTimeout(() => void this.onExpiryDue(), clampDelay(Math.max(1_000, d.expiresAt - now + 250)));
  }

  /** A real interaction happened at `at`. */
  activity(at: number): void {
    const d = this.hooks.deadlines();
    if (!d) return;
    this.lastActivityAt = at;
    const intervalMs = extendIntervalMs(d.idleWindowMs, d.expiresAt - d.warnAt, this.preferredIntervalMs);
    const delay = extendDelay({ now: at, lastSentAt: this.lastSentAt, intervalMs, warning: d.warning });
    if (delay === 0) void this.extendNow();
    else if (this.trailingTimer === undefined) {
      this.trailingTimer = setTimeout(() => {
        this.trailingTimer = undefined;
        if (this.lastActivityAt > this.lastSentAt && this.hooks.deadlines()) void this.extendNow();
      }, delay);
    }
  }

  /** Another tab (or a sign-in) just told the server the person is here. */
  sentElsewhere(at: number): void {
    this.lastSentAt = Math.max(this.lastSentAt, at);
  }

  /** Activity now: "Stay signed in", or activity that must not wait. One request at a time. */
  extendNow(): Promise<void> {
    if (this.extending) return this.extending;
    this.lastSentAt = Date.now();
    clearTimeout(this.trailingTimer);
    this.trailingTimer = undefined;
    this.extending = this.hooks
      .extend(this.lastSentAt)
      .then((reached) => void (this.unsent = !reached))
      .finally(() => (this.extending = null));
    return this.extending;
  }

  /**
   * The network is back (or the page came back from the back/forward cache): send what the person
   * did meanwhile, else ask (passively) whether the session is still there.
   */
  async reconnected(): Promise<void> {
    if (!this.hooks.deadlines()) return;
    if (this.unsent || this.lastActivityAt > this.lastSentAt) await this.extendNow();
    else await this.hooks.check();
    this.schedule();
  }

  stop(): void {
    for (const t of [this.warnTimer, this.expiryTimer, this.trailingTimer]) clearTimeout(t);
    this.trailingTimer = undefined;
  }

  private async onWarnDue(): Promise<void> {
    const d = this.hooks.deadlines();
    if (this.warnCheckRunning || !d || d.warning) return;
    this.warnCheckRunning = true;
    try {
      // Activity not yet reported means the person is here: report it instead of warning.
      if (this.lastActivityAt > this.lastSentAt) await this.extendNow();
      // Another device may have kept the session alive; ask (passively) before interrupting. Not
      // again when that answer only moved warnAt by the server clock's rounding (the timer re-armed).
      else if (Date.now() - this.warnCheckedAt > RECHECK_BEFORE_WARNING_MS) {
        await this.hooks.check();
        this.warnCheckedAt = Date.now();
      }
    } finally {
      this.warnCheckRunning = false;
    }
    const now = Date.now();
    const after = this.hooks.deadlines();
    if (after && !after.warning && now >= after.warnAt && now < after.expiresAt) this.hooks.warn(after.expiresAt);
  }

  private async onExpiryDue(): Promise<void> {
    if (!this.hooks.deadlines()) return;
    if ((await this.hooks.check()) === 'unreachable' && this.hooks.deadlines()) {
      clearTimeout(this.expiryTimer);
      this.expiryTimer = setTimeout(() => void this.onExpiryDue(), 5_000);
    }
  }
}
