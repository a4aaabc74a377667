import { randomBytes } from 'node:crypto';
import { runStoreConformance } from '@sessiond/store-tests';
import { describe } from 'vitest';
import { createRedisStore } from './redis-store.ts';

const url = process.env.REDIS_URL;
if (!url) console.warn('store-redis: REDIS_URL is not set; the Redis conformance suite is SKIPPED');

describe.skipIf(!url)('redis', () => {
  runStoreConformance(
    'redis',
    async () => {
      const s = createRedisStore(url!, { prefix: `test-${randomBytes(6).toString('hex')}` });
      await s.init();
      return s;
    },
    { realTime: true },
  );
});
