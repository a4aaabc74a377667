import { describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../ports/webhooks.ts';
import { afterAttempt, DEFAULT_RETRY_POLICY, MAX_ATTEMPTS_KEPT, retryDelay } from './delivery-rules.ts';

const T0 = 1_767_268_800_000;
const delivery = (): WebhookDelivery => ({ id: 'msg_1', webhookId: 'wh', eventId: '1', type: 'session.started', orderKey: 's:1', body: '{}', createdAt: T0, status: 'pending', attempts: [], nextAttemptAt: T0, lease: null });

describe('webhook delivery rules', () => {
  it('doubles the wait after each failure, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(DEFAULT_RETRY_POLICY, n))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 30)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  it('delivers on 2xx only: a redirect or an error is retried', () => {
    const d = delivery();
    expect(afterAttempt(d, { at: T0, statusCode: 204, error: null, durationMs: 1 }, DEFAULT_RETRY_POLICY)).toMatchObject({ status: 'delivered', nextAttemptAt: null });
    expect(afterAttempt(d, { at: T0, statusCode: 302, error: null, durationMs: 1 }, DEFAULT_RETRY_POLICY)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5_000 });
    expect(afterAttempt(d, { at: T0, statusCode: null, error: 'refused', durationMs: 1 }, DEFAULT_RETRY_POLICY)).toMatchObject({ status: 'pending' });
  });

  it('retries a receiver that never answers for the whole 24 hours, then gives up', () => {
    let d = delivery();
    let at = T0;
    let tries = 0;
    while (d.status === 'pending') {
      const outcome = afterAttempt(d, { at, statusCode: 500, error: null, durationMs: 1 }, DEFAULT_RETRY_POLICY);
      d = { ...d, ...outcome };
      tries++;
      if (d.nextAttemptAt !== null) at = d.nextAttemptAt;
    }
    expect(d.status).toBe('failed');
    // The last attempt is at the end of the window, not before it.
    expect(at - T0).toBe(DEFAULT_RETRY_POLICY.giveUpAfterMs);
    expect(tries).toBeGreaterThan(20);
    expect(d.attempts).toHaveLength(MAX_ATTEMPTS_KEPT);
  });
});
