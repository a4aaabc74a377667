/**
 * Growth check: does validation slow down as the store fills? Loads N sessions into a store,
 * then measures validations per second and p99 over random stored sessions (cache off, so every
 * validation reads the store), at 1k and at N. Usage:
 *   NODE_OPTIONS=--conditions=sessiond:source npx tsx bench/growth.ts [store-url | redis-cluster] [N]   (default sqlite in bench/results, 1,000,000)
 * `redis-cluster` starts a Redis Cluster of three primaries of its own for the run. On Redis the
 * memory per session is the growth of `used_memory` summed over the primaries. Measured in the
 * steady state: every sampled session has been validated once before the clock starts.
 */
import { statSync, rmSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CORE_CONFIG, Sessiond, formatToken, hashSecret, randomId, randomSecret, systemClock, type SessionRecord, type Store } from '@sessiond/core';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { openStore } from '../packages/server/src/open-store.ts';
import { withCluster } from '../packages/store-redis/test/local-redis.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dbPath = join(ROOT, 'bench/results/growth.db');
const arg = process.argv[2] ?? `sqlite:${dbPath}`;
const N = Number(process.argv[3] ?? 1_000_000);
const passwords = { hash: async (p: string) => p, verify: async (h: string, p: string) => h === p };

function record(userId: string, secret: string, now: number): SessionRecord {
  const id = randomId();
  return {
    id,
    tokenHash: hashSecret(secret),
    userId,
    app: 'web',
    mode: 'cookie',
    createdAt: now,
    authenticatedAt: now,
    authMethods: ['pwd'],
    lastActiveAt: now,
    idleExpiresAt: now + 7 * 86_400_000,
    absoluteExpiresAt: now + 30 * 86_400_000,
    idleTimeoutMs: 7 * 86_400_000,
    rememberMe: true,
    device: { browser: 'Chrome', os: 'macOS', type: 'desktop', label: 'Chrome on macOS', userAgent: 'Mozilla/5.0 (Macintosh) Chrome/120' },
    ipFirst: '192.0.2.1',
    ipLast: '192.0.2.1',
    locationFirst: { city: 'London', region: 'England', country: 'GB' },
    locationLast: { city: 'London', region: 'England', country: 'GB' },
    trustedDeviceId: null,
    appKeyId: null,
    browserId: null,
    refresh: null,
    endedAt: null,
    endReason: null,
    endDetail: null,
    purgeAt: now + 37 * 86_400_000,
  };
}

async function fill(store: Store, from: number, to: number, sample: string[]): Promise<void> {
  const now = Date.now();
  const batch = 256;
  for (let i = from; i < to; i += batch) {
    const jobs: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(to, i + batch); j++) {
      const secret = randomSecret();
      const s = record(`user-${j % 200_000}`, secret, now);
      if (sample.length < 20_000 && (j % Math.max(1, Math.floor(to / 20_000)) === 0 || to <= 20_000)) sample.push(formatToken(s.id, secret));
      jobs.push(store.createSession(s));
    }
    await Promise.all(jobs);
    if ((i / batch) % 400 === 0) process.stdout.write(`\r  ${i.toLocaleString()} sessions`);
  }
  process.stdout.write(`\r  ${to.toLocaleString()} sessions\n`);
}

async function measure(sd: Sessiond, sample: string[], ms = 3000) {
  const ctx = { ip: '192.0.2.1', userAgent: 'Mozilla/5.0 (Macintosh) Chrome/120', passive: true };
  // Steady state: each sampled session validated once first, as a node has seen the sessions in
  // use. On Redis that first look also reads the session's owner pointer (one more round trip),
  // which the store then remembers; the store's own caches stay on, the core's is off.
  for (const tok of sample) await sd.sessions.validateToken(tok, ctx);
  const lat: number[] = [];
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) {
    const tok = sample[(Math.random() * sample.length) | 0]!;
    const a = performance.now();
    await sd.sessions.validateToken(tok, ctx);
    lat.push(performance.now() - a);
    n++;
  }
  lat.sort((a, b) => a - b);
  return { perSec: Math.round(n / ((performance.now() - t0) / 1000)), p50us: Math.round(lat[Math.floor(lat.length / 2)]! * 1000), p99us: Math.round(lat[Math.floor(lat.length * 0.99)]! * 1000) };
}

/** Bytes of memory in use, summed over every primary (one, or each Cluster shard). */
async function redisMemory(url: string): Promise<number> {
  const u = new URL(url);
  const primaries = u.searchParams.has('cluster') ? await clusterPrimaries(u) : [new Redis(Number(u.port || 6379), u.hostname)];
  let bytes = 0;
  for (const r of primaries) {
    bytes += Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]);
    r.disconnect();
  }
  return bytes;
}

async function clusterPrimaries(u: URL): Promise<Redis[]> {
  const c = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }]);
  const slots = await c.cluster('SLOTS');
  c.disconnect();
  // Each slot range lists its primary first.
  return [...new Set(slots.map(([, , primary]) => `${primary![0]}:${primary![1]}`))].map((hp) => new Redis(Number(hp.split(':')[1]), hp.split(':')[0]!));
}

async function size(url: string, store: Store, redisBefore: number): Promise<string> {
  if (store.kind === 'redis') return `${Math.round(((await redisMemory(url)) - redisBefore) / N)} bytes of memory per session`;
  if (store.kind === 'postgres') {
    const schema = new URL(url).searchParams.get('schema') ?? 'sessiond';
    const c = new pg.Client({ connectionString: url.split('?')[0] });
    await c.connect();
    const r = await c.query<{ bytes: string }>('SELECT pg_total_relation_size($1::regclass) AS bytes', [`${schema}.sessions`]).finally(() => c.end());
    return `${Math.round(Number(r.rows[0]!.bytes) / N)} bytes on disk per session (table and its indexes)`;
  }
  if (url.startsWith('sqlite:')) {
    const p = url.slice(7);
    let bytes = 0;
    for (const f of [p, p + '-wal']) bytes += (() => { try { return statSync(f).size; } catch { return 0; } })();
    return `${(bytes / N).toFixed(0)} bytes on disk per session`;
  }
  return 'see the store-specific figures in the README';
}

async function main(url: string) {
  if (url.startsWith('sqlite:')) {
    mkdirSync(dirname(dbPath), { recursive: true });
    for (const f of [dbPath, dbPath + '-wal', dbPath + '-shm']) rmSync(f, { force: true });
  }
  const store = await openStore(url);
  const redisBefore = store.kind === 'redis' ? await redisMemory(url) : 0;
  const sd = new Sessiond({ store, clock: systemClock, passwords, config: { ...DEFAULT_CORE_CONFIG, cacheSize: 0 } });
  const small: string[] = [];
  console.log(`store ${store.kind}: filling 1,000`);
  await fill(store, 0, 1000, small);
  const at1k = await measure(sd, small);
  console.log(`  at 1k: ${at1k.perSec}/s, p50 ${at1k.p50us} µs, p99 ${at1k.p99us} µs`);
  console.log(`filling to ${N.toLocaleString()}`);
  const t = performance.now();
  const big: string[] = [];
  await fill(store, 1000, N, big);
  console.log(`  filled in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const atN = await measure(sd, big);
  console.log(`  at ${N.toLocaleString()}: ${atN.perSec}/s, p50 ${atN.p50us} µs, p99 ${atN.p99us} µs; ${await size(url, store, redisBefore)}`);
  sd.close();
  await store.close();
}

if (arg === 'redis-cluster') await withCluster((url) => main(`${url}&prefix=growth`));
else await main(arg);
