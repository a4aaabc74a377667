import type { Counters } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

export class PgCounters implements Counters {
  constructor(private readonly c: PgConnection) {}

  async incrementCounter(key: string, ttlMs: number, now: number): Promise<number> {
    const r = await this.c.q<{ value: number }>(
      `INSERT INTO counters (key, value, expires_at) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN counters.expires_at <= $3 THEN 1 ELSE counters.value + 1 END,
         expires_at = CASE WHEN counters.expires_at <= $3 THEN EXCLUDED.expires_at ELSE counters.expires_at END
       RETURNING value`,
      [key, now + ttlMs, now],
    );
    return r.rows[0]!.value;
  }

  async decrementCounter(key: string, now: number): Promise<void> {
    // One statement: under concurrent updates PostgreSQL re-checks `value > 0` on the newest row.
    await this.c.q('UPDATE counters SET value = value - 1 WHERE key = $1 AND expires_at > $2 AND value > 0', [key, now]);
  }

  async peekCounter(key: string, now: number): Promise<number> {
    return (await this.c.q<{ value: number }>('SELECT value FROM counters WHERE key = $1 AND expires_at > $2', [key, now])).rows[0]?.value ?? 0;
  }

  async resetCounter(key: string): Promise<void> {
    await this.c.q('DELETE FROM counters WHERE key = $1', [key]);
  }
}
