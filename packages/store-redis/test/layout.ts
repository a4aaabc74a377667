import { makeEnding, makeSession, makeTrustedDevice, makeUser } from '@sessiond/store-tests';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import type { RedisStore } from '../src/redis-store.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every key under `prefix` on each of the given Redis servers, by server. */
export async function keysByServer(urls: string[], prefix: string): Promise<string[][]> {
  return Promise.all(
    urls.map(async (url) => {
      const r = new Redis(url);
      try {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          keys.push(...batch);
          cursor = next;
        } while (cursor !== '0');
        return keys;
      } finally {
        r.disconnect();
      }
    }),
  );
}

/**
 * What the conformance suite cannot see: the keys themselves. `open` gives a fresh store under the
 * prefix; `servers` are the primaries to inspect (one, or every Cluster shard).
 */
export function describeKeyLayout(open: (prefix: string) => Promise<RedisStore>, servers: () => string[]): void {
  const fresh = () => `layout-${Math.random().toString(36).slice(2, 10)}`;

  it('leaves no session data behind once everything has expired', async () => {
    const prefix = fresh();
    const store = await open(prefix);
    try {
      const now = Date.now();
      const user = makeUser();
      await store.createUser(user);
      // Short lives: 400 ms deadlines, 300 ms tombstones; one logged out, two left to time out.
      const short = { createdAt: now, userId: user.id, idleExpiresAt: now + 400, absoluteExpiresAt: now + 400, purgeAt: now + 700 };
      const [a, b, c] = [makeSession(short), makeSession(short), makeSession(short)];
      for (const s of [a, b, c]) await store.createSession(s);
      await store.createTrustedDevice(makeTrustedDevice({ userId: user.id, createdAt: now, lastUsedAt: now, expiresAt: now + 500 }));
      await store.endSession(a.id, makeEnding('logged_out', now, { purgeAt: now + 300 }));
      await sleep(450);
      expect((await store.sweep(Date.now(), { limit: 100, tombstoneTtlMs: 300 })).timedOut.map((s) => s.id).sort()).toEqual([b.id, c.id].sort());
      await sleep(900);
      const left = (await keysByServer(servers(), prefix)).flat().sort();
      // The account, its email and the audit stream are not session data and stay.
      expect(left).toEqual([`${prefix}:email:${user.email}`, `${prefix}:{u:${user.id}}:user`].sort());
    } finally {
      await store.close();
    }
  });

  it("keeps each user's keys under one hash tag, so per-user steps run on one shard", async () => {
    const prefix = fresh();
    const store = await open(prefix);
    try {
      const users = Array.from({ length: 40 }, () => makeUser());
      for (const u of users) {
        await store.createUser(u);
        await store.createSession(makeSession({ createdAt: Date.now(), userId: u.id }));
        await store.createSession(makeSession({ createdAt: Date.now(), userId: u.id }));
        await store.createTrustedDevice(makeTrustedDevice({ userId: u.id, createdAt: Date.now(), expiresAt: Date.now() + 60_000 }));
      }
      const byServer = await keysByServer(servers(), prefix);
      for (const u of users) {
        const holders = byServer.map((keys) => keys.filter((k) => k.includes(`{u:${u.id}}`)).length).filter((n) => n > 0);
        expect(holders).toHaveLength(1);
        // record, two sessions, their index, one device, the device set
        expect(holders[0]).toBe(6);
      }
      // On a Cluster every shard holds some users: the keyspace is sharded, not one slot.
      for (const keys of byServer) expect(keys.some((k) => k.includes(':{u:'))).toBe(true);
      // Per-user steps that would fail with CROSSSLOT on a Cluster if the tags were wrong.
      expect(await store.endUserSessions(users[0]!.id, makeEnding('revoked_all', Date.now()))).toHaveLength(2);
      expect(await store.listUserSessions(users[1]!.id, Date.now())).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
}
