import { randomId, type SessionLimit, type SessionRecord } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { MIN, makeEnding, makeSession } from '../fixtures.ts';

const ids = (sessions: SessionRecord[]) => sessions.map((s) => s.id).sort();

export function describeSessionLimit(ctx: SuiteContext): void {
  const limit = (max: number, onMax: SessionLimit['onMax'], now = ctx.t0 + 10_000): SessionLimit => ({
    max,
    onMax,
    now,
    ending: makeEnding('concurrent_limit', now, { detail: { byDevice: 'Firefox on Windows', limit: max } }),
  });

  describe('sessions: concurrent-session limit', () => {
    it('inserts without evicting while under the limit', async () => {
      const userId = randomId();
      const first = makeSession({ userId });
      await ctx.store.createSession(first);
      const second = makeSession({ userId, createdAt: ctx.t0 + 1000 });
      expect(await ctx.store.createSession(second, limit(2, 'evict_oldest'))).toEqual({ ok: true, evicted: [] });
      expect(await ctx.store.findSession(first.id)).toEqual(first);
      expect(await ctx.store.findSession(second.id)).toEqual(second);
    });

    it('evict_oldest ends the oldest session of that user and app, with the given ending', async () => {
      const userId = randomId();
      const oldest = makeSession({ userId, createdAt: ctx.t0 });
      const newer = makeSession({ userId, createdAt: ctx.t0 + 1000 });
      const otherApp = makeSession({ userId, app: 'desktop', createdAt: ctx.t0 - 1000 });
      const otherUser = makeSession({ createdAt: ctx.t0 - 2000 });
      // Inserted newest first: "oldest" means by createdAt, not by insertion.
      for (const s of [newer, oldest, otherApp, otherUser]) await ctx.store.createSession(s);
      const l = limit(2, 'evict_oldest');
      const incoming = makeSession({ userId, createdAt: l.now });
      const r = await ctx.store.createSession(incoming, l);
      const expectedEvicted = { ...oldest, endedAt: l.now, endReason: 'concurrent_limit', endDetail: { byDevice: 'Firefox on Windows', limit: 2 }, purgeAt: l.ending.purgeAt };
      expect(r).toEqual({ ok: true, evicted: [expectedEvicted] });
      expect(await ctx.store.findSession(oldest.id)).toEqual(expectedEvicted);
      expect(await ctx.store.findSession(incoming.id)).toEqual(incoming);
      expect(ids(await ctx.store.listUserSessions(userId, l.now))).toEqual(ids([newer, incoming, otherApp]));
      expect(await ctx.store.findSession(otherUser.id)).toEqual(otherUser);
    });

    it('evict_oldest evicts as many as needed when already above the limit', async () => {
      const userId = randomId();
      const existing = [0, 1, 2].map((i) => makeSession({ userId, createdAt: ctx.t0 + i }));
      for (const s of existing) await ctx.store.createSession(s);
      const r = await ctx.store.createSession(makeSession({ userId, createdAt: ctx.t0 + 5 }), limit(2, 'evict_oldest'));
      expect(r.ok && ids(r.evicted)).toEqual(ids(existing.slice(0, 2)));
      expect(await ctx.store.listUserSessions(userId, ctx.t0 + 10)).toHaveLength(2);
    });

    it('reject inserts nothing and returns the active sessions', async () => {
      const userId = randomId();
      const a = makeSession({ userId });
      const b = makeSession({ userId, createdAt: ctx.t0 + 1 });
      for (const s of [a, b]) await ctx.store.createSession(s);
      const rejected = makeSession({ userId, createdAt: ctx.t0 + 2 });
      const r = await ctx.store.createSession(rejected, limit(2, 'reject'));
      expect(r.ok).toBe(false);
      expect(!r.ok && ids(r.active)).toEqual(ids([a, b]));
      expect(!r.ok && r.active.find((s) => s.id === a.id)).toEqual(a);
      expect(await ctx.store.findSession(rejected.id)).toBeNull();
      expect(await ctx.store.findSession(a.id)).toEqual(a);
    });

    it('counts neither ended nor timed-out sessions', async () => {
      const userId = randomId();
      const ended = makeSession({ userId });
      const timedOut = makeSession({ userId, idleExpiresAt: ctx.t0 + MIN });
      for (const s of [ended, timedOut]) await ctx.store.createSession(s);
      await ctx.store.endSession(ended.id, makeEnding('logged_out'));
      const r = await ctx.store.createSession(makeSession({ userId }), limit(1, 'reject', ctx.t0 + 2 * MIN));
      expect(r).toEqual({ ok: true, evicted: [] });
      expect((await ctx.store.findSession(timedOut.id))!.endedAt).toBeNull();
    });

    it('a burst of parallel sign-ins with evict_oldest leaves exactly the limit active', async () => {
      const userId = randomId();
      const l = limit(3, 'evict_oldest');
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ctx.store.createSession(makeSession({ userId, createdAt: ctx.t0 + i }), l)));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(await ctx.store.listUserSessions(userId, l.now)).toHaveLength(3);
      expect(results.flatMap((r) => (r.ok ? r.evicted : []))).toHaveLength(9);
    });

    const ceiling = (max: number, perApp = 0, now = ctx.t0 + 10_000): SessionLimit => ({
      ...limit(perApp, 'evict_oldest', now),
      ceiling: { max, ending: makeEnding('concurrent_limit', now, { detail: { byDevice: 'Firefox on Windows', accountLimit: max } }) },
    });

    it('the ceiling ends the user’s oldest sessions across apps, with its own ending', async () => {
      const userId = randomId();
      const oldest = makeSession({ userId, app: 'web', createdAt: ctx.t0 });
      const desktop = makeSession({ userId, app: 'desktop', createdAt: ctx.t0 + 1 });
      const newer = makeSession({ userId, app: 'web', createdAt: ctx.t0 + 2 });
      const otherUser = makeSession({ createdAt: ctx.t0 - 1 });
      for (const s of [newer, desktop, oldest, otherUser]) await ctx.store.createSession(s);
      const l = ceiling(3);
      const incoming = makeSession({ userId, app: 'mobile', createdAt: l.now });
      const r = await ctx.store.createSession(incoming, l);
      const expectedEvicted = { ...oldest, endedAt: l.now, endReason: 'concurrent_limit', endDetail: { byDevice: 'Firefox on Windows', accountLimit: 3 }, purgeAt: l.ceiling!.ending.purgeAt };
      expect(r).toEqual({ ok: true, evicted: [expectedEvicted] });
      expect(await ctx.store.findSession(oldest.id)).toEqual(expectedEvicted);
      expect(ids(await ctx.store.listUserSessions(userId, l.now))).toEqual(ids([desktop, newer, incoming]));
      expect(await ctx.store.findSession(otherUser.id)).toEqual(otherUser);
    });

    it('the ceiling counts what the app’s limit already evicted, and brings a user above it down to it', async () => {
      const userId = randomId();
      const [a, b] = [0, 1].map((i) => makeSession({ userId, app: 'web', createdAt: ctx.t0 + i }));
      const [c, d, e] = [2, 3, 4].map((i) => makeSession({ userId, app: 'desktop', createdAt: ctx.t0 + i }));
      for (const s of [a!, b!, c!, d!, e!]) await ctx.store.createSession(s);
      // The app's limit (2) evicts a; b, c, d, e and the new one are 5, the ceiling 3: b and c go.
      const r = await ctx.store.createSession(makeSession({ userId, app: 'web', createdAt: ctx.t0 + 5 }), ceiling(3, 2));
      expect(r.ok && r.evicted.map((s) => [s.id, s.endDetail])).toEqual([
        [a!.id, { byDevice: 'Firefox on Windows', limit: 2 }],
        [b!.id, { byDevice: 'Firefox on Windows', accountLimit: 3 }],
        [c!.id, { byDevice: 'Firefox on Windows', accountLimit: 3 }],
      ]);
      expect(await ctx.store.listUserSessions(userId, ctx.t0 + 10)).toHaveLength(3);
    });

    it('a burst of parallel sign-ins leaves exactly the ceiling active', async () => {
      const userId = randomId();
      const l = ceiling(3);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ctx.store.createSession(makeSession({ userId, app: i % 2 ? 'web' : 'desktop', createdAt: ctx.t0 + i }), l)));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(await ctx.store.listUserSessions(userId, l.now)).toHaveLength(3);
      expect(results.flatMap((r) => (r.ok ? r.evicted : []))).toHaveLength(9);
    });

    const ownApp = (max: number, perApp = 0): SessionLimit => {
      const l = ceiling(max, perApp);
      return { ...l, ceiling: { ...l.ceiling!, ownAppOnly: true } };
    };

    it('ownAppOnly: the ceiling ends only the new session’s app’s sessions, the oldest first', async () => {
      const userId = randomId();
      const desktop = makeSession({ userId, app: 'desktop', createdAt: ctx.t0 });
      const [a, b] = [1, 2].map((i) => makeSession({ userId, app: 'shop', createdAt: ctx.t0 + i }));
      for (const s of [desktop, a!, b!]) await ctx.store.createSession(s);
      const r = await ctx.store.createSession(makeSession({ userId, app: 'shop', createdAt: ctx.t0 + 5 }), ownApp(3));
      expect(r.ok && r.evicted.map((s) => [s.id, s.endDetail])).toEqual([[a!.id, { byDevice: 'Firefox on Windows', accountLimit: 3 }]]);
      expect((await ctx.store.findSession(desktop.id))!.endedAt).toBeNull();
    });

    it('ownAppOnly: with too few of its app’s sessions to give way, it is refused and nothing ends', async () => {
      const userId = randomId();
      const others = [0, 1].map((i) => makeSession({ userId, app: 'web', createdAt: ctx.t0 + i }));
      const own = makeSession({ userId, app: 'shop', createdAt: ctx.t0 + 2 });
      for (const s of [...others, own]) await ctx.store.createSession(s);
      // The app's limit (1) would evict `own`; then web, web and the new one still exceed 2.
      const incoming = makeSession({ userId, app: 'shop', createdAt: ctx.t0 + 5 });
      const r = await ctx.store.createSession(incoming, ownApp(2, 1));
      expect(r).toEqual({ ok: false, active: [own], accountLimit: true });
      expect(ids(await ctx.store.listUserSessions(userId, ctx.t0 + 10))).toEqual(ids([...others, own]));
      expect(await ctx.store.findSession(incoming.id)).toBeNull();
    });

    it('a burst of parallel sign-ins with reject admits exactly the limit', async () => {
      const userId = randomId();
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ctx.store.createSession(makeSession({ userId, createdAt: ctx.t0 + i }), limit(3, 'reject'))));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(await ctx.store.listUserSessions(userId, ctx.t0 + 10_000)).toHaveLength(3);
    });
  });
}
