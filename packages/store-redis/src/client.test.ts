import { inspect } from 'node:util';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRedisUrl } from './client.ts';

// Every client is built with lazyConnect, so nothing here touches the network.
const opened: Array<Redis | Cluster> = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.disconnect();
});

function redis(url: string): Redis {
  const c = parseRedisUrl(url).connect();
  opened.push(c);
  expect(c).toBeInstanceOf(Redis);
  return c as Redis;
}

function cluster(url: string): Cluster {
  const c = parseRedisUrl(url).connect();
  opened.push(c);
  expect(c).toBeInstanceOf(Cluster);
  return c as Cluster;
}

// What ioredis really hands each cluster node and each sentinel, reached through its internals so the
// tests prove the options arrive, not only that they were set.
function clusterNode(c: Cluster, host: string, port: number): Redis {
  const pool = (c as unknown as { connectionPool: { createRedisFromOptions(n: object, ro: boolean): Redis } }).connectionPool;
  const node = pool.createRedisFromOptions({ host, port }, false);
  opened.push(node);
  return node;
}
function startupNodes(c: Cluster): unknown {
  return (c as unknown as { startupNodes: unknown }).startupNodes;
}
function sentinelConnection(c: Redis, host: string, port: number): Redis {
  const connector = (c as unknown as { connector: { connectToSentinel(e: object, o: RedisOptions): Redis } }).connector;
  const s = connector.connectToSentinel({ host, port }, { lazyConnect: true });
  opened.push(s);
  return s;
}

function errorOf(url: string): Error {
  try {
    parseRedisUrl(url);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    const e = err as Error;
    expect(e.message).toMatch(/^SESSIOND_STORE: /);
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error(`accepted ${url}`);
}

describe('parseRedisUrl: one Redis', () => {
  it('reads a plain URL with the defaults: port 6379, db 0, prefix sessiond, no TLS, failing fast', () => {
    const target = parseRedisUrl('redis://localhost');
    expect(target.prefix).toBe('sessiond');
    const c = redis('redis://localhost');
    expect(c.options).toMatchObject({ host: 'localhost', port: 6379, db: 0, lazyConnect: true, enableOfflineQueue: false });
    expect(c.options).toMatchObject({ connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1 });
    expect(c.options.tls).toBeUndefined();
    expect(c.options.sentinels).toBeFalsy();
    expect(c.status).toBe('wait');
  });

  it('reads the port and the /db path', () => {
    expect(redis('redis://cache.internal:6390/3').options).toMatchObject({ host: 'cache.internal', port: 6390, db: 3 });
    expect(redis('redis://cache.internal/0').options.db).toBe(0);
    expect(redis('redis://cache.internal/').options.db).toBe(0);
  });

  it('decodes a percent-encoded user and password', () => {
    const c = redis('redis://app%40prod:p%40ss%3Aw%2Frd%25@h:6379');
    expect(c.options).toMatchObject({ username: 'app@prod', password: 'p@ss:w/rd%' });
    const passwordOnly = redis('redis://:s%20cret@h');
    expect(passwordOnly.options.password).toBe('s cret');
    expect(passwordOnly.options.username).toBeFalsy();
  });

  it('reads prefix=', () => {
    expect(parseRedisUrl('redis://h?prefix=tenant-a').prefix).toBe('tenant-a');
    expect(parseRedisUrl('redis://h?prefix=a%3Ab').prefix).toBe('a:b');
  });

  it('uses TLS for rediss://', () => {
    const c = redis('rediss://:pw@h:6380/1');
    expect(c.options).toMatchObject({ host: 'h', port: 6380, db: 1, password: 'pw', tls: {} });
  });

  it('reads an IPv6 host, with and without a port', () => {
    expect(redis('redis://[::1]:6380').options).toMatchObject({ host: '::1', port: 6380 });
    expect(redis('redis://[2001:db8::7]/2').options).toMatchObject({ host: '2001:db8::7', port: 6379, db: 2 });
  });
});

describe('parseRedisUrl: Redis Cluster', () => {
  it('seeds from the URL host and nodes=, with auth on every node and db 0', () => {
    const c = cluster('redis://u:p%23w@n1:7000?cluster=1&nodes=n2:7001,n3&prefix=px');
    expect(parseRedisUrl('redis://n1:7000?cluster=1&prefix=px').prefix).toBe('px');
    expect(startupNodes(c)).toEqual([
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
      { host: 'n3', port: 6379 },
    ]);
    expect(c.options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false, enableAutoPipelining: true });
    expect(c.options.redisOptions).toMatchObject({ username: 'u', password: 'p#w', commandTimeout: 2000 });
    expect(c.options.redisOptions?.tls).toBeUndefined();
    const node = clusterNode(c, 'n9', 7009);
    expect(node.options).toMatchObject({ host: 'n9', port: 7009, username: 'u', password: 'p#w', db: 0 });
    expect(node.options.tls).toBeUndefined();
    expect(redis('redis://h?cluster=0').options.host).toBe('h');
    cluster('redis://h/0?cluster=1');
  });

  it('uses TLS on every node connection for rediss://', () => {
    const c = cluster('rediss://:pw@n1:7000?cluster=1&nodes=n2:7001');
    expect(c.options.redisOptions).toMatchObject({ tls: {}, password: 'pw' });
    expect(clusterNode(c, '10.0.0.5', 7005).options).toMatchObject({ host: '10.0.0.5', port: 7005, tls: {}, password: 'pw' });
  });

  it('reads IPv6 seed nodes', () => {
    const c = cluster('redis://[::1]:7000?cluster=1&nodes=[fd00::2]:7001,[fd00::3]');
    expect(startupNodes(c)).toEqual([
      { host: '::1', port: 7000 },
      { host: 'fd00::2', port: 7001 },
      { host: 'fd00::3', port: 6379 },
    ]);
  });
});

describe('parseRedisUrl: Sentinel', () => {
  it('asks the sentinels at the URL host and sentinels= (default port 26379) for the named primary', () => {
    const c = redis('redis://:primary-pw@s1?sentinel=mymaster&sentinels=s2:26400,s3,[fd00::4]&prefix=px');
    expect(c.options).toMatchObject({ name: 'mymaster', password: 'primary-pw', db: 0, lazyConnect: true });
    expect(c.options.sentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26400 },
      { host: 's3', port: 26379 },
      { host: 'fd00::4', port: 26379 },
    ]);
    expect(c.options.tls).toBeUndefined();
    expect(c.options.enableTLSForSentinelMode).toBeFalsy();
    expect(sentinelConnection(c, 's1', 26379).options.tls).toBeUndefined();
    expect(redis('redis://s1:26380/4?sentinel=m').options).toMatchObject({ sentinels: [{ host: 's1', port: 26380 }], db: 4 });
  });

  it('uses TLS to the primary and to the sentinels for rediss://', () => {
    const c = redis('rediss://:pw@s1:26379?sentinel=mymaster&sentinels=s2');
    // ioredis ignores `tls` in Sentinel mode unless enableTLSForSentinelMode is set.
    expect(c.options).toMatchObject({ name: 'mymaster', tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} });
    expect(sentinelConnection(c, 's2', 26379).options).toMatchObject({ host: 's2', port: 26379, tls: {} });
  });
});

describe('parseRedisUrl: rejects', () => {
  it.each([
    ['a /db other than 0 with cluster=1', 'redis://h/2?cluster=1', /cluster=1.*database \/2.*only database 0/],
    ['sentinels= without sentinel=', 'redis://h?sentinels=s2:26379', /sentinels=.*sentinel=/],
    ['nodes= without cluster=1', 'redis://h?nodes=n2:7001', /nodes=.*cluster=1/],
    ['nodes= with cluster=0', 'redis://h?cluster=0&nodes=n2:7001', /nodes=.*cluster=1/],
    ['both cluster and sentinel', 'redis://h?cluster=1&sentinel=m', /cluster.*sentinel|sentinel.*cluster/],
    ['an empty sentinel name', 'redis://h?sentinel=', /sentinel=/],
    ['a non-numeric db', 'redis://h/abc', /database|db/i],
    ['a fractional db', 'redis://h/1.5', /database|db/i],
    ['a db path with more segments', 'redis://h/1/2', /database|db/i],
    ['an empty prefix', 'redis://h?prefix=', /prefix/],
    ['an unknown parameter', 'redis://h?db=2', /unknown.*"db"/],
    ['a seed that is not host:port', 'redis://h?cluster=1&nodes=::1:7000', /::1:7000/],
  ])('%s', (_, url, message) => {
    expect(errorOf(url).message).toMatch(message);
  });

  it('a malformed percent-escape in the user or password, without showing the password', () => {
    const inPassword = errorOf('redis://app:s3cr%zzet@h');
    expect(inPassword.message).toMatch(/password/);
    expect(inspect(inPassword)).not.toContain('s3cr');
    expect(errorOf('redis://ap%E0p:pw@h').message).toMatch(/user/);
  });

  it('an invalid URL, without showing the password', () => {
    const e = errorOf('redis://:s3cret@h:99999');
    expect(inspect(e)).not.toContain('s3cret');
  });
});
