import type pg from 'pg';
import { deliveryFromRow, type DeliveryClaim, type DeliveryOutcome, type DeliveryRow, type WebhookDelivery, type WebhookQueue, type WebhookRecord, type WebhookStore } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

const COLUMNS = 'id, webhook_id, order_key, status, next_attempt_at, lease_token, lease_until, created_at, event_id, type, body, attempts';

/**
 * Webhooks and the delivery queue. A claim is one statement: heads of lines that are due and free,
 * locked with SKIP LOCKED so nodes claiming at once take different ones, then leased.
 */
export class PgWebhooks implements WebhookStore, WebhookQueue {
  constructor(private readonly c: PgConnection) {}

  async saveWebhook(w: WebhookRecord): Promise<void> {
    await this.c.q('INSERT INTO webhooks (id, body, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body', [w.id, JSON.stringify(w), w.createdAt]);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return (await this.c.q<{ body: WebhookRecord }>('SELECT body FROM webhooks ORDER BY created_at, id')).rows.map((r) => r.body);
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return ((await this.c.q('DELETE FROM webhooks WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async enqueueDeliveries(deliveries: WebhookDelivery[]): Promise<number> {
    return insertDeliveries(this.c.q.bind(this.c), deliveries);
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<WebhookDelivery[]> {
    const r = await this.c.q<DeliveryRow>(
      `WITH heads AS (
         SELECT d.seq FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key AND e.status = 'pending' AND e.seq < d.seq)
         ORDER BY d.next_attempt_at, d.seq LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries w SET lease_token = $3, lease_until = $4
       FROM heads WHERE w.seq = heads.seq AND w.status = 'pending' AND (w.lease_until IS NULL OR w.lease_until <= $1)
       RETURNING ${COLUMNS.split(', ').map((c) => `w.${c}`).join(', ')}`,
      [claim.now, claim.limit, claim.token, claim.now + claim.leaseMs],
    );
    return r.rows.map(deliveryFromRow);
  }

  async settleDelivery(id: string, token: string, outcome: DeliveryOutcome): Promise<boolean> {
    const r = await this.c.q(
      `UPDATE webhook_deliveries SET status = $3, attempts = $4, next_attempt_at = $5, lease_token = NULL, lease_until = NULL WHERE id = $1 AND lease_token = $2`,
      [id, token, outcome.status, JSON.stringify(outcome.attempts), outcome.nextAttemptAt],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    return (await this.c.q<DeliveryRow>(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY seq DESC LIMIT $2`, [webhookId, limit])).rows.map(deliveryFromRow);
  }

  async purgeDeliveries(before: number, limit: number): Promise<number> {
    const r = await this.c.q(`DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1 LIMIT $2)`, [before, limit]);
    return r.rowCount ?? 0;
  }
}

type Query = (text: string, values: unknown[]) => Promise<pg.QueryResult>;

/** One statement, on the pool or in the caller's transaction (recording an event): the rows keep the order given (WITH ORDINALITY), so seq follows it. */
export async function insertDeliveries(q: Query, deliveries: readonly WebhookDelivery[]): Promise<number> {
  if (deliveries.length === 0) return 0;
  const r = await q(
    `INSERT INTO webhook_deliveries (id, webhook_id, order_key, status, next_attempt_at, created_at, event_id, type, body, attempts)
     SELECT d->>'id', d->>'webhookId', d->>'orderKey', d->>'status', (d->>'nextAttemptAt')::bigint, (d->>'createdAt')::bigint, d->>'eventId', d->>'type', d->>'body', d->'attempts'
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(d, n) ORDER BY n
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(deliveries)],
  );
  return r.rowCount ?? 0;
}
