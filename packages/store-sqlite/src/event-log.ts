import type Database from 'better-sqlite3';
import { completeDelivery, EventFeed, type AuditEvent, type DeliveryDraft, type EventLog, type EventQuery, type NewAuditEvent } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';
import { eventFromRow, type EventRow } from './rows.ts';
import type { SqliteWebhooks } from './webhooks.ts';

const BY_USER = 1;
const BY_SESSION = 2;
const AFTER_ID = 4;
const BEFORE_ID = 8;
/** Bits from here up count the types asked for (`type IN (?, …)`), so each count has its statement. */
const TYPES_SHIFT = 4;

/**
 * The audit log in the events table, and its feed. SQLite serves one process, so the feed is
 * core's EventFeed offered each event as it is recorded: there is no other node to tell.
 * (Several processes need Redis or PostgreSQL, whose stores publish through the backend.)
 */
export class SqliteEvents implements EventLog {
  readonly feed = new EventFeed({
    readAfter: (afterId, limit) => this.listEvents({ afterId, limit }),
    latest: async () => (await this.listEvents({ limit: 1 }))[0]?.id ?? null,
  });
  /** One statement per combination of filters, each able to use its index. */
  private readonly queries = new Map<number, Database.Statement>();

  constructor(
    private readonly c: SqliteConnection,
    private readonly webhooks: SqliteWebhooks,
  ) {}

  async recordEvent(event: NewAuditEvent, deliveries: readonly DeliveryDraft[] = []): Promise<AuditEvent> {
    const insert = () => {
      const { lastInsertRowid } = this.c.q.insertEvent.run(event.type, event.at, event.userId, event.sessionId, event.ip, event.reason, JSON.stringify(event.data));
      // INTEGER PRIMARY KEY AUTOINCREMENT: ids only grow, even after the newest rows are deleted.
      const id = String(lastInsertRowid);
      this.webhooks.insertDeliveries(deliveries.map((d) => completeDelivery(d, id)));
      return id;
    };
    // The event and its deliveries in one transaction; an event without any stays one statement.
    const id = deliveries.length === 0 ? guard(insert) : this.c.transaction(insert);
    const recorded: AuditEvent = { ...event, id };
    // Deliver after the caller's step, as a networked feed would, so listeners never run inside it.
    queueMicrotask(() => this.feed.offer(recorded));
    return recorded;
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const params: unknown[] = [];
    let mask = 0;
    if (q.userId !== undefined) (mask |= BY_USER), params.push(q.userId);
    if (q.sessionId !== undefined) (mask |= BY_SESSION), params.push(q.sessionId);
    if (q.afterId !== undefined) (mask |= AFTER_ID), params.push(Number.parseInt(q.afterId, 10) || 0);
    if (q.beforeId !== undefined) (mask |= BEFORE_ID), params.push(Number.parseInt(q.beforeId, 10) || 0);
    if (q.types !== undefined) (mask |= q.types.length << TYPES_SHIFT), params.push(...q.types);
    const rows = guard(() => this.query(mask).all(...params, q.limit) as EventRow[]);
    return rows.map(eventFromRow);
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }

  private query(mask: number): Database.Statement {
    let s = this.queries.get(mask);
    if (!s) {
      const types = mask >> TYPES_SHIFT;
      const where = [
        mask & BY_USER && 'user_id = ?',
        mask & BY_SESSION && 'session_id = ?',
        mask & AFTER_ID && 'id > ?',
        mask & BEFORE_ID && 'id < ?',
        types > 0 && `type IN (${Array(types).fill('?').join(', ')})`,
      ].filter(Boolean);
      // Newest first for the audit view; oldest first after an id, so a feed resumes in order.
      const order = mask & AFTER_ID ? 'ASC' : 'DESC';
      s = this.c.db!.prepare(`SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`);
      this.queries.set(mask, s);
    }
    return s;
  }
}
