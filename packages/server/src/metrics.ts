import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestDurations } from './request-durations.ts';

export interface Metrics {
  registry: Registry;
  sessionsStarted: Counter<'app'>;
  sessionsEnded: Counter<'reason'>;
  loginFailures: Counter;
  validations: Counter<'result'>;
  storeErrors: Counter;
  httpDuration: RequestDurations;
  /** One request's duration (the hot path: see request-durations.ts). */
  observeRequest(route: string, status: number, seconds: number): void;
  /** One credential validation, by result (the hot path: tallied, handed over when read). */
  countValidation(result: string): void;
  pushChannelsOpen: Gauge;
  pushChannelsRefused: Counter<'limit'>;
  /** Webhook delivery attempts by what they led to: delivered, retry (to be tried again) or failed (given up). */
  webhookAttempts: Counter<'outcome'>;
  webhookDuration: Histogram;
  webhooksQueued: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  const httpDuration = new RequestDurations({
    name: 'sessiond_http_request_duration_seconds',
    help: 'HTTP request duration',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    ...r,
  });
  // Validations are tallied here and handed to the Counter whenever it is read (its collect): a
  // labelled Counter's inc builds a hash string and checks its labels on every call, a share of the
  // hot path. Results are few and fixed, so the tally stays small; the exported lines are the same.
  const tally = new Map<string, number>();
  const validations = new Counter({
    name: 'sessiond_validations_total',
    help: 'Credential validations, by result',
    labelNames: ['result'] as const,
    collect() {
      for (const [result, n] of tally) this.inc({ result }, n);
      tally.clear();
    },
    ...r,
  });
  return {
    registry,
    httpDuration,
    validations,
    observeRequest(route, status, seconds) {
      httpDuration.observe(route, status, seconds);
    },
    countValidation(result) {
      tally.set(result, (tally.get(result) ?? 0) + 1);
    },
    sessionsStarted: new Counter({ name: 'sessiond_sessions_started_total', help: 'Sessions started', labelNames: ['app'], ...r }),
    sessionsEnded: new Counter({ name: 'sessiond_sessions_ended_total', help: 'Sessions ended, by reason', labelNames: ['reason'], ...r }),
    loginFailures: new Counter({ name: 'sessiond_login_failures_total', help: 'Failed sign-in attempts', ...r }),
    storeErrors: new Counter({ name: 'sessiond_store_unavailable_total', help: 'Requests answered 503 because the store was unreachable', ...r }),
    pushChannelsOpen: new Gauge({ name: 'sessiond_push_channels_open', help: 'Browser push channels open on this node', ...r }),
    webhookAttempts: new Counter({ name: 'sessiond_webhook_attempts_total', help: 'Webhook delivery attempts, by outcome: delivered, retry or failed (given up)', labelNames: ['outcome'] as const, ...r }),
    webhookDuration: new Histogram({ name: 'sessiond_webhook_attempt_duration_seconds', help: 'Time a webhook receiver took to answer', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], ...r }),
    webhooksQueued: new Counter({ name: 'sessiond_webhook_deliveries_queued_total', help: 'Webhook deliveries queued by this node', ...r }),
    pushChannelsRefused: new Counter({ name: 'sessiond_push_channels_refused_total', help: 'Push channels refused (429), by the limit reached: user or node', labelNames: ['limit'], ...r }),
  };
}
