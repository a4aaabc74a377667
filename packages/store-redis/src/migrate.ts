import type { Cluster, Redis } from 'ioredis';
import type { SessionRecord, TrustedDeviceRecord, UserRecord } from '@sessiond/core';
import { underMigrateLock, type MigrateLockOptions } from './migrate-lock.ts';

/**
 * Moves data written by the previous release's Redis store (one key per record directly under the
 * prefix) into the per-user layout, through the store's own public methods, so that nobody is
 * signed out or locked out by an upgrade.
 *
 * Legacy keys, under `<p>` = `prefix`:
 *   `<p>:user:<userId>`  user JSON                        → target.putUser
 *   `<p>:s:<sessionId>`  session JSON, PXAT its purgeAt   → target.createSession (tombstones too)
 *   `<p>:dev:<deviceId>` device JSON, PXAT its expiresAt  → target.createTrustedDevice
 *   `<p>:u:<userId>`, `<p>:udev:<userId>`, `<p>:deadlines`: indexes, rebuilt by the writes above, deleted
 *   `<p>:email:<email>`, `<p>:events`, `<p>:c:*`, `<p>:keys`: the same in both layouts, left alone.
 * No key of the new layout matches those patterns (its keys are `<p>:{u:…}:…`, `<p>:sid:…`,
 * `<p>:did:…`, `<p>:due`, …), so the scan cannot pick up migrated data.
 *
 * Safe when several nodes start at once: one takes `<p>:migrate-lock` (migrate-lock.ts, renewed
 * while it works) and the others wait until it is gone, then look again (and take over if its
 * holder died). A run that was cut off leaves `<p>:migrate-pending`, so the next start resumes it. Each legacy record is
 * deleted only after it has been written, and writing it again is harmless, so any number of runs
 * give the same result. With nothing to migrate it costs two EXISTS and one SCAN pass for
 * `<p>:user:*`, and writes nothing.
 *
 * `prefix` is the legacy one; the target writes under its own (normally the same).
 */
export interface LegacyMigrationTarget {
  /** Writes the user record only; the email key is the same in both layouts and stays as it is. */
  putUser(user: UserRecord): Promise<void>;
  /** Called without a limit: stores the record as it is, ended or not, until its purgeAt. */
  createSession(session: SessionRecord): Promise<unknown>;
  createTrustedDevice(device: TrustedDeviceRecord): Promise<void>;
}

export interface LegacyMigrationResult {
  users: number;
  sessions: number;
  devices: number;
}

const SCAN_COUNT = 1000;
// Records written at once; each is a few round trips through the store.
const CONCURRENCY = 100;

/** The prefix as a literal in a SCAN MATCH pattern. */
export function literal(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

/** Every primary: one Redis (standalone or Sentinel's primary), or each Cluster master. */
function primaries(redis: Redis | Cluster): Redis[] {
  return redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
}

/** Pages of keys matching `pattern` on every primary (a key may come twice; callers tolerate it). */
export async function* scan(redis: Redis | Cluster, pattern: string): AsyncGenerator<string[]> {
  for (const node of primaries(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

export async function anyKey(redis: Redis | Cluster, pattern: string): Promise<boolean> {
  for await (const _ of scan(redis, pattern)) return true;
  return false;
}

/** Runs `fn` on every key matching `pattern`, a bounded number at a time. */
async function forEachKey(redis: Redis | Cluster, pattern: string, fn: (key: string) => Promise<void>): Promise<void> {
  for await (const keys of scan(redis, pattern)) {
    for (let i = 0; i < keys.length; i += CONCURRENCY) await Promise.all(keys.slice(i, i + CONCURRENCY).map(fn));
  }
}

function parse(raw: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function asUser(raw: string): UserRecord | null {
  const u = parse(raw);
  return u && isString(u.id) && isString(u.email) ? (u as unknown as UserRecord) : null;
}

function asSession(raw: string): SessionRecord | null {
  const s = parse(raw);
  const ok = s && isString(s.id) && isString(s.userId) && isTime(s.idleExpiresAt) && isTime(s.absoluteExpiresAt) && isTime(s.purgeAt) && (s.endedAt === null || isTime(s.endedAt));
  return ok ? (s as unknown as SessionRecord) : null;
}

function asDevice(raw: string): TrustedDeviceRecord | null {
  const d = parse(raw);
  return d && isString(d.id) && isString(d.userId) && isTime(d.expiresAt) ? (d as unknown as TrustedDeviceRecord) : null;
}

export async function migrateLegacyLayout(
  redis: Redis | Cluster,
  prefix: string,
  target: LegacyMigrationTarget,
  opts: MigrateLockOptions = {},
): Promise<LegacyMigrationResult> {
  const p = literal(prefix);
  const pending = `${prefix}:migrate-pending`;
  // `deadlines` exists while any legacy session is live; users exist in every deployment with data;
  // `pending` marks a run that did not finish (it deletes user keys before the indexes).
  const needed = async () =>
    (await redis.exists(`${prefix}:deadlines`)) === 1 || (await redis.exists(pending)) === 1 || (await anyKey(redis, `${p}:user:*`));
  const work = async () => {
    await redis.set(pending, '1');
    const result = await migrate(redis, prefix, target);
    await redis.del(pending);
    return result;
  };
  return underMigrateLock(redis, prefix, needed, work, { users: 0, sessions: 0, devices: 0 }, opts);
}

/**
 * Writes each record under `pattern` that `writer` accepts, deletes every key it read, and counts
 * the records written.
 */
async function moveRecords(redis: Redis | Cluster, pattern: string, writer: (raw: string) => (() => Promise<unknown>) | null): Promise<number> {
  let moved = 0;
  await forEachKey(redis, pattern, async (key) => {
    const raw = await redis.get(key);
    if (raw === null) return;
    const write = writer(raw);
    if (write) {
      await write();
      moved++;
    }
    await redis.del(key);
  });
  return moved;
}

async function migrate(redis: Redis | Cluster, prefix: string, target: LegacyMigrationTarget): Promise<LegacyMigrationResult> {
  const p = literal(prefix);
  const n: LegacyMigrationResult = { users: 0, sessions: 0, devices: 0 };

  // Users first, so that sessions and devices never belong to a user the new layout lacks. A user
  // whose JSON cannot be read is left where it is: no code could read it before either, and
  // deleting an account is not this function's call.
  await forEachKey(redis, `${p}:user:*`, async (key) => {
    const raw = await redis.get(key);
    const user = raw === null ? null : asUser(raw);
    if (!user) return;
    await target.putUser(user);
    await redis.del(key);
    n.users++;
  });

  // Sessions, ended ones included: a tombstone is what tells a signed-out device why. One that is
  // unreadable or past its purgeAt (its key is about to expire) is dropped.
  n.sessions = await moveRecords(redis, `${p}:s:*`, (raw) => {
    const s = asSession(raw);
    return s && s.purgeAt > Date.now() ? () => target.createSession(s) : null;
  });
  // Trusted devices that have not expired.
  n.devices = await moveRecords(redis, `${p}:dev:*`, (raw) => {
    const d = asDevice(raw);
    return d && d.expiresAt > Date.now() ? () => target.createTrustedDevice(d) : null;
  });

  // The legacy indexes; the writes above built the new ones.
  for (const pattern of [`${p}:u:*`, `${p}:udev:*`]) {
    await forEachKey(redis, pattern, async (key) => {
      await redis.del(key);
    });
  }
  await redis.del(`${prefix}:deadlines`);
  return n;
}
