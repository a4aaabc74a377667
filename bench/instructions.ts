/**
 * `npm run bench:instructions`: machine instructions per `GET /v1/session`, counted by valgrind's
 * callgrind, for bare Fastify and for sessiond on SQLite (bearer and cookie).
 *
 * Why counts and not req/s: on a shared VM the same binary's req/s moves by ±10 points between
 * runs, while an instruction count for the same code and inputs moves by a few per cent whatever
 * else the machine does. So the ratio to bare Fastify can be compared across days and commits.
 * What the count leaves out: the kernel's socket work (user space only), the same for every target,
 * so sessiond's ratio here is lower than a timed one over the same requests would be.
 *
 * Each server runs uninstrumented (valgrind's core only) through start-up and a warm-up long enough
 * for V8 to optimise the hot path; then counting is switched on and zeroed, a fixed number of
 * requests is sent one at a time, and the counters are dumped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sessiondHeaders } from './sign-in.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 30_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);

interface Target {
  name: string;
  args: string[];
  env?: Record<string, string>;
  headers: (url: string) => Promise<Record<string, string>>;
}

const work = mkdtempSync(join(tmpdir(), 'sessiond-instructions-'));
const sessiond = (name: string, kind: 'bearer' | 'cookie'): Target => ({
  name,
  args: ['packages/server/src/cli.ts', 'serve'],
  env: { SESSIOND_STORE: `sqlite:${join(work, `${kind}.db`)}` },
  headers: (url) => sessiondHeaders(url, kind),
});
const targets: Target[] = [
  { name: 'bare Fastify (constant)', args: ['bench/targets/fastify-bare.ts'], headers: async () => ({}) },
  sessiond('sessiond SQLite, bearer', 'bearer'),
  sessiond('sessiond SQLite, cookie', 'cookie'),
];

function callgrindControl(pid: number, ...opts: string[]): void {
  const r = spawnSync('callgrind_control', [...opts, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control ${opts.join(' ')} failed: ${r.stderr || r.stdout}`);
}

function start(t: Target, outFile: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${outFile}`, process.execPath, '--import', 'tsx', ...t.args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', SESSIOND_LOG_LEVEL: 'warn', ...t.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    // Start-up under valgrind's core is some ten times slower than without.
    const timer = setTimeout(() => reject(new Error(`${t.name} did not start: ${out}`)), 180_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, child });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${t.name} exited ${code}: ${out}`)));
  });
}

async function send(url: string, headers: Record<string, string>, amount: number): Promise<void> {
  // One connection: requests one after another, so the count is per request and nothing queues.
  const r = await autocannon({ url, headers, connections: 1, amount });
  const failed = r.errors + r.timeouts + r.non2xx;
  if (failed > 0 || r.requests.total !== amount) throw new Error(`${url}: ${failed} failed of ${r.requests.total}`);
}

/** The total `Ir` of the last dump callgrind wrote for this output file. */
function dumpedInstructions(outFile: string): number {
  const base = outFile.split('/').pop()!;
  const dumps = readdirSync(work).filter((f) => f.startsWith(`${base}.`)).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  const text = readFileSync(join(work, dumps.at(-1)!), 'utf8');
  const m = /^(?:summary|totals): (\d+)/m.exec(text);
  if (!m) throw new Error(`no totals in ${dumps.at(-1)}`);
  return Number(m[1]);
}

async function measure(t: Target): Promise<number> {
  const outFile = join(work, `${t.name.replace(/\W+/g, '-')}.out`);
  const { url, child } = await start(t, outFile);
  try {
    const headers = await t.headers(url);
    const target = url + '/v1/session';
    await send(target, headers, WARM_UP);
    callgrindControl(child.pid!, '--instr=on');
    callgrindControl(child.pid!, '--zero');
    await send(target, headers, REQUESTS);
    callgrindControl(child.pid!, '--dump');
    return dumpedInstructions(outFile) / REQUESTS;
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
  }
}

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('valgrind is not installed (Debian: apt-get install -y valgrind)');
  process.exit(1);
}
const only = process.argv[2];
const rows: { name: string; perRequest: number }[] = [];
try {
  for (const t of targets) {
    if (only && !t.name.toLowerCase().includes(only.toLowerCase()) && !t.name.startsWith('bare')) continue;
    process.stdout.write(`… ${t.name}\n`);
    rows.push({ name: t.name, perRequest: await measure(t) });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const bare = rows[0]!.perRequest;
const table = [
  `Instructions per GET /v1/session (valgrind callgrind, user space; ${WARM_UP} requests of warm-up, ${REQUESTS} counted, one connection), Node ${process.version}:`,
  '',
  '| GET /v1/session | instructions per request | bare Fastify ÷ this |',
  '|---|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${Math.round(r.perRequest)} | ${((bare / r.perRequest) * 100).toFixed(0)} % |`),
].join('\n');
console.log('\n' + table);
writeFileSync(join(ROOT, 'bench/results/instructions.md'), table + '\n');
