import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export interface MigrateLockOptions {
  /** Lock lifetime, renewed every third of it while this node migrates. Default 60 s. */
  lockMs?: number;
  /** How often a waiting node looks whether the lock is gone. Default 200 ms. */
  pollMs?: number;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work` while this node alone holds `<prefix>:migrate-lock`, the one lock of every layout
 * migration, if `needed` says there is work. A node that finds the lock taken waits until it is
 * gone (its holder finished, or died and the lock lapsed after `lockMs`), then asks `needed` again:
 * serving before the holder is done would show data as missing. Returns `idle` when nothing was needed.
 */
export async function underMigrateLock<T>(redis: Redis | Cluster, prefix: string, needed: () => Promise<boolean>, work: () => Promise<T>, idle: T, opts: MigrateLockOptions = {}): Promise<T> {
  const lockMs = opts.lockMs ?? 60_000;
  const pollMs = opts.pollMs ?? 200;
  const lock = `${prefix}:migrate-lock`;
  for (;;) {
    if (!(await needed())) return idle;
    const token = randomBytes(16).toString('hex');
    if ((await redis.set(lock, token, 'PX', lockMs, 'NX')) === 'OK') {
      const renew = setInterval(() => void redis.eval(RENEW, 1, lock, token, String(lockMs)).catch(() => {}), Math.max(1, Math.floor(lockMs / 3)));
      renew.unref();
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 1, lock, token).catch(() => {});
      }
    }
    while ((await redis.exists(lock)) === 1) await sleep(pollMs);
  }
}
