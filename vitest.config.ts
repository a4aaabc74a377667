import { spawnSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';

// The API's end-to-end tests run again on each shared store, so every SPEC feature is exercised
// on Redis, Redis Cluster and PostgreSQL too, not only on the default store.
const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const stores = [
  { name: 'redis', provide: process.env.REDIS_URL },
  { name: 'postgres', provide: process.env.DATABASE_URL },
  { name: 'redis-cluster', globalSetup: haveRedisServer ? 'e2e/stores/cluster-setup.ts' : undefined },
].filter((s) => s.provide || s.globalSetup);
for (const skipped of ['redis', 'postgres', 'redis-cluster'].filter((n) => !stores.some((s) => s.name === n))) {
  console.warn(`vitest: the API tests on ${skipped} are SKIPPED (set REDIS_URL / DATABASE_URL, install redis-server)`);
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: server processes spawned by e2e tests need room.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'all', include: ['packages/*/src/**/*.test.{ts,tsx}', 'packages/*/test/**/*.test.ts', 'e2e/**/*.test.ts'] },
      },
      ...stores.map((s) => ({
        extends: true as const,
        test: {
          name: `api on ${s.name}`,
          include: ['e2e/api/**/*.test.ts'],
          ...(s.provide ? { provide: { e2eStore: s.provide } } : {}),
          ...(s.globalSetup ? { globalSetup: [s.globalSetup] } : {}),
        },
      })),
    ],
  },
});
