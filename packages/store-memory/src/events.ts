import { completeDelivery, EventFeed, type AuditEvent, type DeliveryDraft, type EventLog, type EventQuery, type NewAuditEvent } from '@sessiond/core';
import { clone } from './state.ts';
import type { MemoryWebhooks } from './webhooks.ts';

/** The audit log in an array; its feed is core's EventFeed, offered each event as it is recorded. */
export class MemoryEvents implements EventLog {
  private readonly events: AuditEvent[] = [];
  private nextId = 1;
  readonly feed = new EventFeed({
    readAfter: (afterId, limit) => this.listEvents({ afterId, limit }),
    latest: async () => this.events.at(-1)?.id ?? null,
  });

  constructor(private readonly webhooks: MemoryWebhooks) {}

  async recordEvent(event: NewAuditEvent, deliveries: readonly DeliveryDraft[] = []): Promise<AuditEvent> {
    const e: AuditEvent = { ...clone(event), id: String(this.nextId++) };
    // Nothing awaits between the two: the event and its deliveries are one step.
    this.events.push(e);
    this.webhooks.queue(deliveries.map((d) => completeDelivery(d, e.id)));
    // Deliver after the caller's current step, as a networked store would.
    queueMicrotask(() => this.feed.offer(clone(e)));
    return clone(e);
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const before = q.beforeId === undefined ? Infinity : Number(q.beforeId);
    const match = (e: AuditEvent) =>
      (q.userId === undefined || e.userId === q.userId) &&
      (q.sessionId === undefined || e.sessionId === q.sessionId) &&
      (q.types === undefined || q.types.includes(e.type)) &&
      Number(e.id) < before;
    if (q.afterId !== undefined) {
      const after = Number(q.afterId);
      return this.events.filter((e) => Number(e.id) > after && match(e)).slice(0, q.limit).map(clone);
    }
    const out: AuditEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < q.limit; i--) if (match(this.events[i]!)) out.push(clone(this.events[i]!));
    return out;
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }
}
