import type Database from 'better-sqlite3';
import { deliveryFromRow, type DeliveryClaim, type DeliveryOutcome, type DeliveryRow, type WebhookDelivery, type WebhookQueue, type WebhookRecord, type WebhookStore } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';

function prepare(db: Database.Database) {
  const sql = (text: string) => db.prepare(text);
  return {
    saveWebhook: sql('INSERT OR REPLACE INTO webhooks (id, record, created_at) VALUES (?, ?, ?)'),
    webhooks: sql('SELECT record FROM webhooks ORDER BY created_at, id'),
    deleteWebhook: sql('DELETE FROM webhooks WHERE id = ?'),
    enqueue: sql(
      `INSERT INTO webhook_deliveries (id, webhook_id, order_key, status, next_attempt_at, lease_token, lease_until, created_at, event_id, type, body, attempts)
       VALUES (@id, @webhookId, @orderKey, @status, @nextAttemptAt, NULL, NULL, @createdAt, @eventId, @type, @body, @attempts) ON CONFLICT (id) DO NOTHING`,
    ),
    // A line's head is its pending delivery of lowest seq; only a head that is due and free is taken.
    due: sql(
      `SELECT d.* FROM webhook_deliveries d
       WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now)
         AND d.seq = (SELECT min(e.seq) FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key AND e.status = 'pending')
       ORDER BY d.next_attempt_at, d.seq LIMIT @limit`,
    ),
    lease: sql('UPDATE webhook_deliveries SET lease_token = ?, lease_until = ? WHERE id = ?'),
    settle: sql(
      `UPDATE webhook_deliveries SET status = @status, attempts = @attempts, next_attempt_at = @nextAttemptAt, lease_token = NULL, lease_until = NULL
       WHERE id = @id AND lease_token = @token`,
    ),
    deliveriesOf: sql('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY seq DESC LIMIT ?'),
    purge: sql(`DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ? LIMIT ?)`),
  };
}

/** Webhooks and the delivery queue; claiming is one IMMEDIATE transaction, so two processes never lease one delivery. */
export class SqliteWebhooks implements WebhookStore, WebhookQueue {
  private statements: ReturnType<typeof prepare> | undefined;

  constructor(private readonly c: SqliteConnection) {}

  /** Prepared on first use, once the store has opened its database (a method, not a getter: `assemble` reads every property). */
  private statementsFor() {
    return (this.statements ??= prepare(this.c.db!));
  }

  async saveWebhook(w: WebhookRecord): Promise<void> {
    guard(() => this.statementsFor().saveWebhook.run(w.id, JSON.stringify(w), w.createdAt));
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return (guard(() => this.statementsFor().webhooks.all()) as { record: string }[]).map((r) => JSON.parse(r.record) as WebhookRecord);
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return guard(() => this.statementsFor().deleteWebhook.run(id)).changes > 0;
  }

  async enqueueDeliveries(deliveries: WebhookDelivery[]): Promise<number> {
    return this.c.transaction(() => this.insertDeliveries(deliveries));
  }

  /** Inside the caller's transaction (recording an event queues its deliveries in the same one). */
  insertDeliveries(deliveries: readonly WebhookDelivery[]): number {
    let added = 0;
    for (const d of deliveries) added += this.statementsFor().enqueue.run({ ...d, attempts: JSON.stringify(d.attempts) }).changes;
    return added;
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<WebhookDelivery[]> {
    return this.c.transaction(() => {
      const rows = this.statementsFor().due.all({ now: claim.now, limit: claim.limit }) as DeliveryRow[];
      const until = claim.now + claim.leaseMs;
      for (const r of rows) this.statementsFor().lease.run(claim.token, until, r.id);
      return rows.map((r) => deliveryFromRow({ ...r, lease_token: claim.token, lease_until: until }));
    });
  }

  async settleDelivery(id: string, token: string, outcome: DeliveryOutcome): Promise<boolean> {
    return guard(() => this.statementsFor().settle.run({ id, token, status: outcome.status, attempts: JSON.stringify(outcome.attempts), nextAttemptAt: outcome.nextAttemptAt })).changes > 0;
  }

  async listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    return (guard(() => this.statementsFor().deliveriesOf.all(webhookId, limit)) as DeliveryRow[]).map(deliveryFromRow);
  }

  async purgeDeliveries(before: number, limit: number): Promise<number> {
    return guard(() => this.statementsFor().purge.run(before, limit)).changes;
  }
}
