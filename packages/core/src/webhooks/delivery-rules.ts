import type { DeliveryAttempt, DeliveryOutcome, WebhookDelivery } from '../ports/webhooks.ts';

/** How long and how often a delivery is retried. */
export interface RetryPolicy {
  /** Wait after the first failed attempt; each later one doubles it (SESSIOND_WEBHOOK_RETRY_BASE). */
  baseMs: number;
  /** The longest wait between two attempts. */
  maxDelayMs: number;
  /** After this long since it was queued, a delivery that still fails is given up (SESSIOND_WEBHOOK_RETRY_FOR). */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 5_000, maxDelayMs: 3_600_000, giveUpAfterMs: 24 * 3_600_000 };

/** A delivery shows its last attempts only: a receiver down for a day must not grow one record without bound. */
export const MAX_ATTEMPTS_KEPT = 20;

/** 2xx is delivered; anything else (3xx included: redirects are not followed) is a failure to retry. */
export const isDelivered = (statusCode: number | null): boolean => statusCode !== null && statusCode >= 200 && statusCode < 300;

/** The wait before retry number `failures` (1 after the first failure): base·2^(n−1), capped. */
export function retryDelay(policy: RetryPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(failures - 1, 40));
}

/**
 * What an attempt makes of a delivery: delivered on 2xx; otherwise tried again after the backoff,
 * unless that next attempt would fall past the give-up time, in which case it is failed for good.
 * A failed delivery no longer holds up the session's later events: they are sent next, in order.
 */
export function afterAttempt(delivery: WebhookDelivery, attempt: DeliveryAttempt, policy: RetryPolicy): DeliveryOutcome {
  const attempts = [...delivery.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT);
  if (isDelivered(attempt.statusCode)) return { status: 'delivered', attempts, nextAttemptAt: null };
  const failures = delivery.attempts.filter((a) => !isDelivered(a.statusCode)).length + 1;
  const next = attempt.at + retryDelay(policy, failures);
  // Give up only once the full window has been tried: the last attempt lands at or after it.
  if (attempt.at - delivery.createdAt >= policy.giveUpAfterMs) return { status: 'failed', attempts, nextAttemptAt: null };
  return { status: 'pending', attempts, nextAttemptAt: Math.min(next, delivery.createdAt + policy.giveUpAfterMs) };
}
