import type { Client } from './connection.ts';
import type { RedisKeys } from './keys.ts';
import { anyKey, literal, scan } from './migrate.ts';
import { underMigrateLock, type MigrateLockOptions } from './migrate-lock.ts';

/**
 * Moves the webhook delivery queue of the release before layout 3, which sat on a slot of its own
 * (`<p>:{wh}:`), to the audit stream's slot (keys.ts `deliveries`), in the order it was queued, each
 * delivery as it stands: pending ones are sent as before, finished ones stay as history. Each is
 * written before its old key is deleted, and writing one again is harmless, so a run cut off is
 * resumed by the next start. It runs under the migrate-lock of every layout migration: a second
 * node starting meanwhile waits until the queue is whole, rather than serving at once and queueing
 * new deliveries of a session ahead of its older ones not yet moved.
 */
export async function moveDeliveryQueue(redis: Client, k: RedisKeys, opts: MigrateLockOptions = {}): Promise<number> {
  const from = k.formerDeliveries;
  if (from === k.deliveries) return 0;
  return underMigrateLock(redis, k.prefix, () => anyKey(redis, `${literal(from)}*`), () => move(redis, from, k.deliveries), 0, opts);
}

async function move(redis: Client, from: string, to: string): Promise<number> {
  const queued: { id: string; seq: number }[] = [];
  for await (const keys of scan(redis, `${literal(from)}of:*`)) {
    for (const key of keys) {
      const withScores = await redis.zrange(key, 0, -1, 'WITHSCORES');
      for (let i = 0; i < withScores.length; i += 2) queued.push({ id: withScores[i]!, seq: Number(withScores[i + 1]) });
    }
  }
  queued.sort((a, b) => a.seq - b.seq);
  let moved = 0;
  for (const { id } of queued) {
    const raw = await redis.get(`${from}d:${id}`);
    if (raw !== null) moved += await redis.importDelivery(to, raw);
  }
  const old: string[] = [];
  for await (const keys of scan(redis, `${literal(from)}*`)) old.push(...keys);
  // One key at a time: on Cluster a DEL of several keys must keep to one slot, and these share one anyway.
  for (const key of new Set(old)) await redis.del(key);
  return moved;
}
