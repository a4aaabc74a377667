// Child process of durability.test.ts: signs sessions in as fast as it can and reports each id
// on stdout only after the store answered, as the server answers a sign-in only after the write.
import { makeEvent, makeSession } from '@sessiond/store-tests';
import { createSqliteStore } from './sqlite-store.ts';

const store = createSqliteStore(process.argv[2]!);
await store.init();
for (;;) {
  const s = makeSession({ createdAt: Date.now() });
  await store.createSession(s, { max: 5, onMax: 'evict_oldest', now: s.createdAt, ending: { at: s.createdAt, reason: 'concurrent_limit', purgeAt: s.createdAt + 1000 } });
  await store.recordEvent(makeEvent({ sessionId: s.id, userId: s.userId }));
  process.stdout.write(`${s.id}\n`);
}
