import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { prefixProblem } from './keys.ts';

export interface RedisTarget {
  /** Every key starts with it (tests use a random one). */
  prefix: string;
  connect(): Redis | Cluster;
}

// Fail fast while Redis is away (503 store_unavailable) and reconnect by itself in the background.
const FAIL_FAST: RedisOptions = { connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1 };
const RETRY = (times: number) => Math.min(times * 100, 1000);

function fail(why: string): never {
  throw new Error(`SESSIOND_STORE: ${why}`);
}

function hostPort(s: string, defaultPort: number): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(`redis://${s}`);
  } catch {
    fail(`${JSON.stringify(s)} is not a Redis host[:port] (write IPv6 addresses in brackets: [::1]:6379)`);
  }
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || defaultPort) };
}

// Never quotes the text: it may hold the password.
function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    fail(`malformed percent-escape in the Redis URL's ${what} (write a literal % as %25)`);
  }
}

/**
 * Reads a SESSIOND_STORE Redis URL:
 * - `redis://[user:password@]host:port[/db]`: one Redis (`rediss://` for TLS);
 * - `…?cluster=1[&nodes=host:port,…]`: Redis Cluster, discovered from the seed node(s);
 * - `…?sentinel=<primary name>[&sentinels=host:port,…]`: the primary that Sentinel names, where
 *   host:port is a sentinel (port 26379 by default); the password, if any, is the primary's;
 * - `&prefix=name` in every form: the key prefix (default `sessiond`). A hash tag in it (the
 *   previous release's advice for Cluster, `{sessiond}`) still works, but puts every key in one slot.
 * Parameters that would be ignored or contradict each other are errors, not surprises in production.
 */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not the TypeError itself: its `input` would print the password.
    fail('not a valid Redis URL');
  }
  const q = u.searchParams;
  const unknown = [...q.keys()].filter((k) => !['prefix', 'cluster', 'nodes', 'sentinel', 'sentinels'].includes(k));
  if (unknown.length > 0) fail(`unknown Redis URL parameter "${unknown[0]}" (known: prefix, cluster, nodes, sentinel, sentinels)`);

  const prefix = q.get('prefix') ?? 'sessiond';
  if (prefix === '') fail('prefix= is empty (leave it out for the default "sessiond")');
  // Checked again by RedisKeys; here too, so the URL's mistake is named as the URL's.
  const problem = prefixProblem(prefix);
  if (problem) fail(`prefix= ${problem}`);
  const dbText = u.pathname.slice(1);
  if (!/^\d*$/.test(dbText)) fail(`the Redis URL's path "/${dbText}" is not a database number`);
  const db = Number(dbText || 0);
  const cluster = q.has('cluster') && q.get('cluster') !== '0';
  const sentinel = q.get('sentinel');
  if (cluster && sentinel !== null) fail('cluster=1 and sentinel= exclude each other');
  if (cluster && db !== 0) fail(`cluster=1 with database /${db}: Redis Cluster has only database 0`);
  if (!cluster && q.has('nodes')) fail('nodes= needs cluster=1');
  if (sentinel === null && q.has('sentinels')) fail('sentinels= needs sentinel=<primary name>');
  if (sentinel === '') fail("sentinel= needs the primary's name");

  const tls = u.protocol === 'rediss:' ? {} : undefined;
  const auth: RedisOptions = {
    username: u.username ? decode(u.username, 'user') : undefined,
    password: u.password ? decode(u.password, 'password') : undefined,
    tls,
  };
  const defaultPort = sentinel ? 26379 : 6379;
  const seeds = [u.host, ...(q.get('nodes') ?? q.get('sentinels') ?? '').split(',').filter(Boolean)].map((s) => hostPort(s, defaultPort));

  if (cluster) {
    return {
      prefix,
      connect: () =>
        new Cluster(seeds, {
          lazyConnect: true,
          enableOfflineQueue: false,
          clusterRetryStrategy: RETRY,
          // Independent commands to different shards go out together instead of one by one.
          enableAutoPipelining: true,
          // ioredis builds every node connection from these, so tls reaches each shard.
          redisOptions: { ...FAIL_FAST, ...auth },
        }),
    };
  }
  const common: RedisOptions = { ...FAIL_FAST, ...auth, db, lazyConnect: true, enableOfflineQueue: false, retryStrategy: RETRY };
  if (sentinel) {
    // In Sentinel mode ioredis ignores `tls` for the primary without enableTLSForSentinelMode, and
    // takes the sentinels' own TLS from sentinelTLS.
    const sentinelTls: RedisOptions = tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {};
    return { prefix, connect: () => new Redis({ ...common, ...sentinelTls, sentinels: seeds, name: sentinel, sentinelRetryStrategy: RETRY }) };
  }
  return { prefix, connect: () => new Redis({ ...common, ...seeds[0]! }) };
}
