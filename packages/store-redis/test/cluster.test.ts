import { randomBytes } from 'node:crypto';
import { runStoreConformance } from '@sessiond/store-tests';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createRedisStore } from '../src/redis-store.ts';
import { expectFailoverFollowed } from './failover.ts';
import { Cluster } from 'ioredis';
import { breakDeliveryQueueWith, describeKeyLayout } from './layout.ts';
import { clusterPrimaryOf, haveRedisServer, startCluster, until, type LocalRedis } from './local-redis.ts';

if (!haveRedisServer) console.warn('store-redis: redis-server is not installed; the Redis Cluster suite is SKIPPED');

// Three primaries of this test's own; the store is given one of them and discovers the rest.
describe.skipIf(!haveRedisServer)('redis cluster', () => {
  let cluster: LocalRedis;
  beforeAll(async () => {
    cluster = await startCluster(3);
  });
  afterAll(() => cluster?.stop());

  const prefixes = new WeakMap<object, string>();
  const open = async (prefix: string) => {
    const s = createRedisStore(`redis://127.0.0.1:${cluster.ports[0]}?cluster=1`, { prefix });
    await s.init();
    prefixes.set(s, prefix);
    return s;
  };
  runStoreConformance('redis cluster', () => open(`test-${randomBytes(6).toString('hex')}`), {
    realTime: true,
    breakDeliveryQueue: breakDeliveryQueueWith(() => new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }]), prefixes),
  });
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
    const keyOf = (userId: string) => `${prefix}:{u:${userId}}:user`;
    let userId = '';
    try {
      await expectFailoverFollowed(
        store,
        (id) => clusterPrimaryOf(cluster.ports[0]!, keyOf((userId = id))),
        async (primary) => {
          await cluster.kill(primary);
          const alive = cluster.ports.find((p) => p !== primary)!;
          await until('a replica to take over', () => {
            try {
              return clusterPrimaryOf(alive, keyOf(userId)) !== primary;
            } catch {
              return false;
            }
          });
        },
      );
    } finally {
      await store.close();
    }
  });
});
