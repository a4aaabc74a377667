import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Redis deployments of a test's own, on free ports, from the machine's redis-server: a Cluster of
 * primaries, or a primary with a replica watched by a Sentinel. Nothing is mocked.
 */

export const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port that is free, and (for Cluster's bus) so is the one 10,000 above it. */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
}

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args]).stdout?.toString() ?? '';
}

/** Polls `ok` every 100 ms until it holds, or fails naming `what`. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LocalRedis {
  ports: number[];
  /** Kills one process (by its port) with SIGKILL and waits for it to exit. */
  kill(port: number): Promise<void>;
  /** Starts a killed process again with its own arguments, files and port. */
  restart(port: number): Promise<void>;
  stop(): Promise<void>;
}

function deployment(dir: string, children: Map<number, ChildProcess>, args: Map<number, string[]>): LocalRedis {
  return {
    ports: [...children.keys()],
    async restart(port) {
      children.set(port, await startServer(port, args.get(port)!, dir));
      // A Cluster node is back once every node agrees the Cluster is whole again.
      if (args.get(port)!.includes('--cluster-enabled')) await clusterOk([...children.keys()]);
    },
    async kill(port) {
      const c = children.get(port);
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    async stop() {
      await Promise.all([...children.keys()].map((p) => this.kill(p)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function clusterOk(ports: number[]): Promise<void> {
  return until('cluster_state:ok', () => ports.every((p) => cli(p, 'cluster', 'info').includes('cluster_state:ok')));
}

// Every write fsynced, so a process killed and restarted comes back with all it answered.
const aof = (port: number) => ['--appendonly', 'yes', '--appendfsync', 'always', '--appendfilename', `aof-${port}.aof`, '--appenddirname', `aof-${port}`];

/** One Redis; with `appendonly`, a killed and restarted one comes back with its data. */
export async function startRedis(opts: { appendonly?: boolean } = {}): Promise<LocalRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'sessiond-redis-'));
  const port = await freePortPair();
  const args = opts.appendonly ? aof(port) : [];
  return deployment(dir, new Map([[port, await startServer(port, args, dir)]]), new Map([[port, args]]));
}

async function startServer(port: number, args: string[], dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--appendonly', 'no', ...args, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore' });
  await until(`redis on ${port}`, () => cli(port, 'ping').includes('PONG'));
  return child;
}

/**
 * A Redis Cluster of `n` primaries with the 16,384 slots spread evenly; with `appendonly`, each
 * fsyncs every write, so a killed and restarted primary comes back with its data; with
 * `replicas`, each primary has that many replicas, which take over when it fails.
 */
export async function startCluster(n = 3, opts: { appendonly?: boolean; replicas?: number } = {}): Promise<LocalRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'sessiond-cluster-'));
  const children = new Map<number, ChildProcess>();
  const argsOf = new Map<number, string[]>();
  try {
    const replicas = opts.replicas ?? 0;
    for (let i = 0; i < n * (1 + replicas); i++) {
      const port = await freePortPair();
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000', ...(opts.appendonly ? aof(port) : [])];
      argsOf.set(port, args);
      children.set(port, await startServer(port, args, dir));
    }
    const ports = [...children.keys()];
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await clusterOk(ports);
    if (replicas > 0) await until('replicas in sync', () => ports.every((p) => !cli(p, 'info', 'replication').includes('role:slave') || cli(p, 'info', 'replication').includes('master_link_status:up')));
    return deployment(dir, children, argsOf);
  } catch (e) {
    await deployment(dir, children, argsOf).stop();
    throw e;
  }
}

/** Runs `fn` with the URL of a three-primary Redis Cluster that lives only for the call. */
export async function withCluster<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const cluster = await startCluster(3);
  try {
    return await fn(`redis://127.0.0.1:${cluster.ports[0]}?cluster=1`);
  } finally {
    await cluster.stop();
  }
}

/** A primary, one replica, and one Sentinel (quorum 1) watching them as `name`. */
export async function startSentinel(name = 'sessiond'): Promise<LocalRedis & { primary: number; replica: number; sentinel: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sessiond-sentinel-'));
  const children = new Map<number, ChildProcess>();
  const argsOf = new Map<number, string[]>();
  try {
    const primary = await freePortPair();
    argsOf.set(primary, []);
    children.set(primary, await startServer(primary, [], dir));
    const replica = await freePortPair();
    argsOf.set(replica, ['--replicaof', '127.0.0.1', String(primary)]);
    children.set(replica, await startServer(replica, argsOf.get(replica)!, dir));
    await until('replication', () => cli(replica, 'info', 'replication').includes('master_link_status:up'));
    const sentinel = await freePortPair();
    // Sentinel rewrites its own configuration file, so it gets one of its own.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `sentinel monitor ${name} 127.0.0.1 ${primary} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        'sentinel resolve-hostnames no',
        '',
      ].join('\n'),
    );
    const s = spawn('redis-server', [conf, '--sentinel', '--port', String(sentinel), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
    children.set(sentinel, s);
    await until('sentinel to see the replica', () => cli(sentinel, 'sentinel', 'replicas', name).includes(String(replica)));
    return { ...deployment(dir, children, argsOf), primary, replica, sentinel };
  } catch (e) {
    await deployment(dir, children, argsOf).stop();
    throw e;
  }
}

/** The primary that the Sentinel names now. */
export function sentinelPrimary(sentinel: number, name = 'sessiond'): number {
  return Number(cli(sentinel, 'sentinel', 'get-master-addr-by-name', name).trim().split('\n')[1]);
}

/** The port of the primary that serves `key` now, as the Cluster at `port` sees it. */
export function clusterPrimaryOf(port: number, key: string): number {
  const slot = Number(cli(port, 'cluster', 'keyslot', key).trim());
  for (const line of cli(port, 'cluster', 'nodes').trim().split('\n')) {
    const f = line.split(' ');
    if (!f[2]!.includes('master') || f[2]!.includes('fail')) continue;
    for (const range of f.slice(8)) {
      const [lo, hi] = range.split('-').map(Number) as [number, number?];
      if (slot >= lo! && slot <= (hi ?? lo!)) return Number(f[1]!.split(':')[1]!.split('@')[0]);
    }
  }
  throw new Error(`no primary serves slot ${slot}`);
}
