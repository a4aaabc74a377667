import type { Store } from '@sessiond/core';

/** The store a SESSIOND_STORE URL names. Drivers load lazily so SQLite users need no Redis client. */
export async function openStore(url: string, opts: { sqliteSync?: 'normal' | 'full' } = {}): Promise<Store> {
  let store: Store;
  if (url === 'memory:') {
    const { createMemoryStore } = await import('@sessiond/store-memory');
    store = createMemoryStore();
  } else if (url.startsWith('sqlite:')) {
    const { createSqliteStore } = await import('@sessiond/store-sqlite');
    store = createSqliteStore(url.slice('sqlite:'.length), { synchronous: opts.sqliteSync });
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

/**
 * Held by a running server: one SQLite file serves one server (a second would have its own cache
 * and hear none of the first's endings). Redis and PostgreSQL are made for several nodes, and the
 * memory store is the process's own, so they need none.
 */
export async function lockStoreForServing(url: string): Promise<{ release(): void } | null> {
  if (!url.startsWith('sqlite:')) return null;
  const { lockForServing } = await import('@sessiond/store-sqlite');
  return lockForServing(url.slice('sqlite:'.length));
}
