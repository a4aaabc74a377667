import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.ts';

describe('TtlCache', () => {
  it('trusts an entry for its TTL, evicts the least recently set past its size, and drops by value', () => {
    const c = new TtlCache<{ id: string }>(2, 1000);
    c.set('a', { id: '1' }, 0);
    c.set('b', { id: '2' }, 500);
    expect(c.get('a', 999)).toEqual({ id: '1' });
    expect(c.get('a', 1000)).toBeUndefined();
    c.set('c', { id: '3' }, 600);
    c.set('d', { id: '3' }, 700);
    expect([c.get('b', 700), c.size]).toEqual([undefined, 2]);
    c.update('c', { id: '3' });
    c.deleteWhere((v) => v.id === '3');
    expect(c.size).toBe(0);
    const off = new TtlCache<number>(0, 1000);
    off.set('a', 1, 0);
    expect(off.get('a', 0)).toBeUndefined();
  });
});
