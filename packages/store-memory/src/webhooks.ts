import type { DeliveryClaim, DeliveryOutcome, WebhookDelivery, WebhookQueue, WebhookRecord, WebhookStore } from '@sessiond/core';
import { clone } from './state.ts';

const lineOf = (d: WebhookDelivery) => `${d.webhookId}\n${d.orderKey}`;

/** Webhooks and their delivery queue: deliveries in queue order; each line's head is its first pending one. */
export class MemoryWebhooks implements WebhookStore, WebhookQueue {
  private readonly webhooks = new Map<string, WebhookRecord>();
  /** Insertion order is queue order. */
  private readonly deliveries = new Map<string, WebhookDelivery>();

  async saveWebhook(webhook: WebhookRecord): Promise<void> {
    this.webhooks.set(webhook.id, clone(webhook));
  }
  async listWebhooks(): Promise<WebhookRecord[]> {
    return [...this.webhooks.values()].sort((a, b) => a.createdAt - b.createdAt).map(clone);
  }
  async deleteWebhook(id: string): Promise<boolean> {
    return this.webhooks.delete(id);
  }

  async enqueueDeliveries(deliveries: WebhookDelivery[]): Promise<number> {
    return this.queue(deliveries);
  }

  /** Synchronous, so recording an event can queue its deliveries in the same step. */
  queue(deliveries: WebhookDelivery[]): number {
    let added = 0;
    for (const d of deliveries) {
      if (this.deliveries.has(d.id)) continue;
      this.deliveries.set(d.id, clone(d));
      added++;
    }
    return added;
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<WebhookDelivery[]> {
    const seen = new Set<string>();
    const due: WebhookDelivery[] = [];
    for (const d of this.deliveries.values()) {
      if (d.status !== 'pending') continue;
      const line = lineOf(d);
      if (seen.has(line)) continue;
      seen.add(line);
      if (d.nextAttemptAt! <= claim.now && (d.lease === null || d.lease.until <= claim.now)) due.push(d);
    }
    due.sort((a, b) => a.nextAttemptAt! - b.nextAttemptAt!);
    return due.slice(0, claim.limit).map((d) => {
      d.lease = { token: claim.token, until: claim.now + claim.leaseMs };
      return clone(d);
    });
  }

  async settleDelivery(id: string, token: string, outcome: DeliveryOutcome): Promise<boolean> {
    const d = this.deliveries.get(id);
    if (!d || d.lease?.token !== token) return false;
    Object.assign(d, clone(outcome), { lease: null });
    return true;
  }

  async listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    return [...this.deliveries.values()].filter((d) => d.webhookId === webhookId).reverse().slice(0, limit).map(clone);
  }

  async purgeDeliveries(before: number, limit: number): Promise<number> {
    let n = 0;
    for (const d of this.deliveries.values()) {
      if (n >= limit) break;
      if (d.status !== 'pending' && d.createdAt < before && this.deliveries.delete(d.id)) n++;
    }
    return n;
  }
}
