import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveRedisServer, startCluster, type LocalRedis } from '../../packages/store-redis/test/local-redis.ts';
import { Client, startServer, storeNamespace, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const redis = process.env.REDIS_URL;
const postgres = process.env.DATABASE_URL;
if (!redis) console.warn('multinode: REDIS_URL is not set; the Redis multi-node test is SKIPPED');
if (!postgres) console.warn('multinode: DATABASE_URL is not set; the PostgreSQL multi-node test is SKIPPED');

// A Redis Cluster of this file's own (three primaries), so sharded keys are exercised end to end.
let cluster: LocalRedis | undefined;
beforeAll(async () => {
  if (haveRedisServer) cluster = await startCluster(3);
});
afterAll(() => cluster?.stop());

const drops: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(drops.map((d) => d())));

function storeUrl(kind: 'redis' | 'redis-cluster' | 'postgres'): string {
  const base = { redis, 'redis-cluster': `redis://127.0.0.1:${cluster?.ports[0]}?cluster=1`, postgres }[kind]!;
  const ns = storeNamespace(base, 'mn');
  drops.push(ns.drop);
  return ns.url;
}

describe.each([
  ['redis', !redis],
  ['redis-cluster', !haveRedisServer],
  ['postgres', !postgres],
] as const)('three nodes on %s', (kind, skip) => {
  it.skipIf(skip)('start on A, validate on B, revoke on C: every node knows at once', async () => {
    const url = storeUrl(kind);
    const nodes: ServerProcess[] = await Promise.all([startServer({ SESSIOND_STORE: url }), startServer({ SESSIOND_STORE: url }), startServer({ SESSIOND_STORE: url })]);
    try {
      const [a, b, c] = nodes.map((n) => new Client(n.url)) as [Client, Client, Client];
      expect((await a.post('/v1/signup', { email: 'multi@example.com', password: PASSWORD })).status).toBe(201);
      const onA = await a.post('/v1/login', { email: 'multi@example.com', password: PASSWORD });
      const token = onA.json.token;
      const bearer = { authorization: `Bearer ${token}` };
      // B and C validate it and cache it.
      expect((await b.get('/v1/session', bearer)).status).toBe(200);
      expect((await c.get('/v1/session', bearer)).status).toBe(200);
      // C's own session for the same user ends A's.
      const onC = await c.post('/v1/login', { email: 'multi@example.com', password: PASSWORD });
      const t0 = Date.now();
      expect((await c.delete(`/v1/sessions/${onA.json.session.id}`, { authorization: `Bearer ${onC.json.token}` })).status).toBe(204);
      // Within a second every node answers with the reason, caches notwithstanding.
      for (const client of [a, b, c]) {
        let r = await client.get('/v1/session', bearer);
        while (r.status === 200 && Date.now() - t0 < 1000) r = await client.get('/v1/session', bearer);
        expect(r.json.error).toMatchObject({ code: 'session_ended', reason: 'revoked' });
      }
      expect(Date.now() - t0).toBeLessThan(1000);
      // Sessions listed on any node are the same.
      const listB = (await b.get('/v1/sessions', { authorization: `Bearer ${onC.json.token}` })).json.sessions.map((s: { id: string }) => s.id);
      expect(listB).toEqual([onC.json.session.id]);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });
});
