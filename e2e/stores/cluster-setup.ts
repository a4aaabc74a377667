import type { TestProject } from 'vitest/node';
import { startCluster } from '../../packages/store-redis/test/local-redis.ts';

/** Global setup of the "api on redis-cluster" project: a three-primary Cluster for its run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster(3);
  project.provide('e2eStore', `redis://127.0.0.1:${cluster.ports[0]}?cluster=1`);
  return () => cluster.stop();
}
