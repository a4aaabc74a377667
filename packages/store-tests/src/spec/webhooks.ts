import { afterAttempt, DEFAULT_RETRY_POLICY, type WebhookDelivery, type WebhookRecord } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { MIN } from '../fixtures.ts';

let n = 0;
function makeWebhook(overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  n++;
  return { id: `wh_${n}`, url: `https://hooks.example.com/${n}`, events: ['session.started', 'session.ended'], apps: null, secretSealed: `v1.sealed.${n}`, createdAt: 1_767_268_800_000 + n, ...overrides };
}

function makeDelivery(t0: number, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  n++;
  return {
    id: `msg_${n}`,
    webhookId: 'wh_a',
    eventId: String(n),
    type: 'session.started',
    orderKey: `s:session-${n}`,
    body: JSON.stringify({ type: 'session.started', timestamp: new Date(t0).toISOString(), data: { sessionId: `session-${n}`, note: 'ünïcode / "quoted"' } }),
    createdAt: t0,
    status: 'pending',
    attempts: [],
    nextAttemptAt: t0,
    lease: null,
    ...overrides,
  };
}

const claimAt = (now: number, token = `claim-${now}`, limit = 10, leaseMs = MIN) => ({ now, token, leaseMs, limit });
const ids = (ds: WebhookDelivery[]) => ds.map((d) => d.id).sort();

export function describeWebhooks(ctx: SuiteContext): void {
  describe('webhooks', () => {
    it('stores webhooks exactly, oldest first, and deletes one once', async () => {
      const a = makeWebhook({ apps: ['banking'] });
      const b = makeWebhook();
      await ctx.store.saveWebhook(b);
      await ctx.store.saveWebhook(a);
      expect(await ctx.store.listWebhooks()).toEqual([a, b].sort((x, y) => x.createdAt - y.createdAt));
      expect(await ctx.store.deleteWebhook(a.id)).toBe(true);
      expect(await ctx.store.deleteWebhook(a.id)).toBe(false);
      expect(await ctx.store.listWebhooks()).toEqual([b]);
    });

    it('queues a delivery once by id, keeps it exactly, and lists a webhook’s newest first', async () => {
      const first = makeDelivery(ctx.t0);
      const second = makeDelivery(ctx.t0 + 1, { orderKey: first.orderKey });
      const other = makeDelivery(ctx.t0, { webhookId: 'wh_b' });
      expect(await ctx.store.enqueueDeliveries([first, second, other])).toBe(3);
      // A repeat (another node, a retried call) queues nothing, and does not change what is queued.
      expect(await ctx.store.enqueueDeliveries([{ ...first, body: '{}' }])).toBe(0);
      expect(await ctx.store.listDeliveries('wh_a', 10)).toEqual([second, first]);
      expect(await ctx.store.listDeliveries('wh_a', 1)).toEqual([second]);
      expect(await ctx.store.listDeliveries('wh_b', 10)).toEqual([other]);
      expect(await ctx.store.listDeliveries('wh_none', 10)).toEqual([]);
    });

    it('claims only due deliveries, leases them, and gives them to another claim only after the lease', async () => {
      const due = makeDelivery(ctx.t0);
      const later = makeDelivery(ctx.t0, { nextAttemptAt: ctx.t0 + 5 * MIN });
      await ctx.store.enqueueDeliveries([due, later]);
      const [claimed, ...rest] = await ctx.store.claimDeliveries(claimAt(ctx.t0, 'a'));
      expect(rest).toEqual([]);
      expect(claimed).toEqual({ ...due, lease: { token: 'a', until: ctx.t0 + MIN } });
      // Leased: no other node takes it while the lease runs.
      expect(await ctx.store.claimDeliveries(claimAt(ctx.t0 + MIN - 1, 'b'))).toEqual([]);
      // The node holding it died: once the lease is over, another takes it.
      const taken = await ctx.store.claimDeliveries(claimAt(ctx.t0 + MIN, 'b'));
      expect(taken.map((d) => [d.id, d.lease?.token])).toEqual([[due.id, 'b']]);
      // The first node wakes up late: its outcome must not overwrite the one that took over.
      const attempt = { at: ctx.t0 + MIN, statusCode: 500, error: null, durationMs: 3 };
      expect(await ctx.store.settleDelivery(due.id, 'a', { status: 'delivered', attempts: [attempt], nextAttemptAt: null })).toBe(false);
      expect(await ctx.store.settleDelivery(due.id, 'b', { status: 'delivered', attempts: [{ ...attempt, statusCode: 204 }], nextAttemptAt: null })).toBe(true);
      // Settled: the lease is gone, so the same token settles nothing more.
      expect(await ctx.store.settleDelivery(due.id, 'b', { status: 'failed', attempts: [], nextAttemptAt: null })).toBe(false);
      expect(await ctx.store.listDeliveries('wh_a', 10)).toEqual([later, { ...due, status: 'delivered', attempts: [{ ...attempt, statusCode: 204 }], nextAttemptAt: null, lease: null }]);
      expect(ids(await ctx.store.claimDeliveries(claimAt(ctx.t0 + 5 * MIN)))).toEqual([later.id]);
    });

    it('delivers a line in order: a later delivery waits until the earlier one is delivered or failed', async () => {
      const key = 's:one-session';
      const d1 = makeDelivery(ctx.t0, { orderKey: key });
      const d2 = makeDelivery(ctx.t0, { orderKey: key });
      const d3 = makeDelivery(ctx.t0, { orderKey: key });
      const elsewhere = makeDelivery(ctx.t0);
      const otherHook = makeDelivery(ctx.t0, { webhookId: 'wh_b', orderKey: key });
      await ctx.store.enqueueDeliveries([d1, d2, d3, elsewhere, otherHook]);
      expect(ids(await ctx.store.claimDeliveries(claimAt(ctx.t0, 't1')))).toEqual(ids([d1, elsewhere, otherHook]));
      // d1 failed once and waits for its retry: d2 is due but must not overtake it.
      const failed = afterAttempt(d1, { at: ctx.t0, statusCode: 503, error: null, durationMs: 1 }, DEFAULT_RETRY_POLICY);
      expect(failed.status).toBe('pending');
      expect(await ctx.store.settleDelivery(d1.id, 't1', failed)).toBe(true);
      expect(await ctx.store.claimDeliveries(claimAt(ctx.t0 + 1, 't2'))).toEqual([]);
      const retry = await ctx.store.claimDeliveries(claimAt(failed.nextAttemptAt!, 't3'));
      expect(retry.map((d) => [d.id, d.attempts.length])).toEqual([[d1.id, 1]]);
      expect(await ctx.store.settleDelivery(d1.id, 't3', afterAttempt(retry[0]!, { at: failed.nextAttemptAt!, statusCode: 200, error: null, durationMs: 1 }, DEFAULT_RETRY_POLICY))).toBe(true);
      expect(ids(await ctx.store.claimDeliveries(claimAt(failed.nextAttemptAt!, 't4')))).toEqual([d2.id]);
      // Given up for good: it no longer holds up the line.
      expect(await ctx.store.settleDelivery(d2.id, 't4', { status: 'failed', attempts: [], nextAttemptAt: null })).toBe(true);
      expect(ids(await ctx.store.claimDeliveries(claimAt(failed.nextAttemptAt!, 't5')))).toEqual([d3.id]);
    });

    it('takes back a delivery given back untried, at once', async () => {
      const d = makeDelivery(ctx.t0);
      await ctx.store.enqueueDeliveries([d]);
      const [claimed] = await ctx.store.claimDeliveries(claimAt(ctx.t0, 'stopping'));
      expect(await ctx.store.settleDelivery(d.id, 'stopping', { status: 'pending', attempts: claimed!.attempts, nextAttemptAt: claimed!.nextAttemptAt })).toBe(true);
      expect(ids(await ctx.store.claimDeliveries(claimAt(ctx.t0, 'next')))).toEqual([d.id]);
    });

    it('of claims made at once, each delivery goes to one, and a claim takes at most its limit', async () => {
      const ds = Array.from({ length: 12 }, () => makeDelivery(ctx.t0));
      await ctx.store.enqueueDeliveries(ds);
      expect(await ctx.store.claimDeliveries(claimAt(ctx.t0, 'small', 2))).toHaveLength(2);
      const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => ctx.store.claimDeliveries(claimAt(ctx.t0, `c${i}`, 3))));
      const all = claims.flat().map((d) => d.id);
      expect(all).toHaveLength(new Set(all).size);
      expect(all).toHaveLength(10);
    });

    it('purges only finished deliveries queued before the cut-off, at most the limit', async () => {
      const old = makeDelivery(ctx.t0);
      const oldPending = makeDelivery(ctx.t0);
      const young = makeDelivery(ctx.t0 + 10 * MIN);
      await ctx.store.enqueueDeliveries([old, oldPending, young]);
      for (const d of await ctx.store.claimDeliveries(claimAt(ctx.t0 + 10 * MIN, 'x'))) {
        if (d.id !== oldPending.id) await ctx.store.settleDelivery(d.id, 'x', { status: 'delivered', attempts: [], nextAttemptAt: null });
      }
      expect(await ctx.store.purgeDeliveries(ctx.t0 + MIN, 100)).toBe(1);
      expect(ids(await ctx.store.listDeliveries('wh_a', 10))).toEqual(ids([oldPending, young]));
      expect(await ctx.store.purgeDeliveries(ctx.t0 + MIN, 100)).toBe(0);
    });
  });
}
