import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';

export function describeSettings(ctx: SuiteContext): void {
  describe('settings', () => {
    it('the first value claimed under a name stays; every claim answers it', async () => {
      expect(await ctx.store.claimSetting('check', 'first')).toBe('first');
      expect(await ctx.store.claimSetting('check', 'second')).toBe('first');
      expect(await ctx.store.claimSetting('other', 'second')).toBe('second');
    });

    it('of claims made at once, one wins and all answer it', async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.store.claimSetting('race', `v${i}`)));
      expect(new Set(answers).size).toBe(1);
      expect(await ctx.store.claimSetting('race', 'late')).toBe(answers[0]);
    });
  });
}
