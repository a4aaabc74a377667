import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, startRefused, startServer, storeNamespace, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const redis = process.env.REDIS_URL;
const postgres = process.env.DATABASE_URL;
if (!redis) console.warn('multinode: REDIS_URL is not set; the Redis key-encryption key test is SKIPPED');
if (!postgres) console.warn('multinode: DATABASE_URL is not set; the PostgreSQL key-encryption key test is SKIPPED');

const drops: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(drops.map((d) => d())));
const dataDir = () => mkdtempSync(join(tmpdir(), 'sessiond-kek-'));

describe.each([
  ['redis', redis],
  ['postgres', postgres],
] as const)('the key-encryption key of two nodes on %s', (_kind, base) => {
  it.skipIf(!base)('a node whose own generated key differs from the one the store was first used with refuses to start, in one line', async () => {
    const ns = storeNamespace(base!, 'kek');
    drops.push(ns.drop);
    // Cookie-only nodes, each with the key it generated into its own data folder.
    const first = await startServer({ SESSIOND_STORE: ns.url, SESSIOND_DATA_DIR: dataDir() });
    try {
      const second = await startRefused({ SESSIOND_STORE: ns.url, SESSIOND_DATA_DIR: dataDir() });
      expect(second).toEqual({ code: 1, lines: ['sessiond: SESSIOND_KEY_ENCRYPTION_KEY differs from the one this store was first used with; give every node the same key'] });
    } finally {
      await first.stop();
    }
  }, 120_000);

  it.skipIf(!base)('nodes given the same key answer the same draft key and count sign-in failures together', async () => {
    const ns = storeNamespace(base!, 'kek');
    drops.push(ns.drop);
    const env = { SESSIOND_STORE: ns.url, SESSIOND_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const nodes: ServerProcess[] = await Promise.all([0, 1].map(() => startServer({ ...env, SESSIOND_DATA_DIR: dataDir() })));
    try {
      const [a, b] = nodes.map((n) => new Client(n.url)) as [Client, Client];
      await a.post('/v1/signup', { email: 'kek@example.com', password: PASSWORD });
      await a.post('/v1/login', { email: 'kek@example.com', password: PASSWORD });
      await b.post('/v1/login', { email: 'kek@example.com', password: PASSWORD });
      expect((await a.get('/v1/session/draft-key')).json.key).toBe((await b.get('/v1/session/draft-key')).json.key);
      // Five failures a minute per account and client, spread over both nodes; a typed password as the email.
      for (let i = 0; i < 5; i++) expect((await new Client(nodes[i % 2]!.url).post('/v1/login', { email: 'Hunter2-Secret', password: 'wrong password here' })).status).toBe(401);
      expect((await new Client(nodes[1]!.url).post('/v1/login', { email: 'hunter2-secret', password: 'wrong password here' })).status).toBe(429);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  }, 120_000);
});
