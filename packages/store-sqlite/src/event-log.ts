import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { AuditEvent, EventQuery, NewAuditEvent } from '@sessiond/core';
import { eventFromRow, type EventRow } from './rows.ts';

const BY_USER = 1;
const BY_SESSION = 2;
const AFTER_ID = 4;

/**
 * The audit log in the events table, and its feed. SQLite serves one process, so the feed is an
 * in-process emitter: there is no other node to tell. (Several processes need Redis or
 * PostgreSQL, whose stores publish through the backend.)
 */
export class EventLog {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly insert: Database.Statement;
  /** One statement per combination of filters, each able to use its index. */
  private readonly queries = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare('INSERT INTO events (type, at, user_id, session_id, ip, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  record(event: NewAuditEvent): AuditEvent {
    const { lastInsertRowid } = this.insert.run(event.type, event.at, event.userId, event.sessionId, event.ip, event.reason, JSON.stringify(event.data));
    // INTEGER PRIMARY KEY AUTOINCREMENT: ids only grow, even after the newest rows are deleted.
    const recorded: AuditEvent = { ...event, id: String(lastInsertRowid) };
    // Deliver after the caller's step, as a networked feed would, so listeners never run inside it.
    queueMicrotask(() => this.emitter.emit('event', recorded));
    return recorded;
  }

  list(q: EventQuery): AuditEvent[] {
    const params: unknown[] = [];
    let mask = 0;
    if (q.userId !== undefined) (mask |= BY_USER), params.push(q.userId);
    if (q.sessionId !== undefined) (mask |= BY_SESSION), params.push(q.sessionId);
    if (q.afterId !== undefined) (mask |= AFTER_ID), params.push(Number.parseInt(q.afterId, 10) || 0);
    const rows = this.query(mask).all(...params, q.limit) as EventRow[];
    return rows.map(eventFromRow);
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  close(): void {
    this.emitter.removeAllListeners();
  }

  private query(mask: number): Database.Statement {
    let s = this.queries.get(mask);
    if (!s) {
      const where = [mask & BY_USER && 'user_id = ?', mask & BY_SESSION && 'session_id = ?', mask & AFTER_ID && 'id > ?'].filter(Boolean);
      // Newest first for the audit view; oldest first after an id, so a feed resumes in order.
      const order = mask & AFTER_ID ? 'ASC' : 'DESC';
      s = this.db.prepare(`SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`);
      this.queries.set(mask, s);
    }
    return s;
  }
}
