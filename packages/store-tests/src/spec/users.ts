import { SessiondError } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.ts';
import { makeUser } from '../fixtures.ts';

export function describeUsers(ctx: SuiteContext): void {
  describe('users', () => {
    it('stores a user exactly and finds it by id and by email', async () => {
      const u = makeUser({ totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, recoveryCodeHashes: ['h1', 'h2'] });
      await ctx.store.createUser(u);
      expect(await ctx.store.findUserById(u.id)).toEqual(u);
      expect(await ctx.store.findUserByEmail(u.email)).toEqual(u);
      expect(await ctx.store.findUserById('missing')).toBeNull();
      expect(await ctx.store.findUserByEmail('missing@example.com')).toBeNull();
    });

    it('updates the given fields and leaves the rest', async () => {
      const u = makeUser();
      const other = makeUser();
      await ctx.store.createUser(u);
      await ctx.store.createUser(other);
      await ctx.store.updateUser(u.id, { passwordHash: 'new', passwordChangedAt: ctx.t0 + 5, totpEnabled: true, totpSecret: 'ABC', recoveryCodeHashes: ['h1'] });
      const updated = { ...u, passwordHash: 'new', passwordChangedAt: ctx.t0 + 5, totpEnabled: true, totpSecret: 'ABC', recoveryCodeHashes: ['h1'] };
      expect(await ctx.store.findUserById(u.id)).toEqual(updated);
      expect(await ctx.store.findUserByEmail(u.email)).toEqual(updated);
      await ctx.store.updateUser(u.id, { totpSecret: null, totpEnabled: false, recoveryCodeHashes: [] });
      expect(await ctx.store.findUserById(u.id)).toEqual({ ...updated, totpSecret: null, totpEnabled: false, recoveryCodeHashes: [] });
      expect(await ctx.store.findUserById(other.id)).toEqual(other);
    });

    it('keeps both of two concurrent updates of different fields', async () => {
      const u = makeUser();
      await ctx.store.createUser(u);
      // A TOTP sign-in and an administrator's disable, from two nodes at once.
      await Promise.all([ctx.store.updateUser(u.id, { totpLastStep: 42 }), ctx.store.updateUser(u.id, { disabledAt: ctx.t0 + 1 })]);
      expect(await ctx.store.findUserById(u.id)).toEqual({ ...u, totpLastStep: 42, disabledAt: ctx.t0 + 1 });
    });

    it('uses a TOTP time step once, and only one later than the last', async () => {
      const u = makeUser({ totpSecret: 'JBSWY3DPEHPK3PXP', totpEnabled: true, totpLastStep: 100 });
      await ctx.store.createUser(u);
      expect(await ctx.store.useSecondFactor(u.id, { totpStep: 100 })).toBe(false);
      expect(await ctx.store.useSecondFactor(u.id, { totpStep: 99 })).toBe(false);
      // The same code sent ten times at once (a double click, a replay): one gets in.
      const results = await Promise.all(Array.from({ length: 10 }, () => ctx.store.useSecondFactor(u.id, { totpStep: 101 })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await ctx.store.findUserById(u.id))!.totpLastStep).toBe(101);
      expect(await ctx.store.useSecondFactor('missing', { totpStep: 102 })).toBe(false);
      const fresh = makeUser();
      await ctx.store.createUser(fresh);
      expect(await ctx.store.useSecondFactor(fresh.id, { totpStep: 1 })).toBe(true);
    });

    it('uses a recovery code once, leaving the others', async () => {
      const u = makeUser({ totpEnabled: true, recoveryCodeHashes: ['h1', 'h2', 'h3'] });
      await ctx.store.createUser(u);
      const results = await Promise.all(Array.from({ length: 10 }, () => ctx.store.useSecondFactor(u.id, { recoveryCodeHash: 'h2' })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await ctx.store.findUserById(u.id))!.recoveryCodeHashes).toEqual(['h1', 'h3']);
      expect(await ctx.store.useSecondFactor(u.id, { recoveryCodeHash: 'h4' })).toBe(false);
      expect(await ctx.store.useSecondFactor(u.id, { recoveryCodeHash: 'h1' })).toBe(true);
      expect(await ctx.store.useSecondFactor(u.id, { recoveryCodeHash: 'h3' })).toBe(true);
      expect((await ctx.store.findUserById(u.id))!.recoveryCodeHashes).toEqual([]);
      expect(await ctx.store.useSecondFactor(u.id, { recoveryCodeHash: 'h3' })).toBe(false);
    });

    it('ignores an update of a missing user', async () => {
      await ctx.store.updateUser('missing', { passwordHash: 'x' });
      expect(await ctx.store.findUserById('missing')).toBeNull();
    });

    it('refuses a second user with the same email with email_taken, keeping the first', async () => {
      const u = makeUser();
      await ctx.store.createUser(u);
      const second = makeUser({ email: u.email });
      const error = await ctx.store.createUser(second).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessiondError);
      expect((error as SessiondError).code).toBe('email_taken');
      expect(await ctx.store.findUserByEmail(u.email)).toEqual(u);
      expect(await ctx.store.findUserById(second.id)).toBeNull();
    });

    it('finds a user by external id; one without a password stores none', async () => {
      const u = makeUser({ externalId: 'crm|42', passwordHash: null });
      const plain = makeUser();
      await ctx.store.createUser(u);
      await ctx.store.createUser(plain);
      expect(await ctx.store.findUserByExternalId('crm|42')).toEqual(u);
      expect(await ctx.store.findUserById(u.id)).toEqual(u);
      expect(await ctx.store.findUserByEmail(u.email)).toEqual(u);
      expect(await ctx.store.findUserById(plain.id)).toEqual(plain);
      expect(await ctx.store.findUserByExternalId('crm|43')).toBeNull();
      // A password set later is stored; nothing else moves.
      await ctx.store.updateUser(u.id, { passwordHash: 'set-later' });
      expect(await ctx.store.findUserByExternalId('crm|42')).toEqual({ ...u, passwordHash: 'set-later' });
    });

    it('refuses a second user with the same external id, keeping the first and freeing the email', async () => {
      const u = makeUser({ externalId: 'ext-1', passwordHash: null });
      await ctx.store.createUser(u);
      const second = makeUser({ externalId: 'ext-1', passwordHash: null });
      const error = await ctx.store.createUser(second).catch((e: unknown) => e);
      expect((error as SessiondError).code).toBe('external_id_conflict');
      expect(await ctx.store.findUserByExternalId('ext-1')).toEqual(u);
      expect(await ctx.store.findUserById(second.id)).toBeNull();
      expect(await ctx.store.findUserByEmail(second.email)).toBeNull();
      // The refused account's email was not kept: it can still be used.
      const again = makeUser({ email: second.email });
      await ctx.store.createUser(again);
      expect(await ctx.store.findUserByEmail(second.email)).toEqual(again);
    });

    it('lets exactly one of many concurrent creations with one external id through', async () => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => ctx.store.createUser(makeUser({ externalId: 'race', passwordHash: null }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as SessiondError).code).toBe('external_id_conflict');
    });

    it('lets exactly one of many concurrent sign-ups with one email through', async () => {
      const email = makeUser().email;
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => ctx.store.createUser(makeUser({ email }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as SessiondError).code).toBe('email_taken');
    });
  });
}
