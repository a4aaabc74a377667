import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { MIN, makeAppKey } from '../fixtures.ts';

export function describeAppKeys(ctx: SuiteContext): void {
  describe('app keys', () => {
    it('stores a key exactly, finds it by secret hash, and lists an app’s keys oldest first', async () => {
      const first = makeAppKey({ app: 'banking' });
      const second = makeAppKey({ app: 'banking', createdAt: ctx.t0 + 1, scopes: ['metrics:read'] });
      const other = makeAppKey({ app: 'web' });
      for (const k of [first, second, other]) await ctx.store.createAppKey(k);
      expect(await ctx.store.findAppKeyByHash(first.secretHash)).toEqual(first);
      expect(await ctx.store.findAppKeyByHash('unknown')).toBeNull();
      expect(await ctx.store.listAppKeys('banking')).toEqual([first, second]);
      expect(await ctx.store.listAppKeys('web')).toEqual([other]);
      expect(await ctx.store.listAppKeys('desktop')).toEqual([]);
    });

    it('touches lastUsedAt, and a touch of a missing key creates nothing', async () => {
      const k = makeAppKey();
      await ctx.store.createAppKey(k);
      await ctx.store.touchAppKey(k.id, ctx.t0 + MIN);
      expect(await ctx.store.findAppKeyByHash(k.secretHash)).toEqual({ ...k, lastUsedAt: ctx.t0 + MIN });
      expect(await ctx.store.listAppKeys(k.app)).toEqual([{ ...k, lastUsedAt: ctx.t0 + MIN }]);
      await ctx.store.touchAppKey('missing', ctx.t0);
      expect(await ctx.store.listAppKeys(k.app)).toHaveLength(1);
    });

    it('deletes a key only for its own app, once; a deleted key is found by nothing', async () => {
      const k = makeAppKey({ app: 'banking' });
      await ctx.store.createAppKey(k);
      expect(await ctx.store.deleteAppKey('web', k.id)).toBe(false);
      expect(await ctx.store.findAppKeyByHash(k.secretHash)).toEqual(k);
      expect(await ctx.store.deleteAppKey('banking', k.id)).toBe(true);
      expect(await ctx.store.deleteAppKey('banking', k.id)).toBe(false);
      expect(await ctx.store.findAppKeyByHash(k.secretHash)).toBeNull();
      expect(await ctx.store.listAppKeys('banking')).toEqual([]);
      // A touch racing the delete must not bring it back.
      await ctx.store.touchAppKey(k.id, ctx.t0 + MIN);
      expect(await ctx.store.listAppKeys('banking')).toEqual([]);
    });
  });
}
