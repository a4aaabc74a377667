import { randomBytes } from 'node:crypto';
import type { SessionRecord, TrustedDeviceRecord, UserRecord } from '@sessiond/core';
import { DAY, HOUR, MIN, makeSession, makeTrustedDevice, makeUser } from '@sessiond/store-tests';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateLegacyLayout } from '../src/migrate.ts';
import { createRedisStore, type RedisStore } from '../src/redis-store.ts';
import { keysByServer } from './layout.ts';
import { haveRedisServer, startCluster, type LocalRedis } from './local-redis.ts';

/**
 * Data written by the previous release (one key per record under the prefix) must still be there,
 * unchanged, after an upgrade: written here key by key as that release wrote it, then read back
 * only through the store's public methods.
 */

const url = process.env.REDIS_URL;
if (!url) console.warn('store-redis: REDIS_URL is not set; the legacy-layout migration suite on one Redis is SKIPPED');
if (!haveRedisServer) console.warn('store-redis: redis-server is not installed; the legacy-layout migration suite on Redis Cluster is SKIPPED');

const fresh = () => `migrate-${randomBytes(6).toString('hex')}`;
const deadline = (s: SessionRecord) => Math.min(s.idleExpiresAt, s.absoluteExpiresAt);

/** Opens a store as a node does at start: init migrates. */
async function open(storeUrl: string, prefix: string): Promise<{ store: RedisStore }> {
  const store = createRedisStore(storeUrl, { prefix });
  await store.init();
  return { store };
}

interface Fixture {
  alice: UserRecord;
  bob: UserRecord;
  aliceLive: SessionRecord;
  aliceEnded: SessionRecord;
  bobLive: SessionRecord;
  device: TrustedDeviceRecord;
}

function fixture(now: number): Fixture {
  const alice = makeUser({ createdAt: now - 30 * DAY, passwordChangedAt: now - 30 * DAY, recoveryCodeHashes: ['salt1$hash1', 'salt2$hash2'] });
  const bob = makeUser({ createdAt: now - 2 * DAY, passwordChangedAt: now - 2 * DAY, totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, totpLastStep: 58_000_000 });
  const device = makeTrustedDevice({ userId: alice.id, createdAt: now - DAY, lastUsedAt: now - HOUR, expiresAt: now + 29 * DAY });
  const aliceLive = makeSession({ userId: alice.id, createdAt: now - 5 * MIN, lastActiveAt: now - MIN, idleExpiresAt: now + 29 * MIN, trustedDeviceId: device.id });
  // Signed out from another device ten minutes ago, before either deadline: a tombstone for an hour.
  const endedAt = now - 10 * MIN;
  const aliceEnded = makeSession({
    userId: alice.id,
    createdAt: now - HOUR,
    lastActiveAt: endedAt - MIN,
    idleExpiresAt: endedAt + 29 * MIN,
    absoluteExpiresAt: now + 11 * HOUR,
    endedAt,
    endReason: 'revoked',
    endDetail: { byDevice: 'Firefox on Linux', bySessionId: aliceLive.id },
    purgeAt: endedAt + HOUR,
  });
  const bobLive = makeSession({
    userId: bob.id,
    mode: 'token',
    app: 'mobile',
    createdAt: now - 2 * HOUR,
    idleExpiresAt: now + 7 * DAY,
    absoluteExpiresAt: now + 30 * DAY,
    rememberMe: true,
    refresh: { hash: 'h2', previousHash: 'h1', rotatedAt: now - HOUR, generation: 2 },
    locationLast: { city: null, region: null, country: 'FR' },
  });
  return { alice, bob, aliceLive, aliceEnded, bobLive, device };
}

/** Writes the records key by key in the previous release's layout (see `git show 61ad9d4^`). */
async function writeLegacy(r: Redis | Cluster, p: string, f: Fixture): Promise<void> {
  for (const u of [f.alice, f.bob]) await r.set(`${p}:user:${u.id}`, JSON.stringify(u));
  // Only alice's email key: the migration must not depend on it, and keeps it as it is.
  await r.set(`${p}:email:${f.alice.email}`, f.alice.id);
  for (const s of [f.aliceLive, f.aliceEnded, f.bobLive]) {
    await r.set(`${p}:s:${s.id}`, JSON.stringify(s), 'PXAT', Math.floor(s.purgeAt));
    // The indexes held only sessions that had not ended.
    if (s.endedAt === null) {
      await r.zadd(`${p}:u:${s.userId}`, deadline(s), s.id);
      await r.zadd(`${p}:deadlines`, deadline(s), s.id);
    }
  }
  await r.set(`${p}:dev:${f.device.id}`, JSON.stringify(f.device), 'PXAT', f.device.expiresAt);
  await r.sadd(`${p}:udev:${f.device.userId}`, f.device.id);
}

const LEGACY = /^(user|s|dev|u|udev):|^deadlines$|^migrate-(lock|pending)$/;
const legacyKeys = (keys: string[], p: string) => keys.filter((k) => k.startsWith(`${p}:`) && LEGACY.test(k.slice(p.length + 1)));

async function expectMigrated(store: RedisStore, f: Fixture, servers: string[], p: string): Promise<void> {
  const now = Date.now();
  expect(await store.findUserByEmail(f.alice.email)).toEqual(f.alice);
  expect(await store.findUserById(f.alice.id)).toEqual(f.alice);
  expect(await store.findUserById(f.bob.id)).toEqual(f.bob);
  for (const s of [f.aliceLive, f.aliceEnded, f.bobLive]) expect(await store.findSession(s.id)).toEqual(s);
  expect(await store.listUserSessions(f.alice.id, now)).toEqual([f.aliceLive]);
  expect(await store.listUserSessions(f.bob.id, now)).toEqual([f.bobLive]);
  // The tombstone still explains why that device was signed out.
  const ended = await store.findSession(f.aliceEnded.id);
  expect(ended).toMatchObject({ endedAt: f.aliceEnded.endedAt, endReason: 'revoked', endDetail: { byDevice: 'Firefox on Linux' } });
  expect(await store.listTrustedDevices(f.alice.id, now)).toEqual([f.device]);
  expect(await store.findTrustedDevice(f.device.id)).toEqual(f.device);
  const keys = (await keysByServer(servers, p)).flat();
  expect(legacyKeys(keys, p)).toEqual([]);
  expect(keys).toContain(`${p}:email:${f.alice.email}`);
}

async function deleteAll(servers: string[], p: string): Promise<void> {
  const byServer = await keysByServer(servers, p);
  await Promise.all(
    servers.map(async (server, i) => {
      const keys = byServer[i]!;
      if (keys.length === 0) return;
      const r = new Redis(server);
      try {
        for (const k of keys) await r.del(k);
      } finally {
        r.disconnect();
      }
    }),
  );
}

describe.skipIf(!url)('legacy layout migration, one Redis', () => {
  const servers = () => [url!];
  const stores: RedisStore[] = [];
  const prefixes: string[] = [];
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(url!);
  });
  afterAll(() => raw?.disconnect());
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const p of prefixes.splice(0)) await deleteAll(servers(), p);
  });
  const prefix = () => {
    const p = fresh();
    prefixes.push(p);
    return p;
  };
  const start = async (p: string) => {
    const node = await open(url!, p);
    stores.push(node.store);
    return node;
  };

  it('moves every record of the previous layout when a node starts, and nobody is signed out', async () => {
    const p = prefix();
    const f = fixture(Date.now());
    await writeLegacy(raw, p, f);
    const { store } = await start(p);
    await expectMigrated(store, f, servers(), p);
    // The deadlines came along: the live sessions time out when they should, the tombstone is not touched.
    const late = Math.max(deadline(f.aliceLive), deadline(f.bobLive)) + 1;
    const swept = await store.sweep(late, { limit: 100, tombstoneTtlMs: HOUR });
    expect(swept.timedOut.map((s) => s.id).sort()).toEqual([f.aliceLive.id, f.bobLive.id].sort());
  });

  it('two nodes starting at once migrate once, with the same result', async () => {
    const p = prefix();
    const f = fixture(Date.now());
    await writeLegacy(raw, p, f);
    const [a, b] = await Promise.all([start(p), start(p)]);
    await expectMigrated(a.store, f, servers(), p);
    await expectMigrated(b.store, f, servers(), p);
  });

  it('writes nothing when there is nothing to migrate, and a second run changes nothing', async () => {
    const p = prefix();
    const { store } = await start(p);
    expect(await migrateLegacyLayout(raw, p, store)).toEqual({ users: 0, sessions: 0, devices: 0 });
    // Only the marker that spares later starts the scan.
    expect((await keysByServer(servers(), p)).flat()).toEqual([`${p}:layout`]);

    const f = fixture(Date.now());
    await writeLegacy(raw, p, f);
    expect(await migrateLegacyLayout(raw, p, store)).toEqual({ users: 2, sessions: 3, devices: 1 });
    const before = (await keysByServer(servers(), p)).flat().sort();
    expect(await migrateLegacyLayout(raw, p, store)).toEqual({ users: 0, sessions: 0, devices: 0 });
    expect((await keysByServer(servers(), p)).flat().sort()).toEqual(before);
    await expectMigrated(store, f, servers(), p);
  });

  it('drops sessions it cannot read or that are past their purge time, and expired devices', async () => {
    const p = prefix();
    const now = Date.now();
    const f = fixture(now);
    await writeLegacy(raw, p, f);
    // Keys whose own expiry is still ahead (clock skew, or read just before it): the records say they are gone.
    const purged = makeSession({ userId: f.bob.id, createdAt: now - DAY, idleExpiresAt: now - HOUR, endedAt: now - HOUR, endReason: 'logged_out', purgeAt: now - 1 });
    const expired = makeTrustedDevice({ userId: f.bob.id, createdAt: now - 31 * DAY, expiresAt: now - 1 });
    await raw.set(`${p}:s:${purged.id}`, JSON.stringify(purged), 'PX', 60_000);
    await raw.set(`${p}:s:garbled`, '{"id":"garbled","userId":', 'PX', 60_000);
    await raw.set(`${p}:dev:${expired.id}`, JSON.stringify(expired), 'PX', 60_000);
    await raw.sadd(`${p}:udev:${f.bob.id}`, expired.id);

    const { store } = await start(p);
    await expectMigrated(store, f, servers(), p);
    expect(await store.findSession(purged.id)).toBeNull();
    expect(await store.findSession('garbled')).toBeNull();
    expect(await store.findTrustedDevice(expired.id)).toBeNull();
    expect(await store.listTrustedDevices(f.bob.id, now)).toEqual([]);
  });

  it('waits while another node holds the lock, and finishes the work when that node died', async () => {
    const p = prefix();
    const f = fixture(Date.now());
    await writeLegacy(raw, p, f);
    // A node took the lock and died before migrating anything.
    await raw.set(`${p}:migrate-lock`, 'a-node-that-died', 'PX', 800);
    const t0 = Date.now();
    const { store } = await start(p);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    await expectMigrated(store, f, servers(), p);
  });
});

describe.skipIf(!haveRedisServer)('legacy layout migration, Redis Cluster', () => {
  let cluster: LocalRedis;
  let raw: Cluster;
  const servers = () => cluster.ports.map((port) => `redis://127.0.0.1:${port}`);
  const stores: RedisStore[] = [];
  const prefixes: string[] = [];
  beforeAll(async () => {
    cluster = await startCluster(3);
    raw = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }]);
  });
  afterAll(async () => {
    raw?.disconnect();
    await cluster?.stop();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const p of prefixes.splice(0)) await deleteAll(servers(), p);
  });

  // Legacy keys spread over every shard, and (as the previous release advised for Cluster) all in one
  // slot under a hash-tagged prefix.
  for (const [name, p] of [
    ['an untagged prefix', fresh()],
    ['a hash-tagged prefix', `{${fresh()}}`],
  ] as const) {
    it(`finds legacy keys on every primary and moves them (${name})`, async () => {
      prefixes.push(p);
      const f = fixture(Date.now());
      await writeLegacy(raw, p, f);
      const before = await keysByServer(servers(), p);
      if (!p.startsWith('{')) expect(before.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
      const storeUrl = `redis://127.0.0.1:${cluster.ports[0]}?cluster=1`;
      const [a, b] = await Promise.all([open(storeUrl, p), open(storeUrl, p)]);
      stores.push(a.store, b.store);
      await expectMigrated(a.store, f, servers(), p);
      await expectMigrated(b.store, f, servers(), p);
    });
  }
});
