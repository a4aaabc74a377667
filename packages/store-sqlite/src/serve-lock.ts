import { mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export interface ServeLock {
  release(): void;
}

/** Another server holds the database; `pid` is null when it could not be learnt. */
export class DatabaseInUseError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number | null,
  ) {
    super(`${path} is already served by another sessiond (${pid === null ? 'pid unknown' : `pid ${pid}`}); one SQLite file serves one server: stop that one, or use Redis or PostgreSQL to run several`);
    this.name = 'DatabaseInUseError';
  }
}

const WAIT_FOR_PID_MS = 1_000;

/**
 * Lets one server at a time serve a SQLite database: two would each cache sessions and hear none
 * of the other's endings. The lock is a write lock SQLite holds on `<path>.lock` for the server's
 * lifetime. The kernel drops it when the process dies, even by kill -9, so no stale lock can block
 * a restart and no reused PID can look alive; the database itself stays open to the short-lived
 * admin commands. The holder's PID is committed in the lock file's user_version for the message.
 * The lock sits beside the real file, so a symlink (or a symlinked folder) reaches the same lock;
 * a hard link to the database has no one real path and still gets through.
 */
export function lockForServing(path: string): ServeLock {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(`${realFile(path)}.lock`, { timeout: WAIT_FOR_PID_MS });
  const take = () => {
    // No waiting for the lock itself: a holder keeps it for as long as it serves.
    db.pragma('busy_timeout = 0');
    try {
      db.exec('BEGIN IMMEDIATE');
      return true;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
      return false;
    } finally {
      db.pragma(`busy_timeout = ${WAIT_FOR_PID_MS}`);
    }
  };
  try {
    // The PID is committed, then the lock taken again; whoever wins in between is the holder.
    if (take()) {
      db.pragma(`user_version = ${process.pid}`);
      db.exec('COMMIT');
      if (take()) return { release: () => db.close() };
    }
    throw new DatabaseInUseError(path, holder(db));
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The file's real path; one not created yet is named by its folder's real path. */
function realFile(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return join(realpathSync(dirname(path)), basename(path));
  }
}

/** The holder's PID, once it has committed it (it may have just won the lock). */
function holder(db: Database.Database): number | null {
  const until = Date.now() + WAIT_FOR_PID_MS;
  for (;;) {
    const pid = db.pragma('user_version', { simple: true }) as number;
    if (pid !== process.pid && alive(pid)) return pid;
    if (Date.now() >= until) return null;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as { code?: string }).code === 'EPERM';
  }
}
