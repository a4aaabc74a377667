import type { AuditEvent } from '@sessiond/core';
import { makeEvent, makeSession, makeUser } from '@sessiond/store-tests';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { RedisStore } from '../src/redis-store.ts';
import { until } from './local-redis.ts';

/**
 * What a failover must not break, on Sentinel and on Cluster alike: a session written and
 * replicated before the primary holding it fails over is read afterwards by the same store object,
 * which also writes and delivers events again, with no restart. `primaryOf` names the port of the
 * primary holding a user's keys; `failOver` kills it and waits until a replica has taken over.
 */
export async function expectFailoverFollowed(store: RedisStore, primaryOf: (userId: string) => number, failOver: (primary: number) => Promise<void>): Promise<void> {
  const events: AuditEvent[] = [];
  store.subscribe((e) => events.push(e));
  const user = makeUser();
  await store.createUser(user);
  const before = makeSession({ createdAt: Date.now(), userId: user.id });
  await store.createSession(before);
  // Replication is asynchronous: wait until the replica has it, as AOF + a replica would in production.
  const primary = primaryOf(user.id);
  const direct = new Redis(primary, '127.0.0.1');
  expect(await direct.wait(1, 2000)).toBe(1);
  direct.disconnect();

  await failOver(primary);

  await until('the store to serve the user again', () => store.findSession(before.id).then((s) => s !== null, () => false));
  expect(await store.findSession(before.id)).toEqual(before);
  const after = makeSession({ createdAt: Date.now(), userId: user.id });
  expect((await store.createSession(after)).ok).toBe(true);
  expect((await store.listUserSessions(user.id, Date.now())).map((s) => s.id).sort()).toEqual([before.id, after.id].sort());
  // The feed too (its stream may have lived on the primary that failed over).
  let recorded = '';
  await until('an event to be recorded', () => store.recordEvent(makeEvent({ userId: user.id })).then((e) => ((recorded = e.id), true), () => false));
  await until('the event on the feed', () => events.some((e) => e.id === recorded), 5000);
}
