import type { SessionDataRecord, SessionDataStore } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';
import type { OwnerCache } from './owner-cache.ts';

/**
 * Session data as a hash beside its session's record (same user tag, so one script on one shard
 * checks the session and sets the data); it expires by itself no later than the record could.
 */
export class RedisSessionData implements SessionDataStore {
  constructor(
    private readonly c: RedisConnection,
    private readonly owners: OwnerCache,
  ) {}

  async readSessionData(sessionId: string): Promise<SessionDataRecord | null> {
    const userId = await this.owners.ownerOf(sessionId);
    if (userId === null) return null;
    const h = await this.c.call(() => this.c.redis.hgetall(this.c.k.sessionData(userId, sessionId)));
    return h.data === undefined || h.version === undefined ? null : { data: h.data, version: Number(h.version) };
  }

  async writeSessionData(sessionId: string, data: string, expectedVersion: number, purgeAt: number): Promise<number | null> {
    const userId = await this.owners.ownerOf(sessionId);
    if (userId === null) return null;
    const { k, redis } = this.c;
    const v = await this.c.call(() => redis.writeSessionData(k.session(userId, sessionId), k.sessionData(userId, sessionId), data, String(expectedVersion), String(Math.floor(purgeAt))));
    return v > 0 ? v : null;
  }
}
