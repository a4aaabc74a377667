/**
 * `npm run bench`: every server pinned to core 0, the load generator (autocannon, this process)
 * pinned to core 1, all in one run so the ratios compare like with like.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchCore } from './core.ts';
import { benchVerifier } from './verifier.ts';
import { haveRedisServer, withCluster } from '../packages/store-redis/test/local-redis.ts';
import { benchPropagation, type PropagationResult } from './propagation.ts';
import { sessiondHeaders } from './sign-in.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

if (hasTaskset && process.env.BENCH_PINNED !== '1') {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

interface Target {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** How to obtain the request headers once the server listens. */
  headers: (url: string, printed: Record<string, string>) => Promise<Record<string, string>>;
  needs?: 'redis' | 'postgres';
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server process's own CPU (user + system) per request, where /proc can tell. */
  cpuUsPerRequest?: number;
  note?: string;
}

/** CPU seconds the process has used so far (utime + stime from /proc), or null off Linux. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function startTarget(t: Target): Promise<{ url: string; printed: Record<string, string>; child: ChildProcess }> {
  const cmd = hasTaskset ? 'taskset' : process.execPath;
  const args = hasTaskset ? ['-c', '0', process.execPath, '--import', 'tsx', ...t.args] : ['--import', 'tsx', ...t.args];
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, PORT: '0', SESSIOND_LOG_LEVEL: 'warn', ...t.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${t.name} did not start: ${out}`)), 30_000);
    const check = () => {
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (!url) return;
      const h = /BENCH_HEADERS (.*)/.exec(out)?.[1];
      if (t.args[0]!.includes('targets/') && !h) return;
      clearTimeout(timer);
      resolve({ url, printed: h ? (JSON.parse(h) as Record<string, string>) : {}, child });
    };
    child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), check()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${t.name} exited ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function load(url: string, headers: Record<string, string>, opts: { overallRate?: number; method?: 'GET' | 'POST'; body?: string; connections?: number; duration?: number } = {}) {
  const r = await autocannon({
    url,
    method: opts.method ?? 'GET',
    headers,
    body: opts.body,
    connections: opts.connections ?? CONNECTIONS,
    duration: opts.duration ?? DURATION,
    overallRate: opts.overallRate,
  });
  return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

const sessiond = (name: string, store: string, kind: 'bearer' | 'cookie', needs?: Target['needs']): Target => ({
  name,
  args: ['packages/server/src/cli.ts', 'serve'],
  env: { SESSIOND_STORE: store },
  headers: (url) => sessiondHeaders(url, kind),
  needs,
});

const redisUrl = process.env.REDIS_URL;
const pgUrl = process.env.DATABASE_URL;
const sqlitePath = join(ROOT, 'bench/results/bench.db');

const targets: Target[] = [
  { name: 'bare Fastify (constant)', args: ['bench/targets/fastify-bare.ts'], headers: async () => ({}) },
  sessiond('sessiond SQLite, bearer', `sqlite:${sqlitePath}`, 'bearer'),
  sessiond('sessiond SQLite, cookie', `sqlite:${sqlitePath}`, 'cookie'),
  // A prefix of this run's own: a shared Redis may hold another run's keys, sealed under another key.
  ...(redisUrl ? [sessiond('sessiond Redis, bearer', `${redisUrl}${redisUrl.includes('?') ? '&' : '?'}prefix=bench-${Date.now()}`, 'bearer', 'redis')] : []),
  ...(pgUrl ? [sessiond('sessiond PostgreSQL, bearer', pgUrl, 'bearer', 'postgres')] : []),
  { name: 'express-session + MemoryStore', args: ['bench/targets/express-session.ts', 'memory'], headers: async (_u, p) => p },
  ...(redisUrl ? [{ name: 'express-session + connect-redis', args: ['bench/targets/express-session.ts', 'redis'], headers: async (_u: string, p: Record<string, string>) => p, needs: 'redis' as const }] : []),
  { name: '@fastify/session (memory)', args: ['bench/targets/fastify-session.ts'], headers: async (_u, p) => p },
  { name: 'Better Auth getSession (SQLite)', args: ['bench/targets/better-auth.ts'], headers: async (_u, p) => p },
];

async function main() {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const only = process.argv[2];
  const rows: Row[] = [];
  let p99At80: Row | null = null;
  let signIn: Row | null = null;
  for (const t of targets) {
    if (only && !t.name.toLowerCase().includes(only.toLowerCase())) continue;
    process.stdout.write(`… ${t.name}\n`);
    let started;
    try {
      started = await startTarget(t);
    } catch (e) {
      rows.push({ name: t.name, rps: 0, p50: 0, p99: 0, errors: 0, note: `did not start: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    try {
      const headers = await t.headers(started.url, started.printed);
      const url = started.url + '/v1/session';
      await load(url, headers, { duration: 2 }); // warm-up: JIT, caches
      const cpuBefore = cpuSeconds(started.child.pid);
      const r = await load(url, headers);
      const cpuAfter = cpuSeconds(started.child.pid);
      // A ratio of CPU per request is steadier than one of req/s on a shared machine.
      const cpuUsPerRequest = cpuBefore !== null && cpuAfter !== null && r.total > 0 ? Math.round(((cpuAfter - cpuBefore) * 1e6 * 10) / r.total) / 10 : undefined;
      if (cpuUsPerRequest !== undefined) process.stdout.write(`  ${Math.round(r.rps)} req/s, server CPU ${cpuUsPerRequest} µs per request\n`);
      rows.push({ name: t.name, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, cpuUsPerRequest });
      if (t.name === 'sessiond SQLite, bearer') {
        const at80 = await load(url, headers, { overallRate: Math.floor(r.rps * 0.8) });
        p99At80 = { name: 'sessiond SQLite, bearer at 80 % of peak', rps: at80.rps, p50: at80.p50, p99: at80.p99, errors: at80.errors };
        const body = JSON.stringify({ email: 'nobody-' + Date.now() + '@example.com', password: 'wrong password here' });
        await fetch(started.url + '/v1/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.replace('wrong password here', 'correct horse battery') });
        const s = await load(started.url + '/v1/login', { 'content-type': 'application/json' }, { method: 'POST', body: body.replace('wrong password here', 'correct horse battery'), connections: 4, duration: 5 });
        signIn = { name: 'sessiond sign-in (argon2id, SQLite)', rps: s.rps, p50: s.p50, p99: s.p99, errors: s.errors };
      }
    } finally {
      await stop(started.child);
    }
  }
  const core = only ? null : [...(await benchCore()), ...(await benchVerifier())];
  const propagation: PropagationResult[] = [];
  if (!only) {
    const tag = Date.now().toString(36);
    if (redisUrl) propagation.push(await benchPropagation(`${redisUrl}${redisUrl.includes('?') ? '&' : '?'}prefix=bench-prop-${tag}`, 50));
    if (pgUrl) propagation.push(await benchPropagation(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=bench_prop_${tag}`, 50));
    if (haveRedisServer) propagation.push(await withCluster((url) => benchPropagation(url, 50)));
  }
  const bare = rows.find((r) => r.name.startsWith('bare Fastify'))?.rps ?? 0;
  const esRedis = rows.find((r) => r.name === 'express-session + connect-redis')?.rps ?? 0;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  const table = [
    `Machine: ${machine}; server pinned to 1 core, autocannon (${CONNECTIONS} connections, ${DURATION} s) on the other.`,
    '',
    '| GET /v1/session | req/s | p50 ms | p99 ms | vs bare Fastify | vs express-session + Redis | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name}${r.note ? ` (${r.note})` : ''} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${bare ? ((r.rps / bare) * 100).toFixed(0) + ' %' : '–'} | ${esRedis ? (r.rps / esRedis).toFixed(1) + '×' : '–'} | ${r.errors} |`),
    ...(p99At80 ? [`| ${p99At80.name} | ${Math.round(p99At80.rps)} | ${p99At80.p50} | ${p99At80.p99} | | | ${p99At80.errors} |`] : []),
    ...(signIn ? [`| ${signIn.name} (POST /v1/login) | ${Math.round(signIn.rps)} | ${signIn.p50} | ${signIn.p99} | | | ${signIn.errors} |`] : []),
    ...(propagation.length ? ['', '| an ending across 3 nodes (push channel on 2 watchers) | p50 ms | p99 ms |', '|---|---:|---:|', ...propagation.map((p) => `| ${p.store}, ${p.rounds} rounds | ${p.p50ms} | ${p.p99ms} |`)] : []),
    ...(core ? ['', '| in-process | ops/s |', '|---|---:|', ...core.map((c) => `| ${c.name} | ${Math.round(c.opsPerSec)} |`)] : []),
  ].join('\n');
  console.log('\n' + table);
  writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify({ at: new Date().toISOString(), machine, duration: DURATION, connections: CONNECTIONS, http: rows, p99At80, signIn, core, propagation }, null, 2));
  writeFileSync(join(ROOT, 'bench/results/latest.md'), table + '\n');
}

await main();
