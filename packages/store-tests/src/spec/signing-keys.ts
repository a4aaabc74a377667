import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { makeSigningKey } from '../fixtures.ts';

export function describeSigningKeys(ctx: SuiteContext): void {
  describe('signing keys', () => {
    it('saves keys, replaces by kid, and lists them all', async () => {
      const first = makeSigningKey({ kid: 'k1' });
      const second = makeSigningKey({ kid: 'k2', createdAt: ctx.t0 + 1 });
      await ctx.store.saveSigningKey(first);
      await ctx.store.saveSigningKey(second);
      const retired = { ...first, retiredAt: ctx.t0 + 5, expiresAt: ctx.t0 + 10 };
      await ctx.store.saveSigningKey(retired);
      const keys = (await ctx.store.listSigningKeys()).sort((a, b) => a.kid.localeCompare(b.kid));
      expect(keys).toEqual([retired, second]);
    });
  });
}
