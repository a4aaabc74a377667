import type { Counters } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';

export class SqliteCounters implements Counters {
  constructor(private readonly c: SqliteConnection) {}

  async incrementCounter(key: string, ttlMs: number, now: number): Promise<number> {
    return guard(() => (this.c.q.incrementCounter.get({ key, expiresAt: now + ttlMs, now }) as { value: number }).value);
  }

  async decrementCounter(key: string, now: number): Promise<void> {
    guard(() => this.c.q.decrementCounter.run(key, now));
  }

  async peekCounter(key: string, now: number): Promise<number> {
    return guard(() => (this.c.q.peekCounter.get(key, now) as { value: number } | undefined)?.value ?? 0);
  }

  async resetCounter(key: string): Promise<void> {
    guard(() => this.c.q.resetCounter.run(key));
  }
}
