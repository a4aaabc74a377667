import type { SessionRecord } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import { sleep, type SuiteContext } from '../context.ts';
import { HOUR, MIN, makeEnding, makeSession } from '../fixtures.ts';

export function describeSweep(ctx: SuiteContext): void {
  const opts = { limit: 100, tombstoneTtlMs: HOUR };

  describe('sweep', () => {
    it('marks timed-out sessions ended at their deadline, with the reason of the earlier deadline', async () => {
      const idle = makeSession({ idleExpiresAt: ctx.t0 + 10 * MIN });
      const absolute = makeSession({ idleExpiresAt: ctx.t0 + 60 * MIN, absoluteExpiresAt: ctx.t0 + 20 * MIN });
      const dueNow = makeSession({ idleExpiresAt: ctx.t0 + 25 * MIN });
      const alive = makeSession({ idleExpiresAt: ctx.t0 + 25 * MIN + 1 });
      for (const s of [idle, absolute, dueNow, alive]) await ctx.store.createSession(s);
      const r = await ctx.store.sweep(ctx.t0 + 25 * MIN, opts);
      const byId = new Map(r.timedOut.map((s) => [s.id, s]));
      expect([...byId.keys()].sort()).toEqual([idle.id, absolute.id, dueNow.id].sort());
      // The detail of a timeout is the store's choice; everything else is exact.
      const { endDetail: _, ...idleFields } = idle;
      expect(byId.get(idle.id)).toMatchObject({ ...idleFields, endReason: 'idle_timeout', endedAt: ctx.t0 + 10 * MIN, purgeAt: ctx.t0 + 70 * MIN });
      expect(byId.get(absolute.id)).toMatchObject({ endReason: 'absolute_timeout', endedAt: ctx.t0 + 20 * MIN, purgeAt: ctx.t0 + 80 * MIN });
      expect(byId.get(dueNow.id)).toMatchObject({ endReason: 'idle_timeout', endedAt: ctx.t0 + 25 * MIN });
      expect(await ctx.store.findSession(idle.id)).toMatchObject({ endReason: 'idle_timeout', endedAt: ctx.t0 + 10 * MIN });
      expect(await ctx.store.findSession(alive.id)).toEqual(alive);
      expect((await ctx.store.sweep(ctx.t0 + 25 * MIN, opts)).timedOut).toEqual([]);
    });

    it('follows deadlines moved by activity', async () => {
      const slid = makeSession({ idleExpiresAt: ctx.t0 + 30 * MIN });
      await ctx.store.createSession(slid);
      await ctx.store.updateSession(slid.id, { lastActiveAt: ctx.t0 + 20 * MIN, idleExpiresAt: ctx.t0 + 50 * MIN, purgeAt: ctx.t0 + 50 * MIN + HOUR });
      expect((await ctx.store.sweep(ctx.t0 + 40 * MIN, opts)).timedOut).toEqual([]);
      const r = await ctx.store.sweep(ctx.t0 + 55 * MIN, opts);
      expect(r.timedOut.map((s) => [s.id, s.endedAt])).toEqual([[slid.id, ctx.t0 + 50 * MIN]]);
    });

    it("times out each of one user's sessions at its own deadline, including ones added or slid between sweeps", async () => {
      const userId = makeSession().userId;
      const at = (m: number) => ctx.t0 + m * MIN;
      const [a, b, c] = [10, 20, 30].map((m) => makeSession({ userId, idleExpiresAt: at(m) })) as [SessionRecord, SessionRecord, SessionRecord];
      for (const s of [a, b, c]) await ctx.store.createSession(s);
      const swept = async (m: number) => (await ctx.store.sweep(at(m), opts)).timedOut.map((s) => s.id);
      expect(await swept(15)).toEqual([a.id]);
      // Added after a sweep, due before the user's other sessions.
      const d = makeSession({ userId, createdAt: at(15), idleExpiresAt: at(16) });
      await ctx.store.createSession(d);
      expect(await swept(17)).toEqual([d.id]);
      expect(await swept(25)).toEqual([b.id]);
      await ctx.store.updateSession(c.id, { lastActiveAt: at(25), idleExpiresAt: at(40), purgeAt: at(40) + HOUR });
      expect(await swept(35)).toEqual([]);
      expect(await swept(45)).toEqual([c.id]);
      expect(await ctx.store.listUserSessions(userId, at(45))).toEqual([]);
    });

    it('leaves sessions that ended before their deadline as they ended', async () => {
      const s = makeSession({ idleExpiresAt: ctx.t0 + 10 * MIN });
      await ctx.store.createSession(s);
      const ended = await ctx.store.endSession(s.id, makeEnding('logged_out', ctx.t0 + 5 * MIN));
      expect((await ctx.store.sweep(ctx.t0 + 20 * MIN, opts)).timedOut).toEqual([]);
      expect(await ctx.store.findSession(s.id)).toEqual(ended);
    });

    it('times out at most `limit` sessions per call; the next call takes the rest', async () => {
      const sessions = Array.from({ length: 5 }, (_, i) => makeSession({ idleExpiresAt: ctx.t0 + i }));
      for (const s of sessions) await ctx.store.createSession(s);
      const first = await ctx.store.sweep(ctx.t0 + MIN, { ...opts, limit: 2 });
      expect(first.timedOut).toHaveLength(2);
      const second = await ctx.store.sweep(ctx.t0 + MIN, { ...opts, limit: 10 });
      expect(second.timedOut).toHaveLength(3);
      expect([...first.timedOut, ...second.timedOut].map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
    });

    it.skipIf(ctx.realTime)('deletes records whose purge time has come, and nothing else', async () => {
      const gone = makeSession();
      const dueNow = makeSession();
      const tombstone = makeSession();
      const alive = makeSession();
      for (const s of [gone, dueNow, tombstone, alive]) await ctx.store.createSession(s);
      await ctx.store.endSession(gone.id, makeEnding('logged_out', ctx.t0, { purgeAt: ctx.t0 + MIN }));
      await ctx.store.endSession(dueNow.id, makeEnding('logged_out', ctx.t0, { purgeAt: ctx.t0 + 2 * MIN }));
      const kept = await ctx.store.endSession(tombstone.id, makeEnding('logged_out', ctx.t0, { purgeAt: ctx.t0 + 2 * MIN + 1 }));
      const r = await ctx.store.sweep(ctx.t0 + 2 * MIN, opts);
      expect(r).toEqual({ timedOut: [], purged: 2 });
      expect(await ctx.store.findSession(gone.id)).toBeNull();
      expect(await ctx.store.findSession(dueNow.id)).toBeNull();
      expect(await ctx.store.findSession(tombstone.id)).toEqual(kept);
      expect(await ctx.store.findSession(alive.id)).toEqual(alive);
      expect(await ctx.store.sweep(ctx.t0 + 2 * MIN, opts)).toEqual({ timedOut: [], purged: 0 });
    });

    it.skipIf(ctx.realTime)('purges at most `limit` records per call', async () => {
      const sessions = Array.from({ length: 5 }, () => makeSession());
      for (const s of sessions) {
        await ctx.store.createSession(s);
        await ctx.store.endSession(s.id, makeEnding('logged_out', ctx.t0, { purgeAt: ctx.t0 + 1 }));
      }
      expect((await ctx.store.sweep(ctx.t0 + MIN, { ...opts, limit: 2 })).purged).toBe(2);
      expect((await ctx.store.sweep(ctx.t0 + MIN, { ...opts, limit: 10 })).purged).toBe(3);
      for (const s of sessions) expect(await ctx.store.findSession(s.id)).toBeNull();
    });

    it.skipIf(ctx.realTime)('purges a timed-out session once its tombstone time has come', async () => {
      const s = makeSession({ idleExpiresAt: ctx.t0 + MIN });
      await ctx.store.createSession(s);
      await ctx.store.sweep(ctx.t0 + 2 * MIN, opts);
      expect((await ctx.store.sweep(ctx.t0 + MIN + HOUR - 1, opts)).purged).toBe(0);
      expect((await ctx.store.sweep(ctx.t0 + MIN + HOUR, opts)).purged).toBe(1);
      expect(await ctx.store.findSession(s.id)).toBeNull();
    });

    it.runIf(ctx.realTime)('forgets records once their purge time has come (backend TTL)', async () => {
      const gone = makeSession({ createdAt: Date.now() });
      const kept = makeSession({ createdAt: Date.now() });
      await ctx.store.createSession(gone);
      await ctx.store.createSession(kept);
      await ctx.store.endSession(gone.id, makeEnding('logged_out', Date.now(), { purgeAt: Date.now() + 300 }));
      expect(await ctx.store.findSession(gone.id)).not.toBeNull();
      await sleep(700);
      await ctx.store.sweep(Date.now(), opts);
      expect(await ctx.store.findSession(gone.id)).toBeNull();
      expect(await ctx.store.findSession(kept.id)).toEqual(kept);
    });
  });
}
