import { afterAll, describe, expect, it } from 'vitest';
import { Client, startServer, storeNamespace, type ServerProcess } from '../harness.ts';

const ADMIN = 'admin-token-for-tests-0123456789';
const redis = process.env.REDIS_URL;
const postgres = process.env.DATABASE_URL;
if (!redis) console.warn('multinode: REDIS_URL is not set; the Redis app-key test is SKIPPED');
if (!postgres) console.warn('multinode: DATABASE_URL is not set; the PostgreSQL app-key test is SKIPPED');

const drops: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(drops.map((d) => d())));

describe.each([
  ['redis', redis],
  ['postgres', postgres],
] as const)('app keys on two nodes on %s', (_kind, base) => {
  it.skipIf(!base)('a key revoked on A is refused on B within a second, and its open feed on B ends', async () => {
    const ns = storeNamespace(base!, 'keys');
    drops.push(ns.drop);
    const nodes: ServerProcess[] = await Promise.all([0, 1].map(() => startServer({ SESSIOND_STORE: ns.url, SESSIOND_ADMIN_TOKEN: ADMIN })));
    try {
      const [a, b] = nodes.map((n) => new Client(n.url, { authorization: `Bearer ${ADMIN}` })) as [Client, Client];
      const created = (await a.post('/v1/admin/apps/web/keys', { label: 'resource server', scopes: ['events:read', 'sessions:read'] })).json;
      const userId = (await a.post('/v1/admin/users', { email: 'keys@example.com', password: 'correct horse battery' })).json.user.id;
      const onB = new Client(nodes[1]!.url, { authorization: `Bearer ${created.secret}` });
      // B knows the key (and caches it), and follows the feed with it.
      expect((await onB.get(`/v1/admin/users/${userId}/sessions`)).status).toBe(200);
      const feed = await fetch(`${nodes[1]!.url}/v1/admin/events`, { headers: { authorization: `Bearer ${created.secret}` } });
      expect(feed.status).toBe(200);
      const ended = feed.text();

      const t0 = Date.now();
      expect((await a.delete(`/v1/admin/apps/web/keys/${created.key.id}`)).status).toBe(204);
      let r = await onB.get(`/v1/admin/users/${userId}/sessions`);
      while (r.status === 200 && Date.now() - t0 < 1000) r = await onB.get(`/v1/admin/users/${userId}/sessions`);
      expect([r.status, r.json.error.code]).toEqual([403, 'forbidden']);
      await ended;
      expect(Date.now() - t0).toBeLessThan(1000);
      expect((await b.get('/v1/admin/apps/web/keys')).json.keys).toEqual([]);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });
});
