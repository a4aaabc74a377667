import type { RedisConnection } from './connection.ts';

/**
 * The `due` protocol: a sorted set of users by their earliest deadline, so sweeping reads only
 * users with something to time out. It is on another shard than the user, so it cannot change in
 * the user's script. Writers lower a user's entry after their script; only `settle` raises it, and
 * it then re-reads the user's index and lowers again. Whatever interleaves, the last word on an
 * entry was written after the user's latest sessions were visible: never later than their deadline.
 */
export class Due {
  constructor(private readonly c: RedisConnection) {}

  async settle(userId: string, next: number | null): Promise<void> {
    const { redis, k } = this.c;
    await this.c.call(() => (next === null ? redis.zrem(k.due, userId) : redis.zadd(k.due, next, userId)));
    let first: string[];
    try {
      first = await this.c.call(() => redis.zrange(k.userIndex(userId), 0, 0, 'WITHSCORES'));
    } catch (e) {
      // Unsure what the user has now: due at once is safe, since a sweep that finds nothing settles it.
      await this.lower(userId, 0).catch(() => {});
      throw e;
    }
    if (first[1] !== undefined && (next === null || Number(first[1]) < next)) await this.lower(userId, Number(first[1]));
  }

  async lower(userId: string, at: number): Promise<void> {
    await this.c.call(() => this.c.redis.zadd(this.c.k.due, 'LT', at, userId));
  }

  /** Users due at `now`, at most `limit`. */
  async users(now: number, limit: number): Promise<string[]> {
    return this.c.call(() => this.c.redis.zrangebyscore(this.c.k.due, '-inf', now, 'LIMIT', 0, limit));
  }

  /** Every user with a session that has not ended, page by page (ZSCAN sees every user present from start to end). */
  async *everyUser(): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, page] = await this.c.call(() => this.c.redis.zscan(this.c.k.due, cursor, 'COUNT', 500));
      cursor = next;
      yield page.filter((_, i) => i % 2 === 0);
    } while (cursor !== '0');
  }
}
