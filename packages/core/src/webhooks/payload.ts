import { createHash } from 'node:crypto';
import { WEBHOOK_EVENTS, type WebhookEventType } from '@sessiond/contract/names';
import type { DeliveryDraft, WebhookDelivery } from '../ports/webhooks.ts';
import type { AuditEvent, NewAuditEvent } from '../types.ts';

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
export function wants(w: WebhookTarget, e: NewAuditEvent): boolean {
  if (!w.events.includes(e.type) || e.at < w.createdAt) return false;
  if (w.apps === null || e.type === 'sessions.ended_all') return true;
  const app = e.data.app;
  return typeof app === 'string' && w.apps.includes(app);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The Standard Webhooks body `{type, timestamp, data}`, split where the event's id goes (the first
 * field of `data`), so it can be fixed before the store gives the id. `data` holds the event's
 * facts, never a secret (audit events hold none): ids, app, IP, reason, and what the event recorded
 * (device label, `newDevice` on session.started, `detail` on session.ended).
 */
function webhookBodyAround(e: NewAuditEvent): { bodyBefore: string; bodyAfter: string } {
  // `eventId` is the store's id: the event's own data cannot stand in for it.
  const { app, eventId: _eventId, ...rest } = e.data;
  const facts: Record<string, unknown> = { userId: e.userId, sessionId: e.sessionId, ...(app !== undefined ? { app } : {}), ip: e.ip };
  if (e.reason !== null) facts.reason = e.reason;
  if (e.type === 'session.ended') facts.endedAt = iso(e.at);
  Object.assign(facts, rest);
  // `eventId` is written by hand in front of the other facts rather than left to JSON.stringify,
  // which puts integer-like keys ("0") before every other key: the split must not depend on the keys.
  // (`facts` always holds userId, so its JSON is `{…}` with something between the braces.)
  const bodyBefore = `{"type":${JSON.stringify(e.type)},"timestamp":${JSON.stringify(iso(e.at))},"data":{"eventId":"`;
  return { bodyBefore, bodyAfter: `",${JSON.stringify(facts).slice(1)}}` };
}

export function webhookBody(e: AuditEvent): string {
  const { bodyBefore, bodyAfter } = webhookBodyAround(e);
  return bodyBefore + e.id + bodyAfter;
}

/** The message id: the same for one event and one webhook on every node and every retry. */
export function deliveryId(webhookId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${webhookId}\n${eventId}`).digest('base64url').slice(0, 27)}`;
}

/**
 * The deliveries an event fans out to, one per webhook that `wants` it, decided before the event
 * has its id: the store completes them (`completeDelivery`) and queues them in the same atomic step
 * that appends the event, so no recorded event can miss its deliveries.
 */
export function draftDeliveries(webhooks: readonly WebhookTarget[], e: NewAuditEvent, now: number): DeliveryDraft[] {
  if (!isWebhookEvent(e.type)) return [];
  return webhooks.filter((w) => wants(w, e)).map((w) => ({ webhookId: w.id, type: e.type, sessionId: e.sessionId, ...webhookBodyAround(e), createdAt: now }));
}

/**
 * The delivery of a draft once its event has `eventId`. Store ids are digits and dashes, so the id
 * goes into the body's JSON as it is. (Redis does the same in Lua: RECORD_EVENT in store-redis's scripts/deliveries.ts.)
 */
export function completeDelivery(d: DeliveryDraft, eventId: string): WebhookDelivery {
  return {
    id: deliveryId(d.webhookId, eventId),
    webhookId: d.webhookId,
    eventId,
    type: d.type,
    // Events of no session (a new user, a global ending) have no order to keep: each is its own line.
    orderKey: d.sessionId ? `s:${d.sessionId}` : `e:${eventId}`,
    body: d.bodyBefore + eventId + d.bodyAfter,
    createdAt: d.createdAt,
    status: 'pending',
    attempts: [],
    nextAttemptAt: d.createdAt,
    lease: null,
  };
}

export function newDelivery(w: WebhookTarget, e: AuditEvent, now: number): WebhookDelivery {
  return completeDelivery({ webhookId: w.id, type: e.type, sessionId: e.sessionId, ...webhookBodyAround(e), createdAt: now }, e.id);
}
