/** In-process: session validations per second through the core API, with and without the cache. */
import { DEFAULT_CORE_CONFIG, Sessiond, systemClock, type Store } from '@sessiond/core';
import { createMemoryStore } from '@sessiond/store-memory';
import { createSqliteStore } from '@sessiond/store-sqlite';

const passwords = { hash: async (p: string) => p, verify: async (h: string, p: string) => h === p };

async function rate(store: Store, cacheSize: number, ms = 2000): Promise<number> {
  await store.init();
  const sd = new Sessiond({ store, clock: systemClock, passwords, config: { ...DEFAULT_CORE_CONFIG, cacheSize } });
  await sd.users.create('core@example.com', 'correct horse battery');
  const { token } = await sd.signIn({ email: 'core@example.com', password: 'correct horse battery', rememberMe: false, app: 'web', mode: 'cookie', ip: '127.0.0.1', userAgent: 'bench' });
  const ctx = { ip: '127.0.0.1', userAgent: 'bench', passive: false };
  for (let i = 0; i < 10_000; i++) await sd.sessions.validateToken(token, ctx);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1000; i++) await sd.sessions.validateToken(token, ctx);
    n += 1000;
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  sd.close();
  await store.close();
  return perSec;
}

export async function benchCore(): Promise<{ name: string; opsPerSec: number }[]> {
  return [
    { name: 'validateToken, SQLite, cache on', opsPerSec: await rate(createSqliteStore(':memory:'), 100_000) },
    { name: 'validateToken, SQLite, cache off', opsPerSec: await rate(createSqliteStore(':memory:'), 0) },
    { name: 'validateToken, memory store, cache off', opsPerSec: await rate(createMemoryStore(), 0) },
  ];
}
