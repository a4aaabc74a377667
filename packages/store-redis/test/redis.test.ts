import { randomBytes } from 'node:crypto';
import { runStoreConformance } from '@sessiond/store-tests';
import { describe } from 'vitest';
import { createRedisStore } from '../src/redis-store.ts';
import { describeKeyLayout } from './layout.ts';

const url = process.env.REDIS_URL;
if (!url) console.warn('store-redis: REDIS_URL is not set; the Redis conformance suite is SKIPPED');

const open = async (prefix: string) => {
  const s = createRedisStore(url!, { prefix });
  await s.init();
  return s;
};

describe.skipIf(!url)('redis', () => {
  runStoreConformance('redis', () => open(`test-${randomBytes(6).toString('hex')}`), { realTime: true });
  describe('key layout', () => describeKeyLayout(open, () => [url!]));
});
