import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface RedisTarget {
  /** Every key starts with it (tests use a random one). */
  prefix: string;
  connect(): Redis | Cluster;
}

// Fail fast while Redis is away (503 store_unavailable) and reconnect by itself in the background.
const FAIL_FAST: RedisOptions = { connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1 };
const RETRY = (times: number) => Math.min(times * 100, 1000);

function hostPort(s: string): { host: string; port: number } {
  const u = new URL(`redis://${s}`);
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 6379) };
}

/**
 * Reads a SESSIOND_STORE Redis URL:
 * - `redis://[user:password@]host:port[/db]`: one Redis (`rediss://` for TLS);
 * - `…?cluster=1[&nodes=host:port,…]`: Redis Cluster, discovered from the seed node(s);
 * - `…?sentinel=<primary name>[&sentinels=host:port,…]`: the primary that Sentinel names, where
 *   host:port is a sentinel; the password, if any, is the primary's;
 * - `&prefix=name` in every form: the key prefix (default `sessiond`).
 */
export function parseRedisUrl(url: string): RedisTarget {
  const u = new URL(url);
  const q = u.searchParams;
  const prefix = q.get('prefix') ?? 'sessiond';
  const auth: RedisOptions = {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
  const seeds = [u.host, ...(q.get('nodes') ?? q.get('sentinels') ?? '').split(',').filter(Boolean)].map(hostPort);
  const unknown = [...q.keys()].filter((k) => !['prefix', 'cluster', 'nodes', 'sentinel', 'sentinels'].includes(k));
  if (unknown.length > 0) throw new Error(`SESSIOND_STORE: unknown Redis URL parameter "${unknown[0]}" (known: prefix, cluster, nodes, sentinel, sentinels)`);

  if (q.has('cluster') && q.get('cluster') !== '0') {
    return {
      prefix,
      connect: () =>
        new Cluster(seeds, {
          lazyConnect: true,
          enableOfflineQueue: false,
          clusterRetryStrategy: RETRY,
          // Independent commands to different shards go out together instead of one by one.
          enableAutoPipelining: true,
          redisOptions: { ...FAIL_FAST, ...auth },
        }),
    };
  }
  const db = Number(u.pathname.slice(1) || 0);
  const sentinel = q.get('sentinel');
  const common: RedisOptions = { ...FAIL_FAST, ...auth, db, lazyConnect: true, enableOfflineQueue: false, retryStrategy: RETRY };
  if (sentinel) {
    return { prefix, connect: () => new Redis({ ...common, sentinels: seeds, name: sentinel, sentinelRetryStrategy: RETRY }) };
  }
  return { prefix, connect: () => new Redis({ ...common, ...seeds[0]! }) };
}
