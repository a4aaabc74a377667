/**
 * One attempt at a password or code, counted before anything is checked, so that attempts in
 * flight at the same time cannot all pass on the same old count. Settle it by its outcome; once
 * settled, `release` does nothing, so callers may always release in a `finally`.
 */
export interface ReservedAttempt {
  /** A wrong password or code: the attempt stays counted. */
  failed(): Promise<void>;
  /** The person proved themselves: their own (account, client) record clears, the rest is given back. */
  succeeded(): Promise<void>;
  /** No verdict (a code still to come, bad input, an outage): the attempt is given back. */
  release(): Promise<void>;
}

/**
 * Throttling hook: each `reserve…` counts an attempt or throws SessiondError('rate_limited') with
 * retryAfter when the client or account must wait. The default lets everything through.
 */
export interface AttemptThrottle {
  reserve(email: string, ip: string | null): Promise<ReservedAttempt>;
  /** A sign-up from this client: each one costs a password hash and answers whether an email is taken. */
  reserveSignUp(ip: string | null): Promise<ReservedAttempt>;
}

const unthrottled: ReservedAttempt = { failed: async () => {}, succeeded: async () => {}, release: async () => {} };

export const noThrottle: AttemptThrottle = {
  reserve: async () => unthrottled,
  reserveSignUp: async () => unthrottled,
};
