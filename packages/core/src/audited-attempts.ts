import type { AttemptThrottle, ReservedAttempt } from './attempt-throttle.ts';
import type { Clock } from './clock.ts';
import { SessiondError } from './errors.ts';
import { processFingerprint, type Fingerprint } from './fingerprint.ts';
import { isPlausibleEmail, normalizeEmail } from './passwords.ts';
import type { Store } from './store.ts';
import { parseDevice } from './user-agent.ts';

/** Who is proving themselves, from where, and in which flow (for throttling and the audit log). */
export interface Attempt {
  email: string;
  ip: string | null;
  step?: 'reauth' | 'password_change' | 'totp_enable' | 'totp_disable';
  /** The browser it came from: the person's activity names it ("Firefox on Windows"). */
  userAgent?: string | null;
}

/** Records a wrong password or code of a running attempt (`AuditedAttempts.run`). */
export type FailAttempt = (userId: string | null, factor: string, type?: 'login.failed' | 'totp.failed') => Promise<void>;

/** Checks of a password or code as the throttle counts them and the audit log records them. */
export class AuditedAttempts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly throttle: AttemptThrottle,
    /** Names unknown typed emails; every node of a store must use the same (see keyedFingerprint). */
    private readonly fingerprint: Fingerprint = processFingerprint(),
  ) {}

  /**
   * Every check of a password or code is counted by the throttle before it happens, wherever it
   * happens; a refusal is audited.
   */
  private async reserve(attempt: Attempt, userId: string | null): Promise<ReservedAttempt> {
    try {
      return await this.throttle.reserve(attempt.email, attempt.ip);
    } catch (e) {
      if (e instanceof SessiondError && e.code === 'rate_limited') {
        await this.store.recordEvent({ type: 'login.throttled', at: this.clock.now(), userId, sessionId: null, ip: attempt.ip, reason: null, data: await this.attemptData(attempt, userId) });
      }
      throw e;
    }
  }

  private async attemptData(attempt: Attempt, userId: string | null): Promise<Record<string, unknown>> {
    return {
      email: await this.auditedEmail(attempt.email, userId),
      ...(attempt.step ? { step: attempt.step } : {}),
      ...(attempt.userAgent ? { device: parseDevice(attempt.userAgent).label } : {}),
    };
  }

  /**
   * The account a failed attempt was made on, when the typed email is one: a wrong password on a
   * real account belongs in that person's own activity (never the password itself).
   */
  private async accountOf(attempt: Attempt, userId: string | null): Promise<string | null> {
    if (userId !== null) return userId;
    const email = normalizeEmail(attempt.email);
    return isPlausibleEmail(email) ? ((await this.store.findUserByEmail(email))?.id ?? null) : null;
  }

  /**
   * What was typed into the email field, kept only when it is an account's email: a password typed
   * there (or a stranger's address) must not land in the audit log. Anything else becomes its keyed
   * fingerprint, which still groups repeated attempts at one name and cannot be tested guesses against.
   */
  private async auditedEmail(typed: string, userId: string | null): Promise<string> {
    const email = normalizeEmail(typed);
    if (isPlausibleEmail(email) && (userId !== null || (await this.store.findUserByEmail(email)) !== null)) return email;
    return this.fingerprint(email);
  }

  private async failed(reserved: ReservedAttempt, attempt: Attempt, userId: string | null, factor: string, type: 'login.failed' | 'totp.failed' = 'login.failed'): Promise<void> {
    await reserved.failed();
    const account = await this.accountOf(attempt, userId);
    await this.store.recordEvent({
      type,
      at: this.clock.now(),
      userId: account,
      sessionId: null,
      ip: attempt.ip,
      reason: null,
      data: { ...(await this.attemptData(attempt, account)), factor },
    });
  }

  /**
   * Runs `check` with the attempt reserved: a check that returns is a success; one that calls
   * `fail` (then throws) keeps its count and is audited; anything else that leaves (a code still
   * needed, an outage) gives the count back.
   */
  async run<T>(attempt: Attempt, userId: string | null, check: (fail: FailAttempt) => Promise<T>): Promise<T> {
    const reserved = await this.reserve(attempt, userId);
    try {
      const result = await check((failedUserId, factor, type) => this.failed(reserved, attempt, failedUserId, factor, type));
      await reserved.succeeded();
      return result;
    } finally {
      await reserved.release();
    }
  }

  /** A sign-up from this client: counted like an attempt, as each costs a password hash. */
  reserveSignUp(ip: string | null): Promise<ReservedAttempt> {
    return this.throttle.reserveSignUp(ip);
  }
}
