import { randomBytes } from 'node:crypto';
import { runStoreConformance } from '@sessiond/store-tests';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createRedisStore } from '../src/redis-store.ts';
import { expectFailoverFollowed } from './failover.ts';
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
    try {
      await expectFailoverFollowed(
        store,
        () => sentinel.primary,
        async (primary) => {
          await sentinel.kill(primary);
          await until('the sentinel to promote the replica', () => sentinelPrimary(sentinel.sentinel) === sentinel.replica);
        },
      );
    } finally {
      await store.close();
    }
  });
});
