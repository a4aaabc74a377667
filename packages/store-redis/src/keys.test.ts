import { describe, expect, it } from 'vitest';
import { RedisKeys } from './keys.ts';
import { createRedisStore } from './redis-store.ts';

// Stores are built with lazyConnect: nothing here touches the network.
describe('the key prefix', () => {
  it('refuses braces that are not a hash tag however the store is made, not only from a URL', () => {
    for (const prefix of ['a{b', 'a}b', '{}x', 'x}{y']) {
      expect(() => new RedisKeys(prefix), prefix).toThrow(/braces that are not a hash tag/);
      expect(() => createRedisStore('redis://127.0.0.1:6379', { prefix }), prefix).toThrow(/braces that are not a hash tag/);
    }
    expect(() => createRedisStore('redis://127.0.0.1:6379?prefix=a%7Bb')).toThrow(/^SESSIOND_STORE: prefix= "a\{b" has braces that are not a hash tag/);
  });

  it('takes a hash tag, or no braces at all', async () => {
    for (const prefix of ['{tenant}', 'tenant-{a}', 'tenant']) {
      const store = createRedisStore('redis://127.0.0.1:6379', { prefix });
      await store.close();
      expect(new RedisKeys(prefix).events).toBe(`${prefix}:events`);
    }
  });
});
