import type { DeliveryClaim, DeliveryOutcome, WebhookDelivery, WebhookQueue, WebhookRecord, WebhookStore } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

/** cjson writes an empty Lua table as {} and numbers as floats where it must: read both back to the port's shape. */
function fromJson(raw: string): WebhookDelivery {
  const d = JSON.parse(raw) as WebhookDelivery;
  return { ...d, attempts: Array.isArray(d.attempts) ? d.attempts : [], lease: d.lease ?? null, nextAttemptAt: d.nextAttemptAt ?? null };
}

/** Webhooks (one hash by id) and the delivery queue (scripts/deliveries.ts describes the layout). */
export class RedisWebhooks implements WebhookStore, WebhookQueue {
  constructor(private readonly c: RedisConnection) {}

  async saveWebhook(w: WebhookRecord): Promise<void> {
    await this.c.call(() => this.c.redis.hset(this.c.k.webhooks, w.id, JSON.stringify(w)));
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    const all = await this.c.call(() => this.c.redis.hvals(this.c.k.webhooks));
    return all.map((v) => JSON.parse(v) as WebhookRecord).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return (await this.c.call(() => this.c.redis.hdel(this.c.k.webhooks, id))) > 0;
  }

  async enqueueDeliveries(deliveries: WebhookDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    return this.c.call(() => this.c.redis.enqueueDeliveries(this.c.k.deliveries, ...deliveries.map((d) => JSON.stringify(d))));
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<WebhookDelivery[]> {
    const raw = await this.c.call(() => this.c.redis.claimDeliveries(this.c.k.deliveries, String(claim.now), claim.token, String(claim.leaseMs), String(claim.limit)));
    return (JSON.parse(raw) as unknown[]).map((d) => fromJson(JSON.stringify(d)));
  }

  async settleDelivery(id: string, token: string, outcome: DeliveryOutcome): Promise<boolean> {
    return (await this.c.call(() => this.c.redis.settleDelivery(this.c.k.deliveries, id, token, JSON.stringify(outcome)))) === 1;
  }

  async listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    const { redis, k } = this.c;
    const ids = await this.c.call(() => redis.zrevrange(`${k.deliveries}of:${webhookId}`, 0, limit - 1));
    if (ids.length === 0) return [];
    const raws = await this.c.call(() => redis.mget(...ids.map((id) => `${k.deliveries}d:${id}`)));
    return raws.filter((r): r is string => r !== null).map(fromJson);
  }

  async purgeDeliveries(before: number, limit: number): Promise<number> {
    return this.c.call(() => this.c.redis.purgeDeliveries(this.c.k.deliveries, String(before), String(limit)));
  }
}
