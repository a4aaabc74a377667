import { describe, expect, it } from 'vitest';
import { createRefreshLock } from './refresh-lock.ts';

describe('createRefreshLock', () => {
  it('runs one task at a time, in order, even when one fails', async () => {
    const withLock = createRefreshLock('test');
    const order: string[] = [];
    const slow = (name: string, ms: number, fail = false) =>
      withLock(async () => {
        order.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([slow('a', 20, true), slow('b', 1), slow('c', 1)]);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});
