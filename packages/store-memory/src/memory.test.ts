import { runStoreConformance } from '@sessiond/store-tests';
import { createMemoryStore } from './memory-store.ts';

runStoreConformance('memory', async () => {
  const s = createMemoryStore();
  await s.init();
  return s;
});
