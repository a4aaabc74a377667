import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { MIN, makeSession } from '../fixtures.ts';

const ISS = 'https://idp.example/realms/acme';

export function describeIdentities(ctx: SuiteContext): void {
  describe('identities (SPEC §15)', () => {
    it('links (issuer, subject) to a user once; the first link wins and every call answers it', async () => {
      const first = { issuer: ISS, subject: 'sub-1', userId: 'u1', provider: 'acme', createdAt: ctx.t0 };
      expect(await ctx.store.findIdentity(ISS, 'sub-1')).toBeNull();
      expect(await ctx.store.linkIdentity(first)).toEqual(first);
      expect(await ctx.store.linkIdentity({ ...first, userId: 'u2', createdAt: ctx.t0 + MIN })).toEqual(first);
      expect(await ctx.store.findIdentity(ISS, 'sub-1')).toEqual(first);
    });

    it('keeps issuers apart: the same subject at another issuer is another person', async () => {
      await ctx.store.linkIdentity({ issuer: ISS, subject: 'same', userId: 'u1', provider: 'acme', createdAt: ctx.t0 });
      expect(await ctx.store.findIdentity('https://other.example', 'same')).toBeNull();
      await ctx.store.linkIdentity({ issuer: 'https://other.example', subject: 'same', userId: 'u2', provider: 'other', createdAt: ctx.t0 });
      expect((await ctx.store.findIdentity(ISS, 'same'))!.userId).toBe('u1');
      expect((await ctx.store.findIdentity('https://other.example', 'same'))!.userId).toBe('u2');
    });

    it('of links made at once, one wins and all answer it', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => ctx.store.linkIdentity({ issuer: ISS, subject: 'race', userId: `u${i}`, provider: 'acme', createdAt: ctx.t0 })));
      expect(new Set(answers.map((a) => a.userId)).size).toBe(1);
    });

    it('names our sessions in a provider session until their purgeAt', async () => {
      const a = makeSession();
      const b = makeSession();
      await ctx.store.addProviderSession(ISS, 'sid-1', a.id, ctx.t0 + 10 * MIN, ctx.t0);
      await ctx.store.addProviderSession(ISS, 'sid-1', b.id, ctx.t0 + 60 * MIN, ctx.t0);
      await ctx.store.addProviderSession(ISS, 'sid-2', 'elsewhere', ctx.t0 + 60 * MIN, ctx.t0);
      expect((await ctx.store.providerSessions(ISS, 'sid-1', ctx.t0)).sort()).toEqual([a.id, b.id].sort());
      expect(await ctx.store.providerSessions('https://other.example', 'sid-1', ctx.t0)).toEqual([]);
      expect(await ctx.store.providerSessions(ISS, 'sid-1', ctx.t0 + 10 * MIN)).toEqual([b.id]);
      expect(await ctx.store.providerSessions(ISS, 'unknown', ctx.t0)).toEqual([]);
    });
  });
}
