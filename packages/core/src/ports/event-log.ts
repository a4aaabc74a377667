import type { AuditEvent, NewAuditEvent } from '../types.ts';
import type { DeliveryDraft } from './webhooks.ts';

import type { EventType } from '../types.ts';

export interface EventQuery {
  userId?: string;
  sessionId?: string;
  afterId?: string;
  /** Newest first, strictly older than this id (paging back through a person's activity). */
  beforeId?: string;
  /** Only these types (the activity view skips extends and refreshes, which would crowd a page). */
  types?: readonly EventType[];
  limit: number;
}

/**
 * The audit log, and the feed between nodes. A store only appends, reads, and wakes its feed
 * when its backend says something was appended; delivery (catch-up after a gap, order,
 * de-duplication) is core's `EventFeed`, which each store's `subscribe` hands out.
 */
export interface EventLog {
  /**
   * Appends to the audit log and publishes it to every subscriber on every node (this one
   * included). Returns the event with its store-assigned, increasing id. In the same atomic step
   * it queues `deliveries`, each completed with that id (`completeDelivery`), in the order given:
   * either the event and all its deliveries are stored, or none of them.
   */
  recordEvent(event: NewAuditEvent, deliveries?: readonly DeliveryDraft[]): Promise<AuditEvent>;
  /**
   * Newest first, or with `afterId` oldest first (everything after that id: feed resume).
   * Filters combine with AND.
   */
  listEvents(query: EventQuery): Promise<AuditEvent[]>;
  /** Every event recorded on any node after the subscription starts, each once. Returns unsubscribe. */
  subscribe(listener: (event: AuditEvent) => void): () => void;
}
