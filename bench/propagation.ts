/**
 * How fast an ending reaches every node: 3 sessiond processes share one store; a session signed
 * in on A is watched through the push channel on A and B while C ends it. Reports p50/p99 of the
 * time from sending the revocation to C to the `session.ended` event on each watcher. Usage:
 *   NODE_OPTIONS=--conditions=sessiond:source npx tsx bench/propagation.ts <redis://… | postgres://… | redis-cluster> [rounds]
 * where `redis-cluster` starts a Redis Cluster of three primaries of its own for the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCluster } from '../packages/store-redis/test/local-redis.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const standalone = import.meta.url === `file://${process.argv[1]}`;

function node(store: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', SESSIOND_STORE: store, SESSIOND_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (c) => reject(new Error(`node exited ${c}: ${out}`)));
  });
}

const json = (url: string) => ({ 'content-type': 'application/json', origin: url });

/** Resolves with the arrival time of `session.ended` on this node's push channel. */
async function watch(url: string, token: string): Promise<{ ready: Promise<void>; ended: Promise<number> }> {
  const res = await fetch(url + '/v1/session/events', { headers: { authorization: `Bearer ${token}` } });
  const reader = res.body!.getReader();
  let buf = '';
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream closed before the ending');
      buf += new TextDecoder().decode(value);
      if (buf.includes('event: session.state')) markReady();
      if (buf.includes('event: session.ended')) {
        const at = performance.now();
        await reader.cancel().catch(() => undefined);
        return at;
      }
    }
  })();
  return { ready, ended };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export interface PropagationResult {
  store: string;
  rounds: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
}

/** "redis", "redis cluster" or "postgres". */
function storeLabel(url: string): string {
  const scheme = url.split(':')[0]!.replace(/^rediss$/, 'redis').replace(/^postgresql$/, 'postgres');
  return /[?&]cluster=1/.test(url) ? `${scheme} cluster` : scheme;
}

export async function benchPropagation(store: string, ROUNDS = 100): Promise<PropagationResult> {
  const [a, b, c] = await Promise.all([node(store), node(store), node(store)]);
  try {
    const email = `prop-${Date.now()}@example.com`;
    const body = JSON.stringify({ email, password: 'correct horse battery' });
    await fetch(a.url + '/v1/signup', { method: 'POST', headers: json(a.url), body });
    const admin = (await (await fetch(a.url + '/v1/login', { method: 'POST', headers: json(a.url), body })).json()) as { token: string };
    const delays: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const login = (await (await fetch(a.url + '/v1/login', { method: 'POST', headers: json(a.url), body })).json()) as { token: string; session: { id: string } };
      const onA = await watch(a.url, login.token);
      const onB = await watch(b.url, login.token);
      await Promise.all([onA.ready, onB.ready]);
      // Measured from the moment the request leaves for C: revocation plus propagation.
      const t0 = performance.now();
      const r = await fetch(`${c.url}/v1/sessions/${login.session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin.token}` } });
      if (r.status !== 204) throw new Error(`revoke answered ${r.status}`);
      const [ta, tb] = await Promise.all([onA.ended, onB.ended]);
      delays.push(ta - t0, tb - t0);
    }
    return { store: storeLabel(store), rounds: ROUNDS, p50ms: +pct(delays, 0.5).toFixed(2), p99ms: +pct(delays, 0.99).toFixed(2), maxms: +Math.max(...delays).toFixed(2) };
  } finally {
    for (const n of [a, b, c]) n.child.kill('SIGTERM');
  }
}

if (standalone) {
  const store = process.argv[2] ?? process.env.REDIS_URL;
  if (!store) throw new Error('usage: propagation.ts <store url | redis-cluster> [rounds]');
  const rounds = Number(process.argv[3] ?? 100);
  const result = store === 'redis-cluster' ? await withCluster((url) => benchPropagation(url, rounds)) : await benchPropagation(store, rounds);
  console.log(JSON.stringify(result));
}
