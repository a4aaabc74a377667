import { StoreUnavailableError } from '@sessiond/core';
import { makeEnding, makeSession, makeTrustedDevice, makeUser } from '@sessiond/store-tests';
import { Redis, type Cluster } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { RedisKeys } from '../src/keys.ts';
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
 * For the conformance suite: a string where the webhook's delivery list (`of:<webhook>`, a sorted
 * set) belongs, so queueing a delivery for it meets a key of the wrong type.
 */
export function breakDeliveryQueueWith(connect: () => Redis | Cluster, prefixes: WeakMap<object, string>) {
  return async (store: object, webhookId: string): Promise<void> => {
    const r = connect();
    try {
      await r.set(`${new RedisKeys(prefixes.get(store)!).deliveries}of:${webhookId}`, 'not a sorted set');
    } finally {
      r.disconnect();
    }
  };
}

/**
 * What the conformance suite cannot see: the keys themselves. `open` gives a fresh store under the
 * prefix; `servers` are the primaries to inspect (one, or every Cluster shard).
 */
export function describeKeyLayout(open: (prefix: string) => Promise<RedisStore>, servers: () => string[]): void {
  const fresh = () => `layout-${Math.random().toString(36).slice(2, 10)}`;
  const opened: RedisStore[] = [];
  afterEach(() => Promise.all(opened.splice(0).map((s) => s.close())));
  const start = async (prefix = fresh()) => {
    const s = await open(prefix);
    opened.push(s);
    return s;
  };

  it('leaves no session data behind once everything has expired', async () => {
    const prefix = fresh();
    const store = await start(prefix);
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
    // The account, its email, the audit stream and the layout marker are not session data and stay.
    expect(left).toEqual([`${prefix}:email:${user.email}`, `${prefix}:layout`, `${prefix}:{u:${user.id}}:user`].sort());
  });

  it('drops each session-id pointer with its record: logged out, timed out, or expired before any sweep; activity keeps it', async () => {
    const prefix = fresh();
    const store = await start(prefix);
    const now = Date.now();
    const [user, other] = [makeUser(), makeUser()];
    for (const u of [user, other]) await store.createUser(u);
    // 400 ms idle deadlines under a 1 h absolute one, 300 ms tombstones.
    const short = { createdAt: now, userId: user.id, idleExpiresAt: now + 400, absoluteExpiresAt: now + 3_600_000, purgeAt: now + 700 };
    const [loggedOut, timedOut, active] = [makeSession(short), makeSession(short), makeSession(short)];
    // Past its deadline at 600 ms, after the one sweep below: its record simply expires at 900 ms.
    const unswept = makeSession({ ...short, userId: other.id, idleExpiresAt: now + 600, purgeAt: now + 900 });
    for (const s of [loggedOut, timedOut, active, unswept]) await store.createSession(s);
    await store.endSession(loggedOut.id, makeEnding('logged_out', now, { purgeAt: now + 300 }));
    await store.updateSession(active.id, { idleExpiresAt: now + 1000, purgeAt: now + 1300 });
    await sleep(450);
    expect((await store.sweep(Date.now(), { limit: 100, tombstoneTtlMs: 300 })).timedOut.map((s) => s.id)).toEqual([timedOut.id]);
    await sleep(350);
    // Past its first purge time: the pointer followed the slide (a fresh store remembers no owner).
    expect((await (await start(prefix)).findSession(active.id))?.id).toBe(active.id);
    await sleep(700);
    expect((await keysByServer(servers(), prefix)).flat().filter((k) => k.startsWith(`${prefix}:sid:`))).toEqual([]);
  });

  it('applies a resent sign-in once: the same session again neither counts against the limit nor fails', async () => {
    const store = await start(fresh());
    const s = makeSession({ createdAt: Date.now() });
    const limit = { max: 1, onMax: 'reject' as const, now: Date.now(), ending: makeEnding('concurrent_limit', Date.now()) };
    expect(await store.createSession(s, limit)).toEqual({ ok: true, evicted: [] });
    // As ioredis does when a connection drops before the answer arrives.
    expect(await store.createSession(s, limit)).toEqual({ ok: true, evicted: [] });
    expect((await store.listUserSessions(s.userId, Date.now())).map((x) => x.id)).toEqual([s.id]);
    expect(await store.findSession(s.id)).toEqual(s);
  });

  it('answers a resent ending with the ended record, so its event is not lost; another ending still gets nothing', async () => {
    const store = await start(fresh());
    const s = makeSession({ createdAt: Date.now() });
    await store.createSession(s);
    const ending = makeEnding('logged_out', Date.now());
    const first = await store.endSession(s.id, ending);
    expect(first?.endReason).toBe('logged_out');
    expect(await store.endSession(s.id, ending)).toEqual(first);
    expect(await store.endSession(s.id, makeEnding('revoked', Date.now() + 1))).toBeNull();
  });

  it('keeps a session findable as long as its tombstone, even when it ends after its absolute deadline', async () => {
    const prefix = fresh();
    const store = await start(prefix);
    const now = Date.now();
    // Past its absolute deadline at 100 ms, not yet swept when revoked at 200 ms with a 2 s tombstone.
    const s = makeSession({ createdAt: now, idleExpiresAt: now + 60_000, absoluteExpiresAt: now + 100, purgeAt: now + 400 });
    await store.createSession(s);
    await sleep(200);
    const at = Date.now();
    await store.endUserSessions(s.userId, makeEnding('revoked_all', at, { purgeAt: at + 2000 }));
    await sleep(600);
    const reopened = await start(prefix); // no remembered owner: the pointer itself must still be there
    expect((await reopened.findSession(s.id))?.endReason).toBe('revoked_all');
  });

  it('reports a reply that shows a bug (a wrong type) as an error, not as the store being away', async () => {
    const prefix = fresh();
    const store = await start(prefix);
    const user = makeUser();
    await store.createUser(user);
    const key = `${prefix}:{u:${user.id}}:user`;
    const holder = (await keysByServer(servers(), prefix)).findIndex((keys) => keys.includes(key));
    const direct = new Redis(servers()[holder]!);
    await direct.del(key);
    await direct.set(key, 'not a hash');
    direct.disconnect();
    const error = await store.findUserById(user.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(String(error)).toMatch(/WRONGTYPE/);
  });

  it('delivers what was recorded while its subscriber was reconnecting, once and in order', async () => {
    const prefix = fresh();
    const writer = await start(prefix);
    // History from before a node started is never replayed to it.
    await writer.recordEvent({ type: 'session.started', at: Date.now(), userId: 'u', sessionId: 'before', ip: null, reason: null, data: {} });
    const store = await start(prefix);
    const got: string[] = [];
    store.subscribe((e) => got.push(e.id));
    // Every pub/sub connection on every server is dropped: the subscriber reconnects by itself.
    await Promise.all(
      servers().map(async (url) => {
        const r = new Redis(url);
        await r.client('KILL', 'TYPE', 'pubsub');
        r.disconnect();
      }),
    );
    const during: string[] = [];
    for (let i = 0; i < 3; i++) during.push((await writer.recordEvent({ type: 'session.ended', at: Date.now(), userId: 'u', sessionId: `s${i}`, ip: null, reason: 'revoked', data: {} })).id);
    for (let i = 0; i < 40 && !during.every((id) => got.includes(id)); i++) await sleep(50);
    expect(got).toEqual(during);
    const after = (await writer.recordEvent({ type: 'session.started', at: Date.now(), userId: 'u', sessionId: 'after', ip: null, reason: null, data: {} })).id;
    for (let i = 0; i < 40 && !got.includes(after); i++) await sleep(50);
    await sleep(600); // a catch-up round after the live delivery must not repeat it
    expect(got).toEqual([...during, after]);
  });

  it("keeps each user's keys under one hash tag, so per-user steps run on one shard", async () => {
    const prefix = fresh();
    const store = await start(prefix);
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
  });
}
