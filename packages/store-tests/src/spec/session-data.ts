import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { HOUR, makeEnding, makeSession } from '../fixtures.ts';

export function describeSessionData(ctx: SuiteContext): void {
  describe("a session's own data (compare-and-set)", () => {
    const purgeAt = (s: { absoluteExpiresAt: number }) => s.absoluteExpiresAt + HOUR;

    it('starts empty, then each write must name the version it read', async () => {
      const s = makeSession();
      await ctx.store.createSession(s);
      expect(await ctx.store.readSessionData(s.id)).toBeNull();
      expect(await ctx.store.writeSessionData(s.id, '{"cart":[1]}', 1, purgeAt(s))).toBeNull();
      expect(await ctx.store.writeSessionData(s.id, '{"cart":[1]}', 0, purgeAt(s))).toBe(1);
      expect(await ctx.store.readSessionData(s.id)).toEqual({ data: '{"cart":[1]}', version: 1 });
      // A writer that read before the last write loses, and changes nothing.
      expect(await ctx.store.writeSessionData(s.id, '{"stale":true}', 0, purgeAt(s))).toBeNull();
      expect(await ctx.store.writeSessionData(s.id, '{"cart":[1,2]}', 1, purgeAt(s))).toBe(2);
      expect(await ctx.store.writeSessionData(s.id, '{"stale":true}', 1, purgeAt(s))).toBeNull();
      expect(await ctx.store.readSessionData(s.id)).toEqual({ data: '{"cart":[1,2]}', version: 2 });
    });

    it('lets one of two writers of the same version win', async () => {
      const s = makeSession();
      await ctx.store.createSession(s);
      await ctx.store.writeSessionData(s.id, '"a"', 0, purgeAt(s));
      const results = await Promise.all(['"b"', '"c"', '"d"'].map((d) => ctx.store.writeSessionData(s.id, d, 1, purgeAt(s))));
      expect(results.filter((r) => r === 2)).toHaveLength(1);
      const stored = await ctx.store.readSessionData(s.id);
      expect(stored!.version).toBe(2);
      expect(['"b"', '"c"', '"d"'][results.indexOf(2)]).toBe(stored!.data);
    });

    it('writes nothing for an ended or missing session, keeps what it had, and keeps sessions apart', async () => {
      const [s, other] = [makeSession(), makeSession()];
      for (const x of [s, other]) await ctx.store.createSession(x);
      await ctx.store.writeSessionData(s.id, '"mine"', 0, purgeAt(s));
      await ctx.store.endSession(s.id, makeEnding('idle_timeout'));
      expect(await ctx.store.writeSessionData(s.id, '"after"', 1, purgeAt(s))).toBeNull();
      // The ended session's data stays readable until its record is purged (a carry-over reads it).
      expect(await ctx.store.readSessionData(s.id)).toEqual({ data: '"mine"', version: 1 });
      expect(await ctx.store.readSessionData(other.id)).toBeNull();
      expect(await ctx.store.writeSessionData('missing', '"x"', 0, purgeAt(s))).toBeNull();
      expect(await ctx.store.readSessionData('missing')).toBeNull();
    });

    it.skipIf(ctx.realTime)('is forgotten when the sweep purges its session', async () => {
      const s = makeSession();
      await ctx.store.createSession(s);
      await ctx.store.writeSessionData(s.id, '"gone soon"', 0, purgeAt(s));
      await ctx.store.endSession(s.id, makeEnding('logged_out', ctx.t0, { purgeAt: ctx.t0 + 1 }));
      await ctx.store.sweep(ctx.t0 + 2, { limit: 100, tombstoneTtlMs: 1 });
      expect(await ctx.store.findSession(s.id)).toBeNull();
      expect(await ctx.store.readSessionData(s.id)).toBeNull();
    });

    it('keeps the browser a session was signed in from', async () => {
      const s = makeSession({ browserId: 'browser-1234567890abcdef' });
      await ctx.store.createSession(s);
      expect((await ctx.store.findSession(s.id))!.browserId).toBe('browser-1234567890abcdef');
      expect((await ctx.store.listUserSessions(s.userId, ctx.t0))[0]!.browserId).toBe('browser-1234567890abcdef');
    });
  });
}
