import { randomBytes } from 'node:crypto';
import { runStoreConformance } from '@sessiond/store-tests';
import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisStore } from '../src/redis-store.ts';
import { describeKeyLayout } from './layout.ts';
import { haveRedisServer, startCluster, type LocalRedis } from './local-redis.ts';

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
