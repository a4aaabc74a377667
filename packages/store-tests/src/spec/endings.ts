import { randomId, type SessionRecord } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { HOUR, MIN, makeEnding, makeSession } from '../fixtures.ts';

const ids = (sessions: SessionRecord[]) => sessions.map((s) => s.id).sort();

export function describeEndings(ctx: SuiteContext): void {
  describe('sessions: ending and listing', () => {
    it('ends a session once: of many concurrent calls, only the first gets the record', async () => {
      const s = makeSession();
      await ctx.store.createSession(s);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ctx.store.endSession(s.id, makeEnding(i % 2 ? 'revoked' : 'logged_out', ctx.t0 + MIN + i))),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      const i = results.indexOf(winner);
      expect(winner).toEqual({ ...s, endedAt: ctx.t0 + MIN + i, endReason: i % 2 ? 'revoked' : 'logged_out', endDetail: null, purgeAt: ctx.t0 + MIN + i + HOUR });
      expect(await ctx.store.findSession(s.id)).toEqual(winner);
      expect(await ctx.store.endSession(s.id, makeEnding('revoked'))).toBeNull();
      expect(await ctx.store.endSession('missing', makeEnding('revoked'))).toBeNull();
    });

    it('lists a user’s active sessions only: not ended, not past either deadline, not other users’', async () => {
      const userId = randomId();
      const now = ctx.t0 + 10 * MIN;
      const web = makeSession({ userId });
      const desktop = makeSession({ userId, app: 'desktop' });
      const ended = makeSession({ userId });
      const idle = makeSession({ userId, idleExpiresAt: ctx.t0 + 5 * MIN });
      const absolute = makeSession({ userId, absoluteExpiresAt: ctx.t0 + 9 * MIN });
      const dueNow = makeSession({ userId, idleExpiresAt: now });
      const other = makeSession();
      for (const s of [web, desktop, ended, idle, absolute, dueNow, other]) await ctx.store.createSession(s);
      await ctx.store.endSession(ended.id, makeEnding('logged_out'));
      const listed = await ctx.store.listUserSessions(userId, now);
      expect(ids(listed)).toEqual(ids([web, desktop]));
      expect(listed.find((s) => s.id === web.id)).toEqual(web);
      expect(ids(await ctx.store.listUserSessions(userId, ctx.t0))).toEqual(ids([web, desktop, idle, absolute, dueNow]));
      expect(await ctx.store.listUserSessions(randomId(), now)).toEqual([]);
    });

    it('ends all of a user’s active sessions and returns exactly those', async () => {
      const userId = randomId();
      const a = makeSession({ userId });
      const b = makeSession({ userId, app: 'desktop' });
      const already = makeSession({ userId });
      const other = makeSession();
      for (const s of [a, b, already, other]) await ctx.store.createSession(s);
      await ctx.store.endSession(already.id, makeEnding('logged_out'));
      const ending = makeEnding('revoked_by_admin', ctx.t0 + 2 * MIN, { detail: { bySessionId: 'admin' } });
      const ended = await ctx.store.endUserSessions(userId, ending);
      expect(ids(ended)).toEqual(ids([a, b]));
      for (const s of [a, b]) {
        const expected = { ...s, endedAt: ending.at, endReason: 'revoked_by_admin', endDetail: { bySessionId: 'admin' }, purgeAt: ending.purgeAt };
        expect(ended.find((e) => e.id === s.id)).toEqual(expected);
        expect(await ctx.store.findSession(s.id)).toEqual(expected);
      }
      expect((await ctx.store.findSession(already.id))!.endReason).toBe('logged_out');
      expect((await ctx.store.findSession(other.id))!.endedAt).toBeNull();
      expect(await ctx.store.endUserSessions(userId, ending)).toEqual([]);
    });

    it('ends a user’s sessions but one (exceptId)', async () => {
      const userId = randomId();
      const keep = makeSession({ userId });
      const rest = [makeSession({ userId }), makeSession({ userId, app: 'desktop' })];
      for (const s of [keep, ...rest]) await ctx.store.createSession(s);
      expect(ids(await ctx.store.endUserSessions(userId, makeEnding('password_changed'), { exceptId: keep.id }))).toEqual(ids(rest));
      expect(await ctx.store.findSession(keep.id)).toEqual(keep);
    });

    it('ends a user’s sessions of one app', async () => {
      const userId = randomId();
      const web = makeSession({ userId });
      const desktop = [makeSession({ userId, app: 'desktop' }), makeSession({ userId, app: 'desktop' })];
      const otherUsersDesktop = makeSession({ app: 'desktop' });
      for (const s of [web, ...desktop, otherUsersDesktop]) await ctx.store.createSession(s);
      expect(ids(await ctx.store.endUserSessions(userId, makeEnding('revoked'), { app: 'desktop' }))).toEqual(ids(desktop));
      expect(await ctx.store.findSession(web.id)).toEqual(web);
      expect(await ctx.store.findSession(otherUsersDesktop.id)).toEqual(otherUsersDesktop);
    });

    it('ends a user’s sessions on one trusted device', async () => {
      const userId = randomId();
      const onDevice = makeSession({ userId, trustedDeviceId: 'dev-1' });
      const onOther = makeSession({ userId, trustedDeviceId: 'dev-2' });
      const untrusted = makeSession({ userId });
      for (const s of [onDevice, onOther, untrusted]) await ctx.store.createSession(s);
      expect(ids(await ctx.store.endUserSessions(userId, makeEnding('revoked'), { trustedDeviceId: 'dev-1' }))).toEqual([onDevice.id]);
      expect(await ctx.store.findSession(onOther.id)).toEqual(onOther);
      expect(await ctx.store.findSession(untrusted.id)).toEqual(untrusted);
    });

    it('combines the filters with AND', async () => {
      const userId = randomId();
      const target = makeSession({ userId, app: 'desktop', trustedDeviceId: 'dev-1' });
      const spared = makeSession({ userId, app: 'desktop', trustedDeviceId: 'dev-1' });
      const otherApp = makeSession({ userId, app: 'web', trustedDeviceId: 'dev-1' });
      const otherDevice = makeSession({ userId, app: 'desktop', trustedDeviceId: null });
      for (const s of [target, spared, otherApp, otherDevice]) await ctx.store.createSession(s);
      const ended = await ctx.store.endUserSessions(userId, makeEnding('revoked'), { exceptId: spared.id, app: 'desktop', trustedDeviceId: 'dev-1' });
      expect(ids(ended)).toEqual([target.id]);
      expect(ids(await ctx.store.listUserSessions(userId, ctx.t0))).toEqual(ids([spared, otherApp, otherDevice]));
    });

    it('ends every session of every user, counting only those it ended', async () => {
      const sessions = [makeSession(), makeSession(), makeSession({ app: 'desktop' })];
      for (const s of sessions) await ctx.store.createSession(s);
      await ctx.store.endSession(sessions[0]!.id, makeEnding('logged_out'));
      const ending = makeEnding('global_logout', ctx.t0 + 3 * MIN);
      expect(await ctx.store.endAllSessions(ending)).toBe(2);
      for (const s of sessions.slice(1)) {
        expect(await ctx.store.findSession(s.id)).toEqual({ ...s, endedAt: ending.at, endReason: 'global_logout', endDetail: null, purgeAt: ending.purgeAt });
      }
      expect((await ctx.store.findSession(sessions[0]!.id))!.endReason).toBe('logged_out');
      expect(await ctx.store.endAllSessions(ending)).toBe(0);
    });

    it('ends every session there was when asked, and returns while people keep signing in', async () => {
      const before = Array.from({ length: 30 }, () => makeSession());
      for (const s of before) await ctx.store.createSession(s);
      let done = false;
      let signIns = 0;
      const signingIn = (async () => {
        while (!done && signIns < 3000) {
          await ctx.store.createSession(makeSession());
          signIns++;
        }
      })();
      const n = await ctx.store.endAllSessions(makeEnding('global_logout', ctx.t0 + MIN));
      done = true;
      await signingIn;
      // Had it chased every new sign-in, it would have returned only when they stopped.
      expect(signIns).toBeLessThan(3000);
      expect(n).toBeGreaterThanOrEqual(before.length);
      for (const s of before) expect((await ctx.store.findSession(s.id))!.endReason).toBe('global_logout');
    });
  });
}
