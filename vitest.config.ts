import { spawnSync } from 'node:child_process';
import { defaultClientConditions, defaultServerConditions } from 'vite';
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

// The workspace packages' `exports` point at their build; the "sessiond:source" condition points
// at their TypeScript source, so tests need no build step: vitest resolves through it, and so does
// every process a test spawns (node --import tsx …), through NODE_OPTIONS. The pack test
// (e2e/packages) clears it: installed packages must work without it.
const SOURCE = 'sessiond:source';
if (!process.env.NODE_OPTIONS?.includes(`--conditions=${SOURCE}`)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --conditions=${SOURCE}`.trim();
}

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE] } },
  test: {
    // A watchdog for a hung test, not a measure of speed (timing behaviour is tested with short
    // configured timeouts): on this VM in a slow hour, browser and multi-process tests took 25-30 s.
    testTimeout: 60_000,
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
