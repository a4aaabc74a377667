/** Webhooks (SPEC §12): the registrations made through the admin API, and the delivery queue. */

/** A webhook registered through the admin API; those of SESSIOND_CONFIG are never stored. */
export interface WebhookRecord {
  id: string;
  url: string;
  /** Event types it receives (WEBHOOK_EVENTS). */
  events: string[];
  /** Only events of these apps (and global endings); null: every app. */
  apps: string[] | null;
  /** The signing secret sealed with the key-encryption key (the server's format); never plain. */
  secretSealed: string;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  at: number;
  /** The receiver's HTTP status; null when there was no answer (refused, timed out). */
  statusCode: number | null;
  /** Why it failed, for operators ("timed out after 10000 ms"); null on success. */
  error: string | null;
  durationMs: number;
}

/** One event for one webhook: sent until the receiver answers 2xx, or the retries run out. */
export interface WebhookDelivery {
  /** `msg_…`, derived from webhook and event: the `webhook-id` header, the same on every retry. */
  id: string;
  webhookId: string;
  eventId: string;
  type: string;
  /**
   * Deliveries of one webhook with the same key go out one at a time, in the order they were
   * queued: the session id, so a session's later event never overtakes its earlier one.
   */
  orderKey: string;
  /** The exact JSON sent and signed, fixed when queued so every retry carries the same bytes. */
  body: string;
  createdAt: number;
  status: DeliveryStatus;
  /** Oldest first; the last few only (see MAX_ATTEMPTS_KEPT). */
  attempts: DeliveryAttempt[];
  /** When it may next be tried; null once delivered or failed. */
  nextAttemptAt: number | null;
  /** The node trying it now, until `until`; after that another node may take it. */
  lease: { token: string; until: number } | null;
}

/**
 * A delivery decided before its event has an id (webhooks/payload.ts `draftDeliveries`): the store
 * turns it into a `WebhookDelivery` with core's `completeDelivery`, in the step that appends the event.
 */
export interface DeliveryDraft {
  webhookId: string;
  type: string;
  /** The event's session: its line; null puts the delivery on a line of its own (`e:<event id>`). */
  sessionId: string | null;
  /** The body is `bodyBefore + eventId + bodyAfter`. */
  bodyBefore: string;
  bodyAfter: string;
  /** When queued, and so first due. */
  createdAt: number;
}

/** A delivery as the SQL stores keep it, a column per field; `attempts` is JSON text (SQLite) or parsed jsonb (PostgreSQL). */
export interface DeliveryRow {
  id: string;
  webhook_id: string;
  order_key: string;
  status: DeliveryStatus;
  next_attempt_at: number | null;
  lease_token: string | null;
  lease_until: number | null;
  created_at: number;
  event_id: string;
  type: string;
  body: string;
  attempts: string | DeliveryAttempt[];
}

export function deliveryFromRow(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    type: r.type,
    orderKey: r.order_key,
    body: r.body,
    createdAt: r.created_at,
    status: r.status,
    attempts: typeof r.attempts === 'string' ? (JSON.parse(r.attempts) as DeliveryAttempt[]) : r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lease: r.lease_token === null ? null : { token: r.lease_token, until: r.lease_until! },
  };
}

export interface WebhookStore {
  saveWebhook(webhook: WebhookRecord): Promise<void>;
  /** Oldest first. */
  listWebhooks(): Promise<WebhookRecord[]>;
  /** Returns whether it existed. Its deliveries stay (as history) until purged. */
  deleteWebhook(id: string): Promise<boolean>;
}

export interface DeliveryClaim {
  now: number;
  /** Unique per claim: only its holder may settle what it claimed. */
  token: string;
  leaseMs: number;
  limit: number;
}

export type DeliveryOutcome = Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt'>;

/**
 * The durable delivery queue. Each method is atomic in its store; the rules (backoff, when to
 * give up) are core's (webhooks/delivery-rules.ts): a store keeps order and leases, nothing more.
 */
export interface WebhookQueue {
  /** Queues each delivery whose id is not queued already (so a repeat is harmless); returns how many were new. */
  enqueueDeliveries(deliveries: WebhookDelivery[]): Promise<number>;
  /**
   * Leases up to `limit` pending deliveries that are due (`nextAttemptAt <= now`), not leased (or
   * whose lease ran out), and first among the pending ones of their (webhookId, orderKey) line.
   */
  claimDeliveries(claim: DeliveryClaim): Promise<WebhookDelivery[]>;
  /**
   * Writes an attempt's outcome and drops the lease, only while `token` still holds it (a node
   * whose lease ran out must not overwrite the node that took over). `pending` with the same
   * `nextAttemptAt` gives it back untried. Returns whether it was written.
   */
  settleDelivery(id: string, token: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** The webhook's deliveries, newest queued first. */
  listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]>;
  /** Forgets up to `limit` delivered or failed deliveries queued before `before`; returns how many. */
  purgeDeliveries(before: number, limit: number): Promise<number>;
}
