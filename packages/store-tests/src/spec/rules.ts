import { admitSession, expiresAt, randomId, timeoutEnding, type SessionLimit, type SessionRecord } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { HOUR, makeEnding, makeSession } from '../fixtures.ts';

/** A small seeded generator (mulberry32): the same cases on every store and every run. */
function random(seed: number) {
  return (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/**
 * Each store runs core's rules inside its own atomic step (Redis in Lua): these pin every store's
 * answer to core's pure functions, over random users' sessions, ties and edge cases included.
 */
export function describeCoreRules(ctx: SuiteContext): void {
  describe('the atomic steps follow core’s rules', () => {
    it('createSession evicts or rejects exactly as admitSession decides', async () => {
      const rand = random(13);
      for (let round = 0; round < 24; round++) {
        const userId = randomId();
        const now = ctx.t0 + 10_000;
        const before: SessionRecord[] = [];
        for (let i = rand(6); i > 0; i--) {
          // Few distinct times, so ties in createdAt happen; some sessions expired, some ended.
          const createdAt = ctx.t0 + rand(4) * 1000;
          const s = makeSession({ userId, app: rand(2) ? 'web' : 'desktop', createdAt, idleExpiresAt: rand(5) ? now + HOUR : now - 1000, purgeAt: now + 2 * HOUR });
          await ctx.store.createSession(s);
          const ended = rand(5) ? null : await ctx.store.endSession(s.id, makeEnding('logged_out', now - 500));
          before.push(ended ?? s);
        }
        const max = rand(4);
        const limit: SessionLimit = {
          max,
          onMax: rand(2) ? 'evict_oldest' : 'reject',
          now,
          ending: makeEnding('concurrent_limit', now, { detail: { limit: max } }),
          ...(rand(2) ? { ceiling: { max: 1 + rand(4), ending: makeEnding('concurrent_limit', now, { detail: { accountLimit: 3 } }), ...(rand(2) ? { ownAppOnly: true } : {}) } } : {}),
        };
        const incoming = makeSession({ userId, app: 'web', createdAt: now });
        const expected = admitSession(incoming, before, limit);
        const got = await ctx.store.createSession(incoming, limit);
        const label = JSON.stringify({ round, limit: { max: limit.max, onMax: limit.onMax, ceiling: limit.ceiling?.max, ownAppOnly: limit.ceiling?.ownAppOnly } });
        expect(got.ok, label).toBe(expected.ok);
        if (got.ok && expected.ok) {
          expect(got.evicted.map((s) => [s.id, s.endReason, s.endDetail]), label).toEqual(expected.evict.map((e) => [e.session.id, e.ending.reason, e.ending.detail]));
        } else if (!got.ok && !expected.ok) {
          expect(got.active.map((s) => s.id).sort(), label).toEqual(expected.active.map((s) => s.id).sort());
          expect(got.accountLimit ?? false, label).toBe(expected.accountLimit ?? false);
        }
      }
    });

    it('sweep ends each session at the deadline and with the reason timeoutEnding gives', async () => {
      const rand = random(7);
      const now = ctx.t0 + 10_000;
      const due: SessionRecord[] = [];
      for (let i = 0; i < 12; i++) {
        // Either deadline first, or both at once (the absolute one wins the tie).
        const idle = ctx.t0 + rand(5) * 1000;
        const absolute = ctx.t0 + rand(5) * 1000;
        const s = makeSession({ createdAt: ctx.t0 - HOUR, idleExpiresAt: idle, absoluteExpiresAt: absolute, purgeAt: now + HOUR });
        await ctx.store.createSession(s);
        due.push(s);
      }
      const tombstoneTtlMs = HOUR;
      const { timedOut } = await ctx.store.sweep(now, { limit: 100, tombstoneTtlMs });
      const byId = new Map(timedOut.map((s) => [s.id, s]));
      for (const s of due) {
        const ending = timeoutEnding(s, tombstoneTtlMs);
        const got = byId.get(s.id);
        expect(got && [got.endedAt, got.endReason, got.purgeAt], s.id).toEqual([ending.at, ending.reason, ending.purgeAt]);
        expect(got?.endedAt).toBe(expiresAt(s));
      }
    });
  });
}
