import { randomBytes } from 'node:crypto';
import { runStoreConformance } from '@sessiond/store-tests';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis-store.ts';
import { breakDeliveryQueueWith, describeKeyLayout } from './layout.ts';

const url = process.env.REDIS_URL;
if (!url) console.warn('store-redis: REDIS_URL is not set; the Redis conformance suite is SKIPPED');

const prefixes = new WeakMap<object, string>();
const open = async (prefix: string) => {
  const s = createRedisStore(url!, { prefix });
  await s.init();
  prefixes.set(s, prefix);
  return s;
};

describe.skipIf(!url)('redis', () => {
  runStoreConformance('redis', () => open(`test-${randomBytes(6).toString('hex')}`), { realTime: true, breakDeliveryQueue: breakDeliveryQueueWith(() => new Redis(url!), prefixes) });
  describe('key layout', () => describeKeyLayout(open, () => [url!]));
});

describe.skipIf(!url)('redis delivery queue of layout 2', () => {
  /** As layout 2's scripts left a queue under `prefix`: the first delivered, two pending in one line. */
  async function writeLayout2Queue(r: Redis, prefix: string, now: number) {
    const old = `${prefix}:{wh}:`;
    const delivery = (n: number, status: 'pending' | 'delivered') => ({
      id: `msg_${n}`, webhookId: 'wh_a', eventId: String(n), type: 'session.started', orderKey: 's:one', body: `{"n":${n}}`,
      createdAt: now, status, attempts: [], nextAttemptAt: status === 'pending' ? now : null, lease: null,
    });
    const [done, first, second] = [delivery(1, 'delivered'), delivery(2, 'pending'), delivery(3, 'pending')];
    for (const [i, d] of [done, first, second].entries()) {
      await r.set(`${old}d:${d.id}`, JSON.stringify(d));
      await r.zadd(`${old}of:wh_a`, i + 1, d.id);
    }
    await r.zadd(`${old}done`, now, done.id);
    await r.rpush(`${old}line:wh_a\ns:one`, first.id, second.id);
    await r.zadd(`${old}ready`, now, 'wh_a\ns:one');
    await r.set(`${prefix}:layout`, '2');
    return { old, done, first, second };
  }

  /** A fresh prefix and a raw client, everything under the prefix deleted afterwards. */
  async function withPrefix(fn: (r: Redis, prefix: string) => Promise<void>) {
    const prefix = `move-${randomBytes(4).toString('hex')}`;
    const r = new Redis(url!);
    try {
      await fn(r, prefix);
    } finally {
      const left = await r.keys(`${prefix}:*`);
      if (left.length > 0) await r.del(...left);
      r.disconnect();
    }
  }

  it('moves to the audit stream’s slot at start, in order, pending ones still sent and finished ones kept', () =>
    withPrefix(async (r, prefix) => {
      const now = Date.now();
      const { old, done, first, second } = await writeLayout2Queue(r, prefix, now);
      const store = await open(prefix);
      try {
        expect((await store.listDeliveries('wh_a', 10)).map((d) => [d.id, d.status])).toEqual([[second.id, 'pending'], [first.id, 'pending'], [done.id, 'delivered']]);
        expect((await store.claimDeliveries({ now, token: 't', leaseMs: 60_000, limit: 10 })).map((d) => d.id)).toEqual([first.id]);
        expect(await r.keys(`${old}*`)).toEqual([]);
        expect(await r.get(`${prefix}:layout`)).toBe('3');
      } finally {
        await store.close();
      }
    }));

  it('moves under the migrate-lock: a node starting while another holds it waits, then moves what is left', () =>
    withPrefix(async (r, prefix) => {
      const now = Date.now();
      const { old, first } = await writeLayout2Queue(r, prefix, now);
      await r.set(`${prefix}:migrate-lock`, 'another-node', 'PX', 10_000);
      let opened = false;
      const opening = open(prefix).then((s) => ((opened = true), s));
      // Two of the waiting node's looks at the lock (every 200 ms): it neither moved nor served.
      await new Promise((done) => setTimeout(done, 450));
      expect(opened).toBe(false);
      expect(await r.exists(`${old}d:${first.id}`)).toBe(1);
      expect(await r.get(`${prefix}:layout`)).toBe('2');
      // The other node is gone without moving the queue: this one does it.
      await r.del(`${prefix}:migrate-lock`);
      const store = await opening;
      try {
        expect((await store.claimDeliveries({ now, token: 't', leaseMs: 60_000, limit: 10 })).map((d) => d.id)).toEqual([first.id]);
        expect(await r.keys(`${old}*`)).toEqual([]);
        expect(await r.get(`${prefix}:migrate-lock`)).toBeNull();
      } finally {
        await store.close();
      }
    }));
});
