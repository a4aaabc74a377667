import { randomBytes } from 'node:crypto';
import { afterAttempt, MAX_ATTEMPTS_KEPT, type Clock, type DeliveryAttempt, type RetryPolicy, type WebhookDelivery, type WebhookQueue, type Webhooks } from '@sessiond/core';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../metrics.ts';
import { signedHeaders } from './signature.ts';

/** Deliveries sent at once by one node. */
const CONCURRENCY = 8;
/** Finished deliveries stay visible in GET …/deliveries this long. */
const HISTORY_MS = 7 * 86_400_000;
const PURGE_EVERY_MS = 10 * 60_000;

export interface DeliveryWorkerOptions {
  queue: WebhookQueue;
  webhooks: Pick<Webhooks, 'target'>;
  clock: Clock;
  retry: RetryPolicy;
  timeoutMs: number;
  metrics: Metrics;
  logger: FastifyBaseLogger;
}

/**
 * Sends this node's share of the queue: claims due deliveries with a lease (longer than an attempt
 * can take, so a live node never loses one; a dead node's run out and another node takes them),
 * POSTs each signed, and settles it by core's rules. Polls, and wakes at once when this node queued
 * something. Outgoing requests time out, follow no redirects and read no body.
 */
export class DeliveryWorker {
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastPurge = 0;
  private readonly inFlight = new AbortController();

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.leaseMs = 2 * o.timeoutMs + 1_000;
    // Short retry waits (tests) need short polls; a second is plenty otherwise.
    this.pollMs = Math.max(20, Math.min(1_000, o.retry.baseMs));
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Something may be due: run now (a run already going runs once more). */
  wake(): void {
    if (this.stopped) return;
    this.again = true;
    this.running ??= this.run().finally(() => (this.running = null));
  }

  /** Stops claiming; deliveries in flight are given back untried, for the next node or start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.inFlight.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (this.again && !this.stopped) {
      this.again = false;
      const now = this.o.clock.now();
      const token = randomBytes(12).toString('base64url');
      let claimed: WebhookDelivery[];
      try {
        claimed = await this.o.queue.claimDeliveries({ now, token, leaseMs: this.leaseMs, limit: CONCURRENCY });
        if (now - this.lastPurge >= PURGE_EVERY_MS) {
          this.lastPurge = now;
          await this.o.queue.purgeDeliveries(now - HISTORY_MS, 1_000);
        }
      } catch (err) {
        // The store is away: the next poll tries again; nothing was leased.
        this.o.logger.warn({ err }, 'webhook queue unavailable; will retry');
        return;
      }
      await Promise.all(claimed.map((d) => this.deliver(d, token)));
      // A full batch: more may be due right now.
      if (claimed.length === CONCURRENCY) this.again = true;
    }
  }

  private async deliver(d: WebhookDelivery, token: string): Promise<void> {
    const target = this.o.webhooks.target(d.webhookId);
    const start = this.o.clock.now();
    let attempt: DeliveryAttempt;
    if (!target) {
      attempt = { at: start, statusCode: null, error: 'webhook deleted', durationMs: 0 };
      await this.settle(d, token, { status: 'failed', attempts: [...d.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT), nextAttemptAt: null });
      return;
    }
    const timer = performance.now();
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sessiond-webhooks', ...signedHeaders(d.id, d.body, target.key, start) },
        body: d.body,
        // A redirect is an answer that is not 2xx: following it would send signed events wherever it points.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), this.inFlight.signal]),
      });
      await res.body?.cancel().catch(() => {});
      attempt = { at: start, statusCode: res.status, error: null, durationMs: Math.round(performance.now() - timer) };
    } catch (err) {
      if (this.inFlight.signal.aborted) {
        // Stopping: give it back untried, so the next node or start sends it without waiting out a lease.
        await this.settle(d, token, { status: 'pending', attempts: d.attempts, nextAttemptAt: d.nextAttemptAt });
        return;
      }
      const name = (err as Error).name;
      const error = name === 'TimeoutError' ? `timed out after ${this.o.timeoutMs} ms` : `could not connect (${((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message).slice(0, 100)})`;
      attempt = { at: start, statusCode: null, error, durationMs: Math.round(performance.now() - timer) };
    }
    const outcome = afterAttempt(d, attempt, this.o.retry);
    this.o.metrics.webhookAttempts.labels(outcome.status === 'delivered' ? 'delivered' : outcome.status === 'failed' ? 'failed' : 'retry').inc();
    this.o.metrics.webhookDuration.observe(attempt.durationMs / 1000);
    await this.settle(d, token, outcome);
  }

  private async settle(d: WebhookDelivery, token: string, outcome: Parameters<WebhookQueue['settleDelivery']>[2]): Promise<void> {
    try {
      // False: our lease ran out and another node took it; its outcome stands.
      await this.o.queue.settleDelivery(d.id, token, outcome);
    } catch (err) {
      // The store went away mid-delivery: the lease runs out and it is tried again (at least once).
      this.o.logger.warn({ err, delivery: d.id }, 'could not record a webhook attempt; it will be retried');
    }
  }
}
