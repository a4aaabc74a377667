import pg from 'pg';
import { completeDelivery, EventFeed, type AuditEvent, type DeliveryDraft, type EventLog, type EventQuery, type NewAuditEvent } from '@sessiond/core';
import { types, type PgConnection } from './connection.ts';
import { insertDeliveries } from './webhooks.ts';

/** How far below the highest delivered id a catch-up looks for events committed late. */
const LATE_WINDOW = 1000;

/**
 * The events table, announced with NOTIFY in the same statement, so a subscriber never hears of
 * an event that was not stored. Delivery is core's EventFeed: notifications carry their event
 * (`offer`); after the LISTEN connection comes back, a catch-up reads what was recorded while it
 * was away. Ids are given at insert but seen at commit, so the feed re-reads a window below the
 * newest id it delivered.
 */
export class PgEvents implements EventLog {
  readonly feed = new EventFeed(
    {
      readAfter: (afterId, limit) => this.listEvents({ afterId, limit }),
      latest: async () => (await this.listEvents({ limit: 1 }))[0]?.id ?? null,
    },
    { lateWindow: LATE_WINDOW },
  );
  private readonly channel: string;
  private listener: pg.Client | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly c: PgConnection) {
    this.channel = `sessiond_events_${c.schema}`;
  }

  /**
   * A dedicated LISTEN connection that comes back by itself after it is lost, and then catches up
   * (NOTIFY is not queued for a listener that is gone), so an ending made during the gap still
   * reaches the browsers watching on this node.
   */
  async listen(): Promise<void> {
    if (this.closed) return;
    // Named, so an operator (or a test) can tell the listener apart in pg_stat_activity.
    const client = new pg.Client({ connectionString: this.c.url, types, connectionTimeoutMillis: 2000, application_name: `sessiond-listen:${this.c.schema}` });
    client.on('notification', (n) => {
      if (n.payload) this.feed.offer(JSON.parse(n.payload) as AuditEvent);
    });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      setTimeout(() => void this.listen().catch(() => {}), 500).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      // Listening now: anything committed from here on is notified; what came before is in the table.
      if (this.started) await this.feed.catchUp();
      else await this.feed.start();
      this.started = true;
    } catch {
      retry();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.feed.close();
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => {});
  }

  async recordEvent(event: NewAuditEvent, deliveries: readonly DeliveryDraft[] = []): Promise<AuditEvent> {
    // Stored and announced in one statement: NOTIFY is delivered only if the insert commits.
    const text = `WITH ins AS (INSERT INTO events (user_id, session_id, body) VALUES ($1, $2, $3::jsonb) RETURNING id, body)
       SELECT ins.id, pg_notify($4, (ins.body || jsonb_build_object('id', ins.id::text))::text) FROM ins`;
    const values = [event.userId, event.sessionId, JSON.stringify(event), this.channel];
    if (deliveries.length === 0) return { ...event, id: String((await this.c.q<{ id: number }>(text, values, 'record_event')).rows[0]!.id) };
    // With its deliveries: one transaction, so the event is not stored (nor announced) without them.
    return this.c.tx(async (client) => {
      // Deliveries are handed out in insertion order (seq) per session; without this lock two
      // events of one session inserted at once could queue their deliveries opposite to their
      // ids. Held to the commit, so the next event of that session gets both a later id and seq.
      if (event.sessionId) await client.query({ name: 'lock_session_line', text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', values: [`s:${event.sessionId}`] });
      const id = String((await client.query<{ id: number }>({ name: 'record_event', text, values })).rows[0]!.id);
      await insertDeliveries((t, v) => client.query(t, v), deliveries.map((d) => completeDelivery(d, id)));
      return { ...event, id };
    });
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (q.userId !== undefined) (values.push(q.userId), where.push(`user_id = $${values.length}`));
    if (q.sessionId !== undefined) (values.push(q.sessionId), where.push(`session_id = $${values.length}`));
    if (q.afterId !== undefined) (values.push(Number(q.afterId) || 0), where.push(`id > $${values.length}`));
    if (q.beforeId !== undefined) (values.push(Number(q.beforeId) || 0), where.push(`id < $${values.length}`));
    if (q.types !== undefined) (values.push(q.types), where.push(`body->>'type' = ANY($${values.length}::text[])`));
    values.push(q.limit);
    const r = await this.c.q<{ id: number; body: NewAuditEvent }>(
      `SELECT id, body FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id ${q.afterId !== undefined ? 'ASC' : 'DESC'} LIMIT $${values.length}`,
      values,
    );
    return r.rows.map((x) => ({ ...x.body, id: String(x.id) }));
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }
}
