import { completeDelivery, draftDeliveries, newDelivery, type NewAuditEvent, type WebhookTarget } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { makeEvent } from '../fixtures.ts';

const target = (id: string, events: string[] = ['session.started', 'session.ended', 'sessions.ended_all']): WebhookTarget => ({ id, events, apps: null, createdAt: 0 });

/**
 * An event and its webhook deliveries are stored in one atomic step (`recordEvent` with drafts):
 * a delivery is queued by the call that records its event, never by a later one that a crash
 * could prevent, and an event whose deliveries cannot be queued is not recorded either.
 */
export function describeEventFanOut(ctx: SuiteContext): void {
  describe('events with their webhook deliveries', () => {
    it('queues the deliveries in the call that records the event, each completed with its id exactly as core does', async () => {
      const hooks = [target('wh_x'), target('wh_y')];
      const started: NewAuditEvent = makeEvent({ type: 'session.started', at: ctx.t0, userId: 'u1', sessionId: 's1', data: { app: 'web', device: 'Firefox on Linux — “ünïcode” / \\ ', newDevice: true } });
      const drafts = draftDeliveries(hooks, started, ctx.t0 + 1);
      expect(drafts).toHaveLength(2);
      const recorded = await ctx.store.recordEvent(started, drafts);
      // No enqueue call: once recordEvent has returned, the deliveries are there.
      const [x] = await ctx.store.listDeliveries('wh_x', 10);
      expect(x).toEqual(newDelivery(hooks[0]!, recorded, ctx.t0 + 1));
      expect(x).toEqual(completeDelivery(drafts[0]!, recorded.id));
      expect(JSON.parse(x!.body).data).toMatchObject({ eventId: recorded.id, sessionId: 's1', device: started.data.device });
      expect(await ctx.store.listDeliveries('wh_y', 10)).toEqual([newDelivery(hooks[1]!, recorded, ctx.t0 + 1)]);

      // An event of no session is a line of its own; one without drafts queues nothing.
      const all = makeEvent({ type: 'sessions.ended_all', at: ctx.t0 + 2, reason: 'global_logout', data: { count: 3 } });
      const recordedAll = await ctx.store.recordEvent(all, draftDeliveries([hooks[0]!], all, ctx.t0 + 2));
      await ctx.store.recordEvent(makeEvent({ at: ctx.t0 + 3, sessionId: 's2' }));
      const xs = await ctx.store.listDeliveries('wh_x', 10);
      expect(xs).toEqual([newDelivery(hooks[0]!, recordedAll, ctx.t0 + 2), x]);
      expect(xs[0]!.orderKey).toBe(`e:${recordedAll.id}`);
    });

    it('keeps a session’s order: its later event’s delivery waits behind the earlier one', async () => {
      const hooks = [target('wh_order')];
      const first = makeEvent({ type: 'session.started', at: ctx.t0, sessionId: 's-ordered' });
      const second = makeEvent({ type: 'session.ended', at: ctx.t0 + 1, sessionId: 's-ordered', reason: 'logged_out' });
      const a = await ctx.store.recordEvent(first, draftDeliveries(hooks, first, ctx.t0));
      const b = await ctx.store.recordEvent(second, draftDeliveries(hooks, second, ctx.t0 + 1));
      const claimed = await ctx.store.claimDeliveries({ now: ctx.t0 + 1, token: 'c', leaseMs: 60_000, limit: 10 });
      expect(claimed.map((d) => d.eventId)).toEqual([a.id]);
      expect(await ctx.store.settleDelivery(claimed[0]!.id, 'c', { status: 'delivered', attempts: [], nextAttemptAt: null })).toBe(true);
      expect((await ctx.store.claimDeliveries({ now: ctx.t0 + 1, token: 'd', leaseMs: 60_000, limit: 10 })).map((d) => d.eventId)).toEqual([b.id]);
    });

    it('delivers concurrent events of one session in the order of their event ids', async () => {
      const hooks = [target('wh_race')];
      // Recorded at once, as several nodes (or one node's pool) may: the queue must still follow the log.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const e = makeEvent({ type: i % 2 ? 'session.ended' : 'session.started', at: ctx.t0 + i, sessionId: 's-race' });
          return ctx.store.recordEvent(e, draftDeliveries(hooks, e, ctx.t0));
        }),
      );
      const logged = (await ctx.store.listEvents({ sessionId: 's-race', limit: 100 })).map((e) => e.id).reverse();
      const delivered: string[] = [];
      for (let round = 0; round < 41; round++) {
        const [head, ...others] = await ctx.store.claimDeliveries({ now: ctx.t0, token: `r${round}`, leaseMs: 60_000, limit: 10 });
        if (!head) break;
        // One line: only its head is ever handed out.
        expect(others).toEqual([]);
        delivered.push(head.eventId);
        expect(await ctx.store.settleDelivery(head.id, `r${round}`, { status: 'delivered', attempts: [], nextAttemptAt: null })).toBe(true);
      }
      expect(logged).toHaveLength(40);
      expect(delivered).toEqual(logged);
    });

    it.skipIf(!ctx.breakDeliveryQueue)('records neither the event nor any of its deliveries when one delivery cannot be stored', async () => {
      await ctx.breakDeliveryQueue!(ctx.store, 'wh_broken');
      const event = makeEvent({ at: ctx.t0, sessionId: 's-broken' });
      // The delivery that can be stored comes first, so a store writing one at a time would keep it.
      const drafts = draftDeliveries([target('wh_fine'), target('wh_broken')], event, ctx.t0);
      await expect(ctx.store.recordEvent(event, drafts)).rejects.toThrow();
      expect(await ctx.store.listEvents({ limit: 10 })).toEqual([]);
      expect(await ctx.store.listDeliveries('wh_fine', 10)).toEqual([]);
      // Nothing else is affected: the same event without the broken webhook is recorded with its delivery.
      const recorded = await ctx.store.recordEvent(event, drafts.slice(0, 1));
      expect(await ctx.store.listEvents({ limit: 10 })).toEqual([recorded]);
      expect(await ctx.store.listDeliveries('wh_fine', 10)).toEqual([completeDelivery(drafts[0]!, recorded.id)]);
    });
  });
}
