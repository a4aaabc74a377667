import type { AuditEvent } from '../types.ts';
import { compareEventIds } from './event-ids.ts';

const PAGE = 1000;

export interface FeedSource {
  /** Events after `afterId`, oldest first, at most `limit`. */
  readAfter(afterId: string, limit: number): Promise<AuditEvent[]>;
  /** The newest event's id, or null for an empty log. */
  latest(): Promise<string | null>;
}

export interface EventFeedOptions {
  /**
   * How far below the newest delivered id a catch-up reads again, for logs whose ids become
   * visible out of order (PostgreSQL gives them at insert, readers see them at commit). 0 where
   * ids become visible in order. Numeric ids only.
   */
  lateWindow?: number;
}

/**
 * The delivery of one store's events to this node's subscribers, once each, in the log's order:
 * a store appends, reads after an id, and calls `offer` (an event its wake-up signal carried) or
 * `catchUp` (its signal says only that something is new, or it was away and may have missed
 * signals). Catch-up reads from the last delivered id, so events missed during a reconnect arrive
 * before anything after them; reads do not overlap (wake-ups during one become one more read);
 * recently delivered ids are remembered, so an event both offered and read is delivered once.
 */
export class EventFeed {
  private readonly listeners = new Set<(e: AuditEvent) => void>();
  private readonly recent = new Set<string>();
  private readonly lateWindow: number;
  /** The newest event when the feed started: catch-up never reads at or below it. */
  private floor = '0';
  private cursor = '0';
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly source: FeedSource,
    opts: EventFeedOptions = {},
  ) {
    this.lateWindow = opts.lateWindow ?? 0;
  }

  /** Sets the start at the log's newest event; call once, before the store's signal can arrive. */
  async start(): Promise<void> {
    this.floor = this.cursor = (await this.source.latest()) ?? '0';
  }

  subscribe(listener: (e: AuditEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers an event the store's signal carried, unless already delivered. */
  offer(e: AuditEvent): void {
    if (this.closed || this.recent.has(e.id)) return;
    this.recent.add(e.id);
    if (this.recent.size > PAGE * 4) this.recent.delete(this.recent.values().next().value!);
    if (compareEventIds(e.id, this.cursor) > 0) this.cursor = e.id;
    for (const l of this.listeners) l(e);
  }

  /** Reads what the log holds past the last delivered event; rejects when the store is away. */
  catchUp(): Promise<void> {
    this.again = true;
    this.running ??= this.read().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** `catchUp` for a signal that cannot wait on it: a failed read is retried on the next one. */
  wake(): void {
    this.catchUp().catch(() => {});
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
  }

  private async read(): Promise<void> {
    while (this.again && !this.closed) {
      this.again = false;
      const from = this.lateWindow > 0 ? String(Math.max(Number(this.floor), Number(this.cursor) - this.lateWindow)) : this.cursor;
      const batch = await this.source.readAfter(from, PAGE);
      for (const e of batch) this.offer(e);
      if (batch.length === PAGE) this.again = true;
    }
  }
}
