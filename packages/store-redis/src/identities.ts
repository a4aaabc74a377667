import { createHash } from 'node:crypto';
import type { IdentityRecord, IdentityStore } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

/** Names a provider chose may hold anything (braces too, which Cluster reads as a hash tag): keys use their digest. */
const digest = (a: string, b: string) => createHash('sha256').update(JSON.stringify([a, b])).digest('base64url');

/**
 * Identity-provider links as one key each (SET NX: the first link wins), and provider sessions as
 * sorted sets scored by purgeAt, expiring with their last member.
 */
export class RedisIdentities implements IdentityStore {
  constructor(private readonly c: RedisConnection) {}

  async linkIdentity(identity: IdentityRecord): Promise<IdentityRecord> {
    const key = this.c.k.identity(digest(identity.issuer, identity.subject));
    await this.c.call(() => this.c.redis.set(key, JSON.stringify(identity), 'NX'));
    return JSON.parse((await this.c.call(() => this.c.redis.get(key)))!) as IdentityRecord;
  }

  async findIdentity(issuer: string, subject: string): Promise<IdentityRecord | null> {
    const raw = await this.c.call(() => this.c.redis.get(this.c.k.identity(digest(issuer, subject))));
    return raw ? (JSON.parse(raw) as IdentityRecord) : null;
  }

  async addProviderSession(issuer: string, sid: string, sessionId: string, purgeAt: number, now: number): Promise<void> {
    const key = this.c.k.providerSession(digest(issuer, sid));
    const [, , last] = (await this.c.call(() =>
      this.c.redis.multi().zadd(key, purgeAt, sessionId).zremrangebyscore(key, '-inf', now).zrange(key, -1, -1, 'WITHSCORES').exec(),
    ))!;
    const latest = Number((last?.[1] as string[] | undefined)?.[1] ?? purgeAt);
    await this.c.call(() => this.c.redis.pexpireat(key, Math.ceil(Math.max(latest, purgeAt))));
  }

  async providerSessions(issuer: string, sid: string, now: number): Promise<string[]> {
    return this.c.call(() => this.c.redis.zrangebyscore(this.c.k.providerSession(digest(issuer, sid)), `(${now}`, '+inf'));
  }
}
