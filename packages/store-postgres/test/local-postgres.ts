import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of a test's own, from the machine's binaries, on a free port: a test may
 * stop it abruptly and start it again without touching the machine's shared server.
 */

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'pg_ctl')));
  return dir ?? null;
}

const BIN = binDir();
// PostgreSQL refuses to run as root; as root it runs as the postgres account.
const asRoot = process.getuid?.() === 0;
const postgresUid = asRoot ? Number(spawnSync('id', ['-u', 'postgres']).stdout?.toString().trim() || NaN) : NaN;

export const havePostgresBinaries = BIN !== null && (!asRoot || Number.isInteger(postgresUid));

function run(tool: string, args: string[]): SpawnSyncReturns<Buffer> {
  const cmd = join(BIN!, tool);
  return asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args]) : spawnSync(cmd, args);
}

function check(what: string, r: SpawnSyncReturns<Buffer>): void {
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stdout}${r.stderr}`);
}

export interface LocalPostgres {
  port: number;
  url: string;
  /** An immediate shutdown: every process ends without a checkpoint, as in a crash. */
  crash(): void;
  /** Starts it again on the same port and data; recovery replays the WAL. */
  start(): void;
  stop(): void;
}

export function startPostgres(port: number): LocalPostgres {
  const dir = mkdtempSync(join(tmpdir(), 'sessiond-pg-'));
  if (asRoot) chownSync(dir, postgresUid, postgresUid);
  const data = join(dir, 'data');
  check('initdb', run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']));
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, ...args]);
  const pg: LocalPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: () => check('pg_ctl stop', ctl('stop', '-m', 'immediate', '-w')),
    start: () => check('pg_ctl start', ctl('start', '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`)),
    stop() {
      ctl('stop', '-m', 'immediate', '-w');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}
