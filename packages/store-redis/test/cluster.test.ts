import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '@sessiond/core';
import { makeEvent, makeSession, makeUser, runStoreConformance } from '@sessiond/store-tests';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/redis-store.ts';
import { describeKeyLayout } from './layout.ts';
import { clusterPrimaryOf, haveRedisServer, startCluster, until, type LocalRedis } from './local-redis.ts';

if (!haveRedisServer) console.warn('store-redis: redis-server is not installed; the Redis Cluster suite is SKIPPED');

// Three primaries of this test's own; the store is given one of them and discovers the rest.
describe.skipIf(!haveRedisServer)('redis cluster', () => {
  let cluster: LocalRedis;
  beforeAll(async () => {
    cluster = await startCluster(3);
  });
  afterAll(() => cluster?.stop());

  const open = async (prefix: string) => {
    const s = createRedisStore(`redis://127.0.0.1:${cluster.ports[0]}?cluster=1`, { prefix });
    await s.init();
    return s;
  };
  runStoreConformance('redis cluster', () => open(`test-${randomBytes(6).toString('hex')}`), { realTime: true });
  describe('key layout', () => describeKeyLayout(open, () => cluster.ports.map((p) => `redis://127.0.0.1:${p}`)));
});

// Three primaries with a replica each: a primary that dies is replaced by its replica.
describe.skipIf(!haveRedisServer)('redis cluster with replicas', () => {
  let cluster: LocalRedis;
  beforeAll(async () => {
    cluster = await startCluster(3, { replicas: 1 });
  });
  afterAll(() => cluster?.stop());

  it('follows a failover by itself: nothing replicated is lost, writes and the feed resume', { timeout: 60_000 }, async () => {
    const prefix = `failover-${randomBytes(4).toString('hex')}`;
    const store = createRedisStore(`redis://127.0.0.1:${cluster.ports[0]}?cluster=1`, { prefix });
    await store.init();
    const events: AuditEvent[] = [];
    store.subscribe((e) => events.push(e));
    try {
      const user = makeUser();
      await store.createUser(user);
      const before = makeSession({ createdAt: Date.now(), userId: user.id });
      await store.createSession(before);
      // Replication is asynchronous: wait until the replica has it.
      const primary = clusterPrimaryOf(cluster.ports[0]!, `${prefix}:{u:${user.id}}:user`);
      const direct = new Redis(primary, '127.0.0.1');
      expect(await direct.wait(1, 2000)).toBe(1);
      direct.disconnect();

      await cluster.kill(primary);
      const alive = cluster.ports.find((p) => p !== primary)!;
      await until('a replica to take over', () => {
        try {
          return clusterPrimaryOf(alive, `${prefix}:{u:${user.id}}:user`) !== primary;
        } catch {
          return false;
        }
      });

      // The same store object, no restart: reads and atomic writes reach the promoted replica.
      await until('the store to serve the user again', async () => store.findSession(before.id).then((s) => s !== null, () => false));
      expect(await store.findSession(before.id)).toEqual(before);
      const after = makeSession({ createdAt: Date.now(), userId: user.id });
      expect((await store.createSession(after)).ok).toBe(true);
      expect((await store.listUserSessions(user.id, Date.now())).map((s) => s.id).sort()).toEqual([before.id, after.id].sort());
      // The feed too (its stream may have lived on the shard that failed over).
      let recorded = '';
      await until('an event to be recorded', () => store.recordEvent(makeEvent({ userId: user.id })).then((e) => ((recorded = e.id), true), () => false));
      await until('the event on the feed', () => events.some((e) => e.id === recorded), 5000);
    } finally {
      await store.close();
    }
  });
});
