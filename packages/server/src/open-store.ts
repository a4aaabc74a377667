import type { Store } from '@sessiond/core';

/** The store a SESSIOND_STORE URL names. Drivers load lazily so SQLite users need no Redis client. */
export async function openStore(url: string): Promise<Store> {
  let store: Store;
  if (url === 'memory:') {
    const { createMemoryStore } = await import('@sessiond/store-memory');
    store = createMemoryStore();
  } else if (url.startsWith('sqlite:')) {
    const { createSqliteStore } = await import('@sessiond/store-sqlite');
    store = createSqliteStore(url.slice('sqlite:'.length));
  } else if (/^rediss?:\/\//.test(url)) {
    const { createRedisStore } = await import('@sessiond/store-redis');
    store = createRedisStore(url);
  } else {
    const { createPostgresStore } = await import('@sessiond/store-postgres');
    store = createPostgresStore(url);
  }
  await store.init();
  return store;
}
