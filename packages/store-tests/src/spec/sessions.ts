import type { SessionPatch } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { MIN, makeEnding, makeSession } from '../fixtures.ts';

export function describeSessions(ctx: SuiteContext): void {
  describe('sessions: create, find, update, rotate', () => {
    it('stores sessions exactly, whatever their optional fields hold', async () => {
      const full = makeSession({
        mode: 'token',
        rememberMe: true,
        trustedDeviceId: 'dev-1',
        appKeyId: 'key-1',
        authMethods: ['pwd', 'otp'],
        locationLast: { city: null, region: null, country: 'FR' },
        refresh: { hash: 'r1', previousHash: 'r0', rotatedAt: ctx.t0, generation: 3 },
        device: { browser: null, os: null, type: 'other', label: 'Unknown device', userAgent: '' },
      });
      const sparse = makeSession({ ipFirst: null, ipLast: null, locationFirst: null, locationLast: null, authMethods: null });
      for (const s of [full, sparse]) expect(await ctx.store.createSession(s)).toEqual({ ok: true, evicted: [] });
      expect(await ctx.store.findSession(full.id)).toEqual(full);
      expect(await ctx.store.findSession(sparse.id)).toEqual(sparse);
      expect(await ctx.store.findSession('missing')).toBeNull();
    });

    it('still finds a session after it ended, with its ending', async () => {
      const s = makeSession();
      await ctx.store.createSession(s);
      const ending = makeEnding('revoked', ctx.t0 + MIN, { detail: { byDevice: 'Firefox on Windows', bySessionId: 'other' } });
      await ctx.store.endSession(s.id, ending);
      expect(await ctx.store.findSession(s.id)).toEqual({
        ...s,
        endedAt: ending.at,
        endReason: 'revoked',
        endDetail: { byDevice: 'Firefox on Windows', bySessionId: 'other' },
        purgeAt: ending.purgeAt,
      });
    });

    it('applies every patchable field and leaves the others', async () => {
      const s = makeSession();
      const other = makeSession({ userId: s.userId });
      await ctx.store.createSession(s);
      await ctx.store.createSession(other);
      const patch: Required<SessionPatch> = {
        tokenHash: 'new-token-hash',
        authenticatedAt: ctx.t0 + 2 * MIN,
        authMethods: ['pwd', 'otp'],
        lastActiveAt: ctx.t0 + 2 * MIN,
        idleExpiresAt: ctx.t0 + 32 * MIN,
        purgeAt: ctx.t0 + 99 * MIN,
        ipLast: '198.51.100.7',
        locationLast: { city: 'Paris', region: null, country: 'FR' },
        device: { browser: 'Firefox', os: 'Windows', type: 'desktop', label: 'Firefox on Windows', userAgent: 'Mozilla/5.0 Firefox/121.0' },
        trustedDeviceId: 'dev-9',
        refresh: { hash: 'r2', previousHash: 'r1', rotatedAt: ctx.t0 + 2 * MIN, generation: 2 },
        sso: { provider: 'acme', label: 'Acme', issuer: 'https://idp.example', subject: 'sub-1', sid: 'sid-1', idToken: 'sealed-id', refreshToken: 'sealed-rt', upstreamExpiresAt: ctx.t0 + 60 * MIN, upstreamRefreshAt: ctx.t0 + 30 * MIN },
      };
      expect(await ctx.store.updateSession(s.id, patch)).toBe(true);
      expect(await ctx.store.findSession(s.id)).toEqual({ ...s, ...patch });
      expect(await ctx.store.findSession(other.id)).toEqual(other);
      // Fields may be set back to null.
      expect(await ctx.store.updateSession(s.id, { ipLast: null, locationLast: null, trustedDeviceId: null, refresh: null })).toBe(true);
      expect(await ctx.store.findSession(s.id)).toEqual({ ...s, ...patch, ipLast: null, locationLast: null, trustedDeviceId: null, refresh: null });
    });

    it('treats a patch key holding undefined as absent', async () => {
      const s = makeSession();
      await ctx.store.createSession(s);
      expect(await ctx.store.updateSession(s.id, { lastActiveAt: ctx.t0 + MIN, ipLast: undefined })).toBe(true);
      expect(await ctx.store.findSession(s.id)).toEqual({ ...s, lastActiveAt: ctx.t0 + MIN });
    });

    it('updates only sessions that have not ended', async () => {
      const s = makeSession();
      await ctx.store.createSession(s);
      expect(await ctx.store.updateSession(s.id, { lastActiveAt: ctx.t0 + MIN })).toBe(true);
      await ctx.store.endSession(s.id, makeEnding('logged_out', ctx.t0 + 2 * MIN));
      expect(await ctx.store.updateSession(s.id, { lastActiveAt: ctx.t0 + 3 * MIN, purgeAt: ctx.t0 + 500 * MIN })).toBe(false);
      const found = await ctx.store.findSession(s.id);
      expect(found).toMatchObject({ lastActiveAt: ctx.t0 + MIN, purgeAt: ctx.t0 + 2 * MIN + 60 * MIN, endReason: 'logged_out' });
      expect(await ctx.store.updateSession('missing', { lastActiveAt: ctx.t0 })).toBe(false);
      expect(await ctx.store.findSession('missing')).toBeNull();
    });

    it('rotates refresh state by compare-and-set, applying the whole patch', async () => {
      const s = makeSession({ mode: 'token', refresh: { hash: 'h0', previousHash: null, rotatedAt: null, generation: 0 } });
      await ctx.store.createSession(s);
      const next = { hash: 'h1', previousHash: 'h0', rotatedAt: ctx.t0 + MIN, generation: 1 };
      expect(await ctx.store.rotateRefresh(s.id, 'wrong', { refresh: { ...next, hash: 'x' } })).toBe(false);
      expect(await ctx.store.rotateRefresh(s.id, 'h0', { refresh: next, lastActiveAt: ctx.t0 + MIN })).toBe(true);
      expect(await ctx.store.findSession(s.id)).toEqual({ ...s, refresh: next, lastActiveAt: ctx.t0 + MIN });
      // The old hash no longer matches.
      expect(await ctx.store.rotateRefresh(s.id, 'h0', { refresh: { ...next, hash: 'x' } })).toBe(false);
      expect((await ctx.store.findSession(s.id))!.refresh).toEqual(next);
      expect(await ctx.store.rotateRefresh('missing', 'h0', { refresh: next })).toBe(false);
    });

    it('lets exactly one of many concurrent rotations of the same hash win', async () => {
      const s = makeSession({ mode: 'token', refresh: { hash: 'h0', previousHash: null, rotatedAt: null, generation: 0 } });
      await ctx.store.createSession(s);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.store.rotateRefresh(s.id, 'h0', { refresh: { hash: `h1-${i}`, previousHash: 'h0', rotatedAt: ctx.t0 + i, generation: 1 } })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await ctx.store.findSession(s.id))!.refresh).toEqual({ hash: `h1-${winner}`, previousHash: 'h0', rotatedAt: ctx.t0 + winner, generation: 1 });
    });

    it('does not rotate a session without refresh state, nor an ended one', async () => {
      const cookie = makeSession();
      const token = makeSession({ mode: 'token', refresh: { hash: 'h0', previousHash: null, rotatedAt: null, generation: 0 } });
      await ctx.store.createSession(cookie);
      await ctx.store.createSession(token);
      const refresh = { hash: 'h1', previousHash: 'h0', rotatedAt: ctx.t0, generation: 1 };
      expect(await ctx.store.rotateRefresh(cookie.id, 'h0', { refresh })).toBe(false);
      expect((await ctx.store.findSession(cookie.id))!.refresh).toBeNull();
      await ctx.store.endSession(token.id, makeEnding('logged_out'));
      expect(await ctx.store.rotateRefresh(token.id, 'h0', { refresh })).toBe(false);
      expect((await ctx.store.findSession(token.id))!.refresh).toEqual(token.refresh);
    });
  });
}
