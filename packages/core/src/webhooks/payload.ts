import { createHash } from 'node:crypto';
import { WEBHOOK_EVENTS, type WebhookEventType } from '@sessiond/contract/names';
import type { WebhookDelivery } from '../ports/webhooks.ts';
import type { AuditEvent } from '../types.ts';

/** What a node needs of a webhook to queue events for it (config-file ones and stored ones alike). */
export interface WebhookTarget {
  id: string;
  events: readonly string[];
  apps: readonly string[] | null;
  createdAt: number;
}

export const isWebhookEvent = (type: string): type is WebhookEventType => (WEBHOOK_EVENTS as readonly string[]).includes(type);

/**
 * Whether the webhook receives the event: a type it asked for, recorded after it was made, and of
 * one of its apps. An app-scoped webhook also gets global endings (`sessions.ended_all`, every app's
 * sessions); events of no app (a password change, a new user) go only to webhooks of every app,
 * since nothing says which app's business they are.
 */
export function wants(w: WebhookTarget, e: AuditEvent): boolean {
  if (!w.events.includes(e.type) || e.at < w.createdAt) return false;
  if (w.apps === null || e.type === 'sessions.ended_all') return true;
  const app = e.data.app;
  return typeof app === 'string' && w.apps.includes(app);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The Standard Webhooks body `{type, timestamp, data}`. `data` holds the event's facts, never a
 * secret (audit events hold none): ids, app, IP, reason, and what the event recorded (device
 * label, `newDevice` on session.started, `detail` on session.ended).
 */
export function webhookBody(e: AuditEvent): string {
  const { app, ...rest } = e.data;
  const data: Record<string, unknown> = { eventId: e.id, userId: e.userId, sessionId: e.sessionId, ...(app !== undefined ? { app } : {}), ip: e.ip };
  if (e.reason !== null) data.reason = e.reason;
  if (e.type === 'session.ended') data.endedAt = iso(e.at);
  Object.assign(data, rest);
  return JSON.stringify({ type: e.type, timestamp: iso(e.at), data });
}

/** The message id: the same for one event and one webhook on every node and every retry. */
export function deliveryId(webhookId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${webhookId}\n${eventId}`).digest('base64url').slice(0, 27)}`;
}

export function newDelivery(w: WebhookTarget, e: AuditEvent, now: number): WebhookDelivery {
  return {
    id: deliveryId(w.id, e.id),
    webhookId: w.id,
    eventId: e.id,
    type: e.type,
    // Events of no session (a new user, a global ending) have no order to keep: each is its own line.
    orderKey: e.sessionId ? `s:${e.sessionId}` : `e:${e.id}`,
    body: webhookBody(e),
    createdAt: now,
    status: 'pending',
    attempts: [],
    nextAttemptAt: now,
    lease: null,
  };
}
