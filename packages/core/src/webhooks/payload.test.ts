import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../types.ts';
import { completeDelivery, deliveryId, draftDeliveries, newDelivery, webhookBody } from './payload.ts';

const T0 = 1_767_268_800_000;
const ended: AuditEvent = { id: '42', type: 'session.ended', at: T0, userId: 'u1', sessionId: 's1', ip: '192.0.2.1', reason: 'logged_out', data: { app: 'web', detail: 'by “you”' } };

describe('webhook payloads', () => {
  it('writes the Standard Webhooks body with the event’s id first in data', () => {
    expect(webhookBody(ended)).toBe(
      JSON.stringify({ type: 'session.ended', timestamp: '2026-01-01T12:00:00.000Z', data: { eventId: '42', userId: 'u1', sessionId: 's1', app: 'web', ip: '192.0.2.1', reason: 'logged_out', endedAt: '2026-01-01T12:00:00.000Z', detail: 'by “you”' } }),
    );
  });

  it('derives the message id from webhook and event (the Redis store computes the same in Lua)', () => {
    expect(deliveryId('wh_1', '42')).toBe('msg_lffZDAk9l6hyjiAI1Nj8idoSa-2');
    expect(deliveryId('wh_1', '43')).not.toBe(deliveryId('wh_1', '42'));
  });

  it('a draft made before the id, completed with it, is the delivery of the recorded event', () => {
    const { id: _id, ...unrecorded } = ended;
    const hooks = [{ id: 'wh_1', events: ['session.ended'], apps: ['web'], createdAt: 0 }, { id: 'wh_2', events: ['session.started'], apps: null, createdAt: 0 }, { id: 'wh_3', events: ['session.ended'], apps: ['other'], createdAt: 0 }];
    const drafts = draftDeliveries(hooks, unrecorded, T0 + 5);
    expect(drafts.map((d) => d.webhookId)).toEqual(['wh_1']);
    expect(completeDelivery(drafts[0]!, ended.id)).toEqual(newDelivery(hooks[0]!, ended, T0 + 5));
    expect(completeDelivery(drafts[0]!, ended.id).body).toBe(webhookBody(ended));
    // Not a webhook event: no drafts whatever the registrations say.
    expect(draftDeliveries([{ id: 'wh', events: ['password.changed'], apps: null, createdAt: 0 }], { ...unrecorded, type: 'session.extended' }, T0)).toEqual([]);
  });

  it('keeps the body whole whatever the keys of the event’s data (JavaScript puts integer-like keys first)', () => {
    const started: AuditEvent = { id: '7-1', type: 'session.started', at: T0, userId: 'u1', sessionId: 's1', ip: null, reason: null, data: { '0': 'x', b: 1 } };
    const { id: _id, ...unrecorded } = started;
    const hook = { id: 'wh_1', events: ['session.started'], apps: null, createdAt: 0 };
    const [draft] = draftDeliveries([hook], unrecorded, T0);
    const delivery = completeDelivery(draft!, started.id);
    expect(JSON.parse(delivery.body)).toEqual({ type: 'session.started', timestamp: '2026-01-01T12:00:00.000Z', data: { eventId: '7-1', userId: 'u1', sessionId: 's1', ip: null, '0': 'x', b: 1 } });
    expect(delivery).toEqual(newDelivery(hook, started, T0));
    expect(delivery.body).toBe(webhookBody(started));
  });
});
