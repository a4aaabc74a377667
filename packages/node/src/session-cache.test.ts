import { describe, expect, it } from 'vitest';
import { SessionCache } from './session-cache.ts';

describe('SessionCache', () => {
  let t = 0;
  const cache = () => new SessionCache<string>(3, () => t);

  it('keeps an entry until its time, and drops every credential of an ended session', () => {
    t = 0;
    const c = cache();
    c.set('a', 's1', 'A', 100, c.ticket());
    c.set('b', 's1', 'B', 100, c.ticket());
    c.set('c', 's2', 'C', 100, c.ticket());
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual(['A', 'B', 'C']);
    c.dropSession('s1');
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([null, null, 'C']);
    t = 100;
    expect(c.get('c')).toBeNull();
  });

  it('refuses an answer asked for before the session ended or the cache was cleared: it predates the ending', () => {
    t = 0;
    const c = cache();
    const before = c.ticket();
    c.dropSession('s1');
    c.set('a', 's1', 'A', 100, before);
    expect(c.get('a')).toBeNull();
    // Asked after the ending: sessiond's answer already knows of it.
    c.set('a', 's1', 'A', 100, c.ticket());
    expect(c.get('a')).toBe('A');
    const beforeClear = c.ticket();
    c.clear();
    c.set('b', 's2', 'B', 100, beforeClear);
    expect(c.get('b')).toBeNull();
  });

  it('holds at most its size, forgetting the oldest', () => {
    t = 0;
    const c = cache();
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, `s-${k}`, k, 100, c.ticket());
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeNull();
    expect(c.get('d')).toBe('d');
  });
});
