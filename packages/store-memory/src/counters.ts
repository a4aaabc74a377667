import type { Counters } from '@sessiond/core';

export class MemoryCounters implements Counters {
  private readonly counters = new Map<string, { value: number; expiresAt: number }>();

  async incrementCounter(key: string, ttlMs: number, now: number): Promise<number> {
    const c = this.counters.get(key);
    if (!c || c.expiresAt <= now) {
      this.counters.set(key, { value: 1, expiresAt: now + ttlMs });
      return 1;
    }
    return ++c.value;
  }
  async decrementCounter(key: string, now: number): Promise<void> {
    const c = this.counters.get(key);
    if (c && c.expiresAt > now && c.value > 0) c.value--;
  }
  async peekCounter(key: string, now: number): Promise<number> {
    const c = this.counters.get(key);
    return c && c.expiresAt > now ? c.value : 0;
  }
  async resetCounter(key: string): Promise<void> {
    this.counters.delete(key);
  }
}
