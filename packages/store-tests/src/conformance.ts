import { SessiondError, type AuditEvent, type SessionEnding, type Store } from '@sessiond/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIN, T0 as FIXED_T0, makeSession, makeUser, setBaseTime } from './fixtures.ts';

export interface ConformanceOptions {
  /**
   * The store expires keys by its backend's own clock (Redis TTLs): tests that need time to pass
   * for TTL-based behaviour then use the wall clock with short TTLs and short real waits.
   */
  realTime?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Store specification, as one suite every store runs. `makeStore` must return a fresh,
 * isolated, initialised store each time.
 */
export function runStoreConformance(name: string, makeStore: () => Promise<Store>, opts: ConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    // Times are explicit everywhere; a store that expires by its own clock gets them near now.
    const T0 = opts.realTime ? Math.floor(Date.now() / 1000) * 1000 : FIXED_T0;
    const ending = (reason: SessionEnding['reason'], at = T0 + MIN): SessionEnding => ({ at, reason, detail: null, purgeAt: at + 60 * MIN });
    let store: Store;
    beforeEach(async () => {
      setBaseTime(T0);
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('users', () => {
      it('creates, finds by id and email, and updates', async () => {
        const u = makeUser();
        await store.createUser(u);
        expect(await store.findUserById(u.id)).toEqual(u);
        expect(await store.findUserByEmail(u.email)).toEqual(u);
        expect(await store.findUserById('missing')).toBeNull();
        expect(await store.findUserByEmail('missing@example.com')).toBeNull();
        await store.updateUser(u.id, { passwordHash: 'new', totpEnabled: true, totpSecret: 'ABC', recoveryCodeHashes: ['h1', 'h2'] });
        expect(await store.findUserById(u.id)).toEqual({ ...u, passwordHash: 'new', totpEnabled: true, totpSecret: 'ABC', recoveryCodeHashes: ['h1', 'h2'] });
      });

      it('refuses a second user with the same email', async () => {
        const u = makeUser();
        await store.createUser(u);
        const e = await store.createUser(makeUser({ email: u.email })).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(SessiondError);
        expect((e as SessiondError).code).toBe('email_taken');
      });
    });

    describe('sessions', () => {
      it('stores a session exactly and finds it by id', async () => {
        const s = makeSession({ refresh: { hash: 'r1', previousHash: null, rotatedAt: null, generation: 0 }, trustedDeviceId: 'd1', endDetail: null });
        expect(await store.createSession(s)).toEqual({ ok: true, evicted: [] });
        expect(await store.findSession(s.id)).toEqual(s);
        expect(await store.findSession('missing')).toBeNull();
      });

      it('updates only sessions that have not ended', async () => {
        const s = makeSession();
        await store.createSession(s);
        expect(await store.updateSession(s.id, { lastActiveAt: T0 + MIN, idleExpiresAt: T0 + 31 * MIN, ipLast: '198.51.100.7', locationLast: { city: null, region: null, country: 'US' } })).toBe(true);
        expect(await store.findSession(s.id)).toMatchObject({ lastActiveAt: T0 + MIN, idleExpiresAt: T0 + 31 * MIN, ipLast: '198.51.100.7', locationLast: { country: 'US' }, createdAt: T0 });
        await store.endSession(s.id, ending('logged_out'));
        expect(await store.updateSession(s.id, { lastActiveAt: T0 + 2 * MIN })).toBe(false);
        expect((await store.findSession(s.id))!.lastActiveAt).toBe(T0 + MIN);
        expect(await store.updateSession('missing', { lastActiveAt: 1 })).toBe(false);
      });

      it('ends a session once: the first caller gets the record, everyone else null', async () => {
        const s = makeSession();
        await store.createSession(s);
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.endSession(s.id, ending(i === 0 ? 'revoked' : 'logged_out', T0 + MIN + i))));
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        const found = await store.findSession(s.id);
        expect(found).toEqual(winners[0]);
        expect(found!.endedAt).not.toBeNull();
        expect(found!.purgeAt).toBe(found!.endedAt! + 60 * MIN);
        expect(await store.endSession('missing', ending('revoked'))).toBeNull();
      });

      it('keeps the ending detail', async () => {
        const s = makeSession();
        await store.createSession(s);
        const e = await store.endSession(s.id, { ...ending('revoked'), detail: { byDevice: 'Firefox on Windows', bySessionId: 'x' } });
        expect(e).toMatchObject({ endReason: 'revoked', endDetail: { byDevice: 'Firefox on Windows', bySessionId: 'x' } });
      });

      it('rotates refresh state by compare-and-set: exactly one of many concurrent rotations wins', async () => {
        const s = makeSession({ mode: 'token', refresh: { hash: 'h0', previousHash: null, rotatedAt: null, generation: 0 } });
        await store.createSession(s);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.rotateRefresh(s.id, 'h0', { refresh: { hash: `h1-${i}`, previousHash: 'h0', rotatedAt: T0 + i, generation: 1 } })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect((await store.findSession(s.id))!.refresh).toEqual({ hash: `h1-${winner}`, previousHash: 'h0', rotatedAt: T0 + winner, generation: 1 });
        expect(await store.rotateRefresh(s.id, 'h0', { refresh: { hash: 'x', previousHash: 'h0', rotatedAt: 0, generation: 9 } })).toBe(false);
        await store.endSession(s.id, ending('logged_out'));
        expect(await store.rotateRefresh(s.id, `h1-${winner}`, { refresh: { hash: 'y', previousHash: null, rotatedAt: 0, generation: 2 } })).toBe(false);
      });

      it('lists a user’s active sessions only: not ended, not timed out, not other users’', async () => {
        const userId = 'user-list';
        const a = makeSession({ userId });
        const b = makeSession({ userId, app: 'desktop' });
        const ended = makeSession({ userId });
        const idle = makeSession({ userId, idleExpiresAt: T0 + 5 * MIN });
        const other = makeSession({ userId: 'someone-else' });
        for (const s of [a, b, ended, idle, other]) await store.createSession(s);
        await store.endSession(ended.id, ending('logged_out'));
        const listed = await store.listUserSessions(userId, T0 + 10 * MIN);
        expect(listed.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
        expect(listed.find((s) => s.id === a.id)).toEqual(a);
        expect(await store.listUserSessions('nobody', T0)).toEqual([]);
      });

      it('ends a user’s sessions with filters: except one, one app, one trusted device', async () => {
        const userId = 'user-end';
        const keep = makeSession({ userId });
        const web = makeSession({ userId });
        const desktop = makeSession({ userId, app: 'desktop', trustedDeviceId: 'dev-1' });
        const other = makeSession({ userId: 'other-user' });
        for (const s of [keep, web, desktop, other]) await store.createSession(s);

        const byDevice = await store.endUserSessions(userId, ending('revoked'), { trustedDeviceId: 'dev-1' });
        expect(byDevice.map((s) => s.id)).toEqual([desktop.id]);
        const byApp = await store.endUserSessions(userId, ending('revoked'), { app: 'desktop' });
        expect(byApp).toEqual([]); // already ended
        const rest = await store.endUserSessions(userId, ending('password_changed'), { exceptId: keep.id });
        expect(rest.map((s) => s.id)).toEqual([web.id]);
        expect(rest[0]).toMatchObject({ endReason: 'password_changed' });
        expect((await store.findSession(keep.id))!.endedAt).toBeNull();
        expect((await store.findSession(other.id))!.endedAt).toBeNull();
        expect((await store.endUserSessions(userId, ending('revoked_all'))).map((s) => s.id)).toEqual([keep.id]);
      });

      it('ends every session of every user', async () => {
        const sessions = [makeSession(), makeSession(), makeSession()];
        for (const s of sessions) await store.createSession(s);
        await store.endSession(sessions[0]!.id, ending('logged_out'));
        expect(await store.endAllSessions(ending('global_logout'))).toBe(2);
        for (const s of sessions.slice(1)) expect((await store.findSession(s.id))!.endReason).toBe('global_logout');
        expect((await store.findSession(sessions[0]!.id))!.endReason).toBe('logged_out');
      });
    });

    describe('concurrent-session limit', () => {
      it('evict_oldest ends the oldest sessions of that user and app, with the given ending', async () => {
        const userId = 'user-limit';
        const s1 = makeSession({ userId, createdAt: T0 });
        const s2 = makeSession({ userId, createdAt: T0 + 1000 });
        const otherApp = makeSession({ userId, app: 'desktop', createdAt: T0 - 1000 });
        for (const s of [s1, s2, otherApp]) await store.createSession(s);
        const limit = { max: 2, onMax: 'evict_oldest' as const, now: T0 + 2000, ending: { ...ending('concurrent_limit', T0 + 2000), detail: { byDevice: 'Firefox on Windows', limit: 2 } } };
        const s3 = makeSession({ userId, createdAt: T0 + 2000 });
        const r = await store.createSession(s3, limit);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.evicted.map((s) => s.id)).toEqual([s1.id]);
        expect(r.evicted[0]).toMatchObject({ endReason: 'concurrent_limit', endedAt: T0 + 2000, endDetail: { byDevice: 'Firefox on Windows', limit: 2 } });
        expect((await store.listUserSessions(userId, T0 + 3000)).map((s) => s.id).sort()).toEqual([s2.id, s3.id, otherApp.id].sort());
      });

      it('reject inserts nothing and returns the active sessions', async () => {
        const userId = 'user-reject';
        const s1 = makeSession({ userId });
        await store.createSession(s1);
        const r = await store.createSession(makeSession({ userId }), { max: 1, onMax: 'reject', now: T0 + 1000, ending: ending('concurrent_limit') });
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.active.map((s) => s.id)).toEqual([s1.id]);
        expect(await store.listUserSessions(userId, T0 + 1000)).toHaveLength(1);
      });

      it('timed-out sessions do not count', async () => {
        const userId = 'user-limit-expired';
        await store.createSession(makeSession({ userId, idleExpiresAt: T0 + MIN }));
        const r = await store.createSession(makeSession({ userId }), { max: 1, onMax: 'reject', now: T0 + 2 * MIN, ending: ending('concurrent_limit') });
        expect(r.ok).toBe(true);
      });

      it('a burst of parallel sign-ins never leaves more than the limit active', async () => {
        const userId = 'user-burst';
        const now = T0 + 1000;
        await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.createSession(makeSession({ userId, createdAt: T0 + i }), { max: 3, onMax: 'evict_oldest', now, ending: ending('concurrent_limit', now) }),
          ),
        );
        expect(await store.listUserSessions(userId, now)).toHaveLength(3);
      });
    });

    describe('sweep', () => {
      it('marks timed-out sessions ended at their deadline with the right reason', async () => {
        const idle = makeSession({ idleExpiresAt: T0 + 10 * MIN });
        const absolute = makeSession({ idleExpiresAt: T0 + 60 * MIN, absoluteExpiresAt: T0 + 20 * MIN });
        const alive = makeSession();
        for (const s of [idle, absolute, alive]) await store.createSession(s);
        const r = await store.sweep(T0 + 25 * MIN, { limit: 100, tombstoneTtlMs: 60 * MIN });
        const byId = new Map(r.timedOut.map((s) => [s.id, s]));
        expect(byId.size).toBe(2);
        expect(byId.get(idle.id)).toMatchObject({ endReason: 'idle_timeout', endedAt: T0 + 10 * MIN, purgeAt: T0 + 70 * MIN });
        expect(byId.get(absolute.id)).toMatchObject({ endReason: 'absolute_timeout', endedAt: T0 + 20 * MIN });
        expect((await store.findSession(alive.id))!.endedAt).toBeNull();
        expect((await store.findSession(idle.id))!.endReason).toBe('idle_timeout');
        expect((await store.sweep(T0 + 25 * MIN, { limit: 100, tombstoneTtlMs: 60 * MIN })).timedOut).toEqual([]);
      });

      it('respects the batch limit', async () => {
        for (let i = 0; i < 5; i++) await store.createSession(makeSession({ idleExpiresAt: T0 + i }));
        const first = await store.sweep(T0 + MIN, { limit: 2, tombstoneTtlMs: 60 * MIN });
        expect(first.timedOut).toHaveLength(2);
        const second = await store.sweep(T0 + MIN, { limit: 10, tombstoneTtlMs: 60 * MIN });
        expect(second.timedOut).toHaveLength(3);
      });

      it.skipIf(opts.realTime)('deletes records whose purge time has come, and nothing else', async () => {
        const gone = makeSession();
        const tombstone = makeSession();
        const alive = makeSession();
        for (const s of [gone, tombstone, alive]) await store.createSession(s);
        await store.endSession(gone.id, { at: T0, reason: 'logged_out', purgeAt: T0 + MIN });
        await store.endSession(tombstone.id, { at: T0, reason: 'logged_out', purgeAt: T0 + 10 * MIN });
        const r = await store.sweep(T0 + 2 * MIN, { limit: 100, tombstoneTtlMs: 60 * MIN });
        expect(r.purged).toBe(1);
        expect(await store.findSession(gone.id)).toBeNull();
        expect((await store.findSession(tombstone.id))!.endReason).toBe('logged_out');
        expect(await store.findSession(alive.id)).not.toBeNull();
      });

      it.runIf(opts.realTime)('forgets records once their purge time has come (backend TTL)', async () => {
        const now = Date.now();
        const gone = makeSession({ createdAt: now });
        const kept = makeSession({ createdAt: now });
        await store.createSession(gone);
        await store.createSession(kept);
        await store.endSession(gone.id, { at: now, reason: 'logged_out', purgeAt: Date.now() + 300 });
        await sleep(700);
        await store.sweep(Date.now(), { limit: 100, tombstoneTtlMs: 60 * MIN });
        expect(await store.findSession(gone.id)).toBeNull();
        expect(await store.findSession(kept.id)).not.toBeNull();
      });
    });

    describe('trusted devices', () => {
      it('creates, finds, updates, lists live ones and deletes only the owner’s', async () => {
        const d = { id: 'dev-' + Math.random().toString(36).slice(2), userId: 'u-dev', secretHash: 'h', label: 'Chrome on macOS', createdAt: T0, lastUsedAt: T0, expiresAt: T0 + 30 * 24 * 60 * MIN };
        const expired = { ...d, id: d.id + '-old', expiresAt: T0 - 1 };
        await store.createTrustedDevice(d);
        await store.createTrustedDevice(expired);
        expect(await store.findTrustedDevice(d.id)).toEqual(d);
        await store.updateTrustedDevice(d.id, { lastUsedAt: T0 + MIN, label: 'Chrome on Windows' });
        expect(await store.findTrustedDevice(d.id)).toMatchObject({ lastUsedAt: T0 + MIN, label: 'Chrome on Windows' });
        expect((await store.listTrustedDevices('u-dev', T0)).map((x) => x.id)).toEqual([d.id]);
        expect(await store.deleteTrustedDevice('someone-else', d.id)).toBe(false);
        expect(await store.deleteTrustedDevice('u-dev', d.id)).toBe(true);
        expect(await store.findTrustedDevice(d.id)).toBeNull();
        expect(await store.deleteTrustedDevice('u-dev', d.id)).toBe(false);
      });
    });

    describe('audit events and the feed', () => {
      const ev = (type: AuditEvent['type'], userId: string | null, sessionId: string | null) => ({ type, at: T0, userId, sessionId, ip: '192.0.2.1', reason: null, data: { app: 'web' } });

      it('assigns increasing ids and lists newest first with filters', async () => {
        const a = await store.recordEvent(ev('session.started', 'u1', 's1'));
        const b = await store.recordEvent(ev('session.started', 'u2', 's2'));
        const c = await store.recordEvent({ ...ev('session.ended', 'u1', 's1'), reason: 'logged_out' });
        expect(a.id).not.toBe(b.id);
        expect((await store.listEvents({ limit: 10 })).map((e) => e.id)).toEqual([c.id, b.id, a.id]);
        expect((await store.listEvents({ userId: 'u1', limit: 10 })).map((e) => e.id)).toEqual([c.id, a.id]);
        expect((await store.listEvents({ sessionId: 's2', limit: 10 })).map((e) => e.id)).toEqual([b.id]);
        expect((await store.listEvents({ limit: 1 })).map((e) => e.id)).toEqual([c.id]);
        const got = (await store.listEvents({ sessionId: 's1', limit: 1 }))[0]!;
        expect(got).toEqual(c);
        expect(got.reason).toBe('logged_out');
      });

      it('lists events after an id oldest first (feed resume)', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await store.recordEvent(ev('session.started', 'u', `s${i}`))).id);
        expect((await store.listEvents({ afterId: ids[1]!, limit: 10 })).map((e) => e.id)).toEqual(ids.slice(2));
        expect((await store.listEvents({ afterId: ids[1]!, limit: 2 })).map((e) => e.id)).toEqual(ids.slice(2, 4));
        expect(await store.listEvents({ afterId: ids[4]!, limit: 10 })).toEqual([]);
      });

      it('delivers recorded events to subscribers, and stops after unsubscribe', async () => {
        const got: AuditEvent[] = [];
        const unsubscribe = store.subscribe((e) => got.push(e));
        await sleep(100); // remote stores subscribe over their own connection
        const recorded = await store.recordEvent(ev('session.ended', 'u1', 's1'));
        for (let i = 0; i < 50 && got.length === 0; i++) await sleep(20);
        expect(got).toEqual([recorded]);
        unsubscribe();
        await store.recordEvent(ev('session.ended', 'u1', 's2'));
        await sleep(150);
        expect(got).toHaveLength(1);
      });
    });

    describe('counters', () => {
      it('counts, resets, and starts again after the TTL', async () => {
        const key = 'login:' + Math.random();
        const now = opts.realTime ? Date.now() : T0;
        expect(await store.incrementCounter(key, 300, now)).toBe(1);
        expect(await store.incrementCounter(key, 300, now)).toBe(2);
        await store.resetCounter(key);
        expect(await store.incrementCounter(key, 300, now)).toBe(1);
        if (opts.realTime) await sleep(500);
        expect(await store.incrementCounter(key, 300, opts.realTime ? Date.now() : now + 301)).toBe(1);
      });
    });

    describe('signing keys', () => {
      it('saves, replaces by kid, and lists', async () => {
        const k = { kid: 'k1', alg: 'EdDSA' as const, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc' }, privateKeyEncrypted: 'enc', createdAt: T0, retiredAt: null, expiresAt: null };
        await store.saveSigningKey(k);
        await store.saveSigningKey({ ...k, kid: 'k2', createdAt: T0 + 1 });
        await store.saveSigningKey({ ...k, retiredAt: T0 + 5, expiresAt: T0 + 10 });
        const keys = (await store.listSigningKeys()).sort((a, b) => a.kid.localeCompare(b.kid));
        expect(keys).toEqual([{ ...k, retiredAt: T0 + 5, expiresAt: T0 + 10 }, { ...k, kid: 'k2', createdAt: T0 + 1 }]);
      });
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
