import type { Cluster, Redis } from 'ioredis';
import { EventFeed, type AuditEvent, type DeliveryDraft, type EventLog, type EventQuery, type NewAuditEvent } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

const EVENTS_MAX = 1_000_000;
const CATCH_UP_MS = 500;

/**
 * The audit log as a capped stream, announced on a pub/sub channel by the same script (XADD and
 * PUBLISH together), so each message's event is in the stream before the message is sent. Pub/sub
 * only wakes core's EventFeed, which reads the stream from the last delivered id: pub/sub keeps
 * nothing for a subscriber that is reconnecting, so a message after a gap must not be delivered
 * ahead of the events published during the gap. A read every half second covers a gap that no
 * later message follows.
 */
export class RedisEvents implements EventLog {
  readonly feed = new EventFeed({
    readAfter: (afterId, limit) => this.listEvents({ afterId, limit }),
    latest: async () => (await this.listEvents({ limit: 1 }))[0]?.id ?? null,
  });
  private sub: Redis | Cluster | null = null;
  private catchUp: NodeJS.Timeout | undefined;

  constructor(private readonly c: RedisConnection) {}

  async listen(): Promise<void> {
    const redis = this.c.redis;
    // The subscriber waits out outages (queueing, no timeouts) and re-subscribes after reconnecting.
    const patient = { enableOfflineQueue: true, lazyConnect: false };
    const waitForever = { commandTimeout: undefined, maxRetriesPerRequest: null };
    const sub = redis.isCluster
      ? (redis as Cluster).duplicate(undefined, { ...patient, redisOptions: { ...(redis as Cluster).options.redisOptions, ...waitForever } })
      : (redis as Redis).duplicate({ ...patient, ...waitForever });
    sub.on('error', () => {});
    sub.on('message', () => this.feed.wake());
    await this.feed.start();
    await sub.subscribe(this.c.k.channel);
    this.sub = sub;
    this.catchUp = setInterval(() => this.feed.wake(), CATCH_UP_MS);
    this.catchUp.unref();
  }

  close(): void {
    clearInterval(this.catchUp);
    this.feed.close();
    this.sub?.disconnect();
  }

  /** One script appends the event and queues its deliveries (RECORD_EVENT), completing them in Lua. */
  async recordEvent(event: NewAuditEvent, deliveries: readonly DeliveryDraft[] = []): Promise<AuditEvent> {
    const { k } = this.c;
    const drafts = deliveries.map((d) => JSON.stringify(d));
    const id = await this.c.call(() => this.c.redis.recordEvent(k.events, k.deliveries, k.channel, JSON.stringify(event), String(EVENTS_MAX), ...drafts));
    return { ...event, id };
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const { redis, k } = this.c;
    const match = (e: AuditEvent) =>
      (q.userId === undefined || e.userId === q.userId) && (q.sessionId === undefined || e.sessionId === q.sessionId) && (q.types === undefined || q.types.includes(e.type));
    const out: AuditEvent[] = [];
    const forward = q.afterId !== undefined;
    let cursor = forward ? `(${q.afterId}` : q.beforeId !== undefined ? `(${q.beforeId}` : '+';
    // Filters are applied while paging; the audit stream is capped, so this stays bounded.
    for (let pages = 0; pages < 100 && out.length < q.limit; pages++) {
      const batch = await this.c.call(() => (forward ? redis.xrange(k.events, cursor, '+', 'COUNT', 500) : redis.xrevrange(k.events, cursor, '-', 'COUNT', 500)));
      if (batch.length === 0) break;
      for (const [id, fields] of batch) {
        const e = { ...(JSON.parse(fields[1]!) as NewAuditEvent), id } as AuditEvent;
        if (match(e)) out.push(e);
        if (out.length >= q.limit) break;
      }
      cursor = `(${batch[batch.length - 1]![0]}`;
    }
    return out;
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }
}
