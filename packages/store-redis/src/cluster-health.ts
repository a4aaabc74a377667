import type { Cluster } from 'ioredis';

/**
 * On a Cluster, ready means every slot has a primary that answers: one shard that is down
 * fails the people it holds, so it makes the store unavailable rather than half-ready.
 */
export async function pingEveryShard(cluster: Cluster): Promise<void> {
  const primaries = new Set<string>();
  for (let slot = 0; slot < 16_384; slot++) {
    const owner = cluster.slots[slot]?.[0];
    if (owner === undefined) throw new Error(`slot ${slot} has no primary`);
    primaries.add(owner);
  }
  const connected = new Map(cluster.nodes('master').map((n) => [`${n.options.host}:${n.options.port}`, n]));
  await Promise.all(
    [...primaries].map((key) => {
      const node = connected.get(key);
      if (!node) throw new Error(`no connection to the primary ${key}`);
      return node.ping();
    }),
  );
}
