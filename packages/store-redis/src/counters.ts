import type { Counters } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

/** Counters expire by Redis's own clock (PEXPIRE at creation), so `now` is not needed here. */
export class RedisCounters implements Counters {
  constructor(private readonly c: RedisConnection) {}

  async incrementCounter(key: string, ttlMs: number): Promise<number> {
    return this.c.call(() => this.c.redis.incrementCounter(this.c.k.counter(key), String(ttlMs)));
  }

  async decrementCounter(key: string): Promise<void> {
    await this.c.call(() => this.c.redis.decrementCounter(this.c.k.counter(key)));
  }

  async peekCounter(key: string): Promise<number> {
    return Number((await this.c.call(() => this.c.redis.get(this.c.k.counter(key)))) ?? 0);
  }

  async resetCounter(key: string): Promise<void> {
    await this.c.call(() => this.c.redis.del(this.c.k.counter(key)));
  }
}
