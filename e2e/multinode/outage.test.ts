import { describe, expect, it } from 'vitest';
import { havePostgresBinaries, startPostgres } from '../../packages/store-postgres/test/local-postgres.ts';
import { clusterPrimaryOf, freePortPair, haveRedisServer as haveRedis, startCluster, startRedis } from '../../packages/store-redis/test/local-redis.ts';
import { Client, readEvents, startServer } from '../harness.ts';

const PASSWORD = 'correct horse battery';
if (!haveRedis) console.warn('outage: redis-server is not installed; the Redis outage test is SKIPPED');
if (!havePostgresBinaries) console.warn('outage: PostgreSQL server binaries are not installed; the PostgreSQL outage test is SKIPPED');

/** A store server of the test's own that it can take down abruptly and bring back on the same data. */
interface Outageable {
  url: string;
  /** Takes down what holds this user's data (the whole store, or its shard). */
  down(userId: string): Promise<void>;
  up(): Promise<void>;
  dispose(): Promise<void>;
}

/** Redis with AOF fsynced on every write, so that what was written before the outage survives. */
async function localRedis(): Promise<Outageable> {
  const redis = await startRedis({ appendonly: true });
  const port = redis.ports[0]!;
  return { url: `redis://127.0.0.1:${port}`, down: () => redis.kill(port), up: () => redis.restart(port), dispose: () => redis.stop() };
}

/** PostgreSQL stopped in immediate mode: no checkpoint, the WAL replays at the next start. */
async function localPostgres(): Promise<Outageable> {
  const pg = startPostgres(await freePortPair());
  return { url: pg.url, up: async () => pg.start(), down: async () => pg.crash(), dispose: async () => pg.stop() };
}

/**
 * A Redis Cluster of three primaries with AOF; the outage is the primary that holds the user's
 * hash tag, killed. With Cluster's default full coverage the others soon refuse service too.
 */
async function localCluster(): Promise<Outageable> {
  const cluster = await startCluster(3, { appendonly: true });
  let killed = 0;
  return {
    url: `redis://127.0.0.1:${cluster.ports[0]}?cluster=1`,
    async down(userId) {
      killed = clusterPrimaryOf(cluster.ports[0]!, `sessiond:{u:${userId}}:user`);
      await cluster.kill(killed);
    },
    up: () => cluster.restart(killed),
    dispose: () => cluster.stop(),
  };
}

describe.each([
  ['Redis', localRedis, !haveRedis],
  ['a Redis Cluster shard', localCluster, !haveRedis],
  ['PostgreSQL', localPostgres, !havePostgresBinaries],
] as const)('an outage of %s', (_name, deploy, skip) => {
  it.skipIf(skip)('answers 503 store_unavailable (never session_ended), and recovers by itself', { timeout: 60_000 }, async () => {
    const store = await deploy();
    const [server, other] = await Promise.all([startServer({ SESSIOND_STORE: store.url }), startServer({ SESSIOND_STORE: store.url })]);
    try {
      const c = new Client(server.url);
      await c.post('/v1/signup', { email: 'outage@example.com', password: PASSWORD });
      const { json } = await c.post('/v1/login', { email: 'outage@example.com', password: PASSWORD });
      const bearer = { authorization: `Bearer ${json.token}` };
      expect((await c.get('/v1/session', bearer)).status).toBe(200);

      await store.down(json.user.id);
      await new Promise((r) => setTimeout(r, 1100)); // past the validation cache's TTL
      const t0 = Date.now();
      const down = await c.get('/v1/session', bearer);
      expect(Date.now() - t0).toBeLessThan(3000); // fails fast, does not hang
      expect(down.status).toBe(503);
      expect(down.json.error.code).toBe('store_unavailable');
      expect(down.headers.get('retry-after')).toBeTruthy();
      expect((await c.get('/readyz')).status).toBe(503);
      const login = await c.post('/v1/login', { email: 'outage@example.com', password: PASSWORD });
      expect(login.status).toBe(503);
      expect(login.json.error.code).toBe('store_unavailable');
      // Ending a session while the store is away is refused honestly, not reported as done.
      expect((await c.post('/v1/logout', {}, bearer)).status).toBe(503);

      await store.up();
      let back = await c.get('/v1/session', bearer);
      for (let i = 0; i < 50 && back.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        back = await c.get('/v1/session', bearer);
      }
      expect(back.status).toBe(200); // the session written before the outage survived
      expect((await c.get('/readyz')).status).toBe(200);
      // Writes work again, and the ending explains itself.
      expect((await c.post('/v1/logout', {}, bearer)).status).toBe(204);
      expect((await c.get('/v1/session', bearer)).json.error.reason).toBe('logged_out');

      // The other node's feed subscription came back too: an ending made here reaches a browser
      // watching there within a second.
      const again = await c.post('/v1/login', { email: 'outage@example.com', password: PASSWORD });
      const watching = await fetch(other.url + '/v1/session/events', { headers: { authorization: `Bearer ${again.json.token}` } });
      let sentAt = 0;
      let logout: Promise<{ status: number }> | undefined;
      const events = await readEvents(watching, (ev) => {
        // Once the channel is open, end the session on the first node.
        if (!logout && ev.some((e) => e.event === 'session.state')) {
          sentAt = Date.now();
          logout = c.post('/v1/logout', {}, { authorization: `Bearer ${again.json.token}` });
        }
        return ev.some((e) => e.event === 'session.ended');
      });
      const elapsed = Date.now() - sentAt;
      expect((await logout!).status).toBe(204);
      expect(events.find((e) => e.event === 'session.ended')?.data.reason).toBe('logged_out');
      expect(elapsed).toBeLessThan(1000);
    } finally {
      await Promise.all([server.stop(), other.stop()]);
      await store.dispose();
    }
  });
});
