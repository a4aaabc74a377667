import { randomId } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { MIN, makeTrustedDevice } from '../fixtures.ts';

export function describeTrustedDevices(ctx: SuiteContext): void {
  describe('trusted devices', () => {
    it('stores a device exactly and updates the given fields', async () => {
      const d = makeTrustedDevice();
      await ctx.store.createTrustedDevice(d);
      expect(await ctx.store.findTrustedDevice(d.id)).toEqual(d);
      expect(await ctx.store.findTrustedDevice('missing')).toBeNull();
      await ctx.store.updateTrustedDevice(d.id, { lastUsedAt: ctx.t0 + MIN, label: 'Chrome on Windows' });
      expect(await ctx.store.findTrustedDevice(d.id)).toEqual({ ...d, lastUsedAt: ctx.t0 + MIN, label: 'Chrome on Windows' });
      await ctx.store.updateTrustedDevice(d.id, { expiresAt: ctx.t0 + 60 * MIN });
      expect(await ctx.store.findTrustedDevice(d.id)).toEqual({ ...d, lastUsedAt: ctx.t0 + MIN, label: 'Chrome on Windows', expiresAt: ctx.t0 + 60 * MIN });
      await ctx.store.updateTrustedDevice(d.id, { secondFactorAt: ctx.t0 + 2 * MIN });
      expect((await ctx.store.findTrustedDevice(d.id))!.secondFactorAt).toBe(ctx.t0 + 2 * MIN);
      const checked = makeTrustedDevice({ secondFactorAt: ctx.t0 });
      await ctx.store.createTrustedDevice(checked);
      expect(await ctx.store.findTrustedDevice(checked.id)).toEqual(checked);
      await ctx.store.updateTrustedDevice('missing', { label: 'x' });
      expect(await ctx.store.findTrustedDevice('missing')).toBeNull();
    });

    it('lists the user’s devices that have not expired', async () => {
      const userId = randomId();
      const live = [makeTrustedDevice({ userId }), makeTrustedDevice({ userId, expiresAt: ctx.t0 + MIN })];
      const expired = makeTrustedDevice({ userId, expiresAt: ctx.t0 - 1 });
      const expiringNow = makeTrustedDevice({ userId, expiresAt: ctx.t0 });
      const otherUser = makeTrustedDevice();
      for (const d of [...live, expired, expiringNow, otherUser]) await ctx.store.createTrustedDevice(d);
      const listed = await ctx.store.listTrustedDevices(userId, ctx.t0);
      expect(listed.map((d) => d.id).sort()).toEqual(live.map((d) => d.id).sort());
      expect(listed.find((d) => d.id === live[0]!.id)).toEqual(live[0]);
      expect(await ctx.store.listTrustedDevices(randomId(), ctx.t0)).toEqual([]);
    });

    it('deletes a device only for its owner', async () => {
      const d = makeTrustedDevice();
      await ctx.store.createTrustedDevice(d);
      expect(await ctx.store.deleteTrustedDevice('someone-else', d.id)).toBe(false);
      expect(await ctx.store.findTrustedDevice(d.id)).toEqual(d);
      expect(await ctx.store.deleteTrustedDevice(d.userId, d.id)).toBe(true);
      expect(await ctx.store.findTrustedDevice(d.id)).toBeNull();
      expect(await ctx.store.listTrustedDevices(d.userId, ctx.t0)).toEqual([]);
      expect(await ctx.store.deleteTrustedDevice(d.userId, d.id)).toBe(false);
    });
  });
}
