import { randomId } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import { sleep, type SuiteContext } from '../context.ts';

export function describeCounters(ctx: SuiteContext): void {
  describe('counters', () => {
    // Short TTLs: a store that expires by its backend's clock must really wait them out.
    const ttl = 300;
    const now = () => (ctx.realTime ? Date.now() : ctx.t0);

    it('counts per key and resets', async () => {
      const key = `login:${randomId()}`;
      const other = `login:${randomId()}`;
      expect(await ctx.store.incrementCounter(key, ttl, now())).toBe(1);
      expect(await ctx.store.incrementCounter(key, ttl, now())).toBe(2);
      expect(await ctx.store.incrementCounter(other, ttl, now())).toBe(1);
      await ctx.store.resetCounter(key);
      expect(await ctx.store.incrementCounter(key, ttl, now())).toBe(1);
      expect(await ctx.store.incrementCounter(other, ttl, now())).toBe(2);
      await ctx.store.resetCounter('never-counted');
    });

    it('peeks without changing anything', async () => {
      const key = `login:${randomId()}`;
      expect(await ctx.store.peekCounter(key, now())).toBe(0);
      await ctx.store.incrementCounter(key, 10_000, now());
      await ctx.store.incrementCounter(key, 10_000, now());
      expect(await ctx.store.peekCounter(key, now())).toBe(2);
      expect(await ctx.store.peekCounter(key, now())).toBe(2);
      if (!ctx.realTime) expect(await ctx.store.peekCounter(key, now() + 10_000)).toBe(0);
      await ctx.store.resetCounter(key);
      expect(await ctx.store.peekCounter(key, now())).toBe(0);
    });

    it('counts every one of many concurrent increments', async () => {
      const key = `login:${randomId()}`;
      const values = await Promise.all(Array.from({ length: 20 }, () => ctx.store.incrementCounter(key, 10_000, now())));
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('starts again once the TTL, counted from the first increment, has passed', async () => {
      const key = `login:${randomId()}`;
      const start = now();
      expect(await ctx.store.incrementCounter(key, ttl, start)).toBe(1);
      if (ctx.realTime) {
        expect(await ctx.store.incrementCounter(key, ttl, Date.now())).toBe(2);
        await sleep(ttl + 200);
        expect(await ctx.store.incrementCounter(key, ttl, Date.now())).toBe(1);
      } else {
        // A fixed window: later increments do not extend it.
        expect(await ctx.store.incrementCounter(key, ttl, start + 200)).toBe(2);
        expect(await ctx.store.incrementCounter(key, ttl, start + ttl - 1)).toBe(3);
        expect(await ctx.store.incrementCounter(key, ttl, start + ttl + 1)).toBe(1);
        expect(await ctx.store.incrementCounter(key, ttl, start + ttl + 2)).toBe(2);
      }
    });

    it('takes back an increment, never below 0 and never into an absent counter', async () => {
      const key = `login:${randomId()}`;
      await ctx.store.decrementCounter(key, now());
      expect(await ctx.store.peekCounter(key, now())).toBe(0);
      await ctx.store.incrementCounter(key, 10_000, now());
      await ctx.store.incrementCounter(key, 10_000, now());
      await ctx.store.decrementCounter(key, now());
      expect(await ctx.store.peekCounter(key, now())).toBe(1);
      await ctx.store.decrementCounter(key, now());
      await ctx.store.decrementCounter(key, now());
      expect(await ctx.store.peekCounter(key, now())).toBe(0);
      expect(await ctx.store.incrementCounter(key, 10_000, now())).toBe(1);
    });

    it('loses none of many concurrent increments and decrements', async () => {
      const key = `login:${randomId()}`;
      await Promise.all(Array.from({ length: 20 }, () => ctx.store.incrementCounter(key, 10_000, now())));
      await Promise.all([
        ...Array.from({ length: 10 }, () => ctx.store.decrementCounter(key, now())),
        ...Array.from({ length: 5 }, () => ctx.store.incrementCounter(key, 10_000, now())),
      ]);
      expect(await ctx.store.peekCounter(key, now())).toBe(15);
    });

    it('a counter taken back to 0 keeps the window of its first increment', async () => {
      let key = `login:${randomId()}`;
      const window = 400;
      let start = now();
      await ctx.store.incrementCounter(key, window, start);
      if (ctx.realTime) {
        // On a busy machine the sleep can outlast the window, and then the second increment rightly
        // opens a new one: try again (a fresh key) until it lands inside the first window.
        for (let attempt = 1; ; attempt++) {
          await sleep(window / 2);
          await ctx.store.decrementCounter(key, Date.now());
          expect(await ctx.store.incrementCounter(key, window, Date.now())).toBe(1);
          if (Date.now() - start < window - 50 || attempt === 5) break;
          key = `login:${randomId()}`;
          start = Date.now();
          await ctx.store.incrementCounter(key, window, start);
        }
        // Restarted by that increment, the window would last until 600 ms; it ends at 400 ms.
        await sleep(Math.max(0, start + window + 100 - Date.now()));
        expect(await ctx.store.peekCounter(key, Date.now())).toBe(0);
      } else {
        await ctx.store.decrementCounter(key, start + 200);
        expect(await ctx.store.incrementCounter(key, window, start + 200)).toBe(1);
        expect(await ctx.store.peekCounter(key, start + window + 1)).toBe(0);
        // Past its TTL there is nothing to take back.
        await ctx.store.decrementCounter(key, start + window + 1);
        expect(await ctx.store.incrementCounter(key, window, start + window + 2)).toBe(1);
      }
    });
  });
}
