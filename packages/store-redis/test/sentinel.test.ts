import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '@sessiond/core';
import { makeEvent, makeSession, makeUser, runStoreConformance } from '@sessiond/store-tests';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis-store.ts';
import { haveRedisServer, sentinelPrimary, startSentinel, until } from './local-redis.ts';

if (!haveRedisServer) console.warn('store-redis: redis-server is not installed; the Sentinel suite is SKIPPED');

describe.skipIf(!haveRedisServer)('redis sentinel', () => {
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;
  beforeAll(async () => {
    sentinel = await startSentinel('sessiond');
  });
  afterAll(() => sentinel?.stop());

  const open = async (prefix = `test-${randomBytes(6).toString('hex')}`) => {
    // The URL names a sentinel, never the primary: the store asks the sentinel where it is.
    const s = createRedisStore(`redis://127.0.0.1:${sentinel.sentinel}?sentinel=sessiond`, { prefix });
    await s.init();
    return s;
  };

  describe('before any failover', () => {
    runStoreConformance('redis sentinel', () => open(), { realTime: true });
  });

  it('follows a failover by itself: nothing replicated is lost, writes and the feed resume', { timeout: 60_000 }, async () => {
    const store = await open();
    const events: AuditEvent[] = [];
    store.subscribe((e) => events.push(e));
    try {
      const user = makeUser();
      await store.createUser(user);
      const before = makeSession({ createdAt: Date.now(), userId: user.id });
      await store.createSession(before);
      // Replication is asynchronous: wait until the replica has it, as AOF + a replica would in production.
      const primary = new Redis(sentinel.primary, '127.0.0.1');
      expect(await primary.wait(1, 2000)).toBe(1);
      primary.disconnect();

      await sentinel.kill(sentinel.primary);
      await until('the sentinel to promote the replica', () => sentinelPrimary(sentinel.sentinel) === sentinel.replica);

      // The same store object, no restart: reads and atomic writes go to the new primary.
      await until('the store to reach the new primary', async () => store.ping().then(() => true, () => false));
      expect(await store.findSession(before.id)).toEqual(before);
      const after = makeSession({ createdAt: Date.now(), userId: user.id });
      expect((await store.createSession(after)).ok).toBe(true);
      expect((await store.listUserSessions(user.id, Date.now())).map((s) => s.id).sort()).toEqual([before.id, after.id].sort());
      // The subscriber re-subscribed on the new primary too.
      const recorded = await store.recordEvent(makeEvent({ userId: user.id }));
      await until('the event on the feed', () => events.some((e) => e.id === recorded.id), 5000);
    } finally {
      await store.close();
    }
  });
});
